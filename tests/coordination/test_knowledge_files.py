"""Every file of the country knowledge base loads, and every quotation in it is really in the source it cites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lanzarote.coordination.knowledge import COMPILATION, KnowledgeBase
from lanzarote.coordination.knowledge.load import DATA
from lanzarote.errors import ConfigurationError

SOURCES = Path(__file__).parents[2] / ".." / "shared" / "data" / "sources"
STATES = {"AL", "AD", "AT", "BE", "BA", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "GE", "DE", "GR", "HU", "IS",
          "IT", "LV", "LI", "LT", "LU", "MT", "MD", "MC", "ME", "NL", "MK", "NO", "PL", "PT", "RO", "RU", "SM", "RS",
          "SK", "SI", "ES", "SE", "CH", "TR", "UA"}
"""The 43 states of the compilation's table of contents."""


def _plain(text: str) -> str:
    """Text as compared: emphasis marks and line breaks of the converted document aside."""
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_every_state_of_the_compilation_has_a_valid_file(kb: KnowledgeBase) -> None:
    assert len(STATES) == 43
    assert set(kb.countries) == STATES


def test_every_quotation_is_verbatim_in_its_source(kb: KnowledgeBase) -> None:
    texts: dict[str, str] = {}
    missing: list[str] = []
    for code, country in kb.countries.items():
        cited = [("reply", country.reply.source, country.reply.quote)]
        cited += [(name, fact.source, fact.quote) for name, fact in country.all_facts()]
        for name, source_id, quote in cited:
            source = kb.source_of(country, country.reply) if name == "reply" else kb.sources.get(source_id)
            if source is None or source.file is None:
                continue  # a unit's own note: its words are its own
            if source.file not in texts:
                texts[source.file] = _plain((SOURCES / source.file).read_text())
            if _plain(quote) not in texts[source.file]:
                missing.append(f"{code} {name}: {quote[:80]}")
    assert missing == []


def test_facts_of_the_compilation_carry_its_date(kb: KnowledgeBase) -> None:
    spain = kb.country("es")
    fact = spain.facts("channels")[0]
    source = kb.source_of(spain, fact)
    assert fact.source == COMPILATION and source.date.year == 2019 and source.file


def test_a_silent_field_must_say_not_stated(tmp_path: Path) -> None:
    for path in DATA.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    text = (tmp_path / "ES.yaml").read_text().replace("contact_point_24_7: not stated\n", "")
    (tmp_path / "ES.yaml").write_text(text)
    with pytest.raises(ConfigurationError, match=r"ES\.yaml: contact_point_24_7"):
        KnowledgeBase.load(tmp_path)


def test_a_fact_without_its_quotation_is_refused(tmp_path: Path) -> None:
    for path in DATA.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    text = (tmp_path / "FR.yaml").read_text()
    text = re.sub(r"(retention:\n(?:.*\n)*?)    quote: .*\n", r"\1", text, count=1)
    (tmp_path / "FR.yaml").write_text(text)
    with pytest.raises(ConfigurationError, match=r"FR\.yaml: retention.*quote"):
        KnowledgeBase.load(tmp_path)
