"""The lexicon's one-pass concept search (RE2's set matching) agrees with Python's `re`, pattern by pattern, and
every concept and rule of the data file is usable."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lanzarote.triage.lexicon import ConceptSet, load
from lanzarote.triage.text import fold

LEXICON = load()
WORDS = sorted({w for lang in LEXICON.languages.values() for _, p in lang.concepts._patterns
                for w in re.findall(r"[a-z]{2,}", p.pattern)})
"""Words taken from the lexicon's own patterns, so that generated clauses hit concepts often."""

words = st.one_of(st.sampled_from(WORDS), st.from_regex(r"[a-z0-9'_-]{1,8}", fullmatch=True))
separators = st.sampled_from([" ", " ", " ", "-", " 12 ", " (3) "])
clauses = st.lists(st.tuples(words, separators), min_size=1, max_size=14).map(
    lambda pairs: "".join(word + separator for word, separator in pairs))


@settings(max_examples=300, deadline=None)
@given(clauses, st.sampled_from(sorted(LEXICON.languages)))
def test_concepts_found_in_one_pass_are_those_python_finds(clause: str, code: str) -> None:
    concepts = LEXICON.languages[code].concepts
    python_says = [i for i, (_, p) in enumerate(concepts._patterns) if p.search(clause)]
    assert [i for i in concepts.candidates(clause) if concepts._patterns[i][1].search(clause)] == python_says
    assert set(python_says) <= set(concepts.candidates(clause))


def test_a_pattern_re2_cannot_read_is_always_tried() -> None:
    parts = ConceptSet([("a", re.compile(r"kid")), ("b", re.compile(r"(?<!not )coach")), ("c", re.compile(r"\bteam"))])
    assert parts.candidates("the kid and the team") == [0, 1, 2]
    assert parts.candidates("nothing here") == [1]
    assert [c for c, _ in parts.mentions("the coach")] == ["b"]


def test_folded_text_is_ascii_with_meaningful_emoji_as_words() -> None:
    assert fold("Mädchen, niño, Straße") == "madchen, nino, strasse"
    assert "winkemoji" in fold("bath time 😉") and fold("ok 🙂 ✔").isascii()


def test_every_rule_names_concepts_every_language_knows_or_says_why_not() -> None:
    named = {c for lang in LEXICON.languages.values() for c, _ in lang.concepts._patterns}
    for rule in LEXICON.rules:
        assert {c for group in rule.need for c in group} | rule.unless <= named, rule.signal
    for code, lang in LEXICON.languages.items():
        mine = {c for c, _ in lang.concepts._patterns}
        core = {"child", "kin", "abuse", "insinuation", "opportunity", "secret", "work", "survivor", "parent"}
        assert core <= mine, f"{code} lacks {core - mine}"


def test_no_pattern_escapes_a_backslash_by_mistake() -> None:
    """In the YAML file's single-quoted strings a backslash is literal: `\\\\b` would look for a backslash."""
    text = (Path(__file__).parents[2] / "lanzarote" / "triage" / "data" / "lexicon.yaml").read_text(encoding="utf-8")
    assert "\\\\" not in text
