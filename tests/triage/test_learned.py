"""The learned reading of free text: trained only on training halves, reproducible, explained, and never raising
plain provider notes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lanzarote.errors import ConfigurationError
from lanzarote.model.priority import Tier
from lanzarote.model.report import Report
from lanzarote.triage import learned, training
from lanzarote.triage.context import TriageContext
from lanzarote.triage.lexicon import load as load_lexicon
from lanzarote.triage.rank import triage
from lanzarote.triage.rules import Rules
from lanzarote.triage.text import readings, signals_of

RULES = Rules.load()
SHIPPED = json.loads(learned.DEFAULT.read_text(encoding="utf-8"))


def test_the_shipped_model_was_trained_on_training_halves_only_and_on_the_data_as_it_is_now() -> None:
    names = set(SHIPPED["trained_on"])
    assert names == {p.name for p in training.default_paths()}
    assert not any(word in name for name in names for word in training.REFUSED)
    for name, digest in SHIPPED["trained_on"].items():
        assert hashlib.sha256((training.REPOSITORY_DATA / name).read_bytes()).hexdigest() == digest, (
            f"{name} changed since the model was trained: run python -m lanzarote.triage.training")


def test_training_again_on_the_same_files_gives_the_same_model() -> None:
    again = training.train(training.default_paths())
    assert again["version"] == SHIPPED["version"]
    assert (again["weights"], again["threshold"]) == (SHIPPED["weights"], SHIPPED["threshold"])
    assert again["concern"] == SHIPPED["concern"]


def test_a_held_out_half_is_refused_for_training(tmp_path: Path) -> None:
    path = tmp_path / "en-heldout.jsonl"
    path.write_text('{"id": "x", "text": "t", "expected_tier": "NEG"}\n')
    with pytest.raises(ConfigurationError, match="held-out"):
        training.train([path])


def test_a_badly_labelled_training_line_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "en-train.jsonl"
    path.write_text('{"id": "a", "text": "t", "expected_tier": "NEG"}\n'
                    '{"id": "b", "text": "t", "expected_tier": "P9"}\n')
    with pytest.raises(ConfigurationError, match="line 2"):
        training.train([path])


def test_a_broken_model_file_is_a_clear_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text('{"version": "x", "weights": {}}')
    with pytest.raises(ConfigurationError, match="cannot be used"):
        learned.load(path)


def _tier(text: str) -> tuple[Tier, dict[str, str | None]]:
    result = triage(Report(source="t", source_id="1", additional_info=text), TriageContext(), RULES)
    return result.tier, {r.signal: r.evidence for r in result.reasons}


def test_plain_provider_notes_are_not_raised() -> None:
    for note in ("The reported user uploaded 3 files. Hash match to a known list.",
                 "User shared the viral video to express outrage.",
                 "Account reported by an automated classifier; no chat content available.",
                 "Le compte a partagé deux fichiers connus. Aucun message."):
        tier, reasons = _tier(note)
        assert "TEXT_DANGER" not in reasons and "TEXT_CONCERN" not in reasons, note
        assert tier is Tier.P3


def test_the_model_lifts_development_texts_the_rules_miss_and_shows_why() -> None:
    """On the texts it learnt from the model must at least find the P1 texts the rules alone miss; each lift shows
    the sentence that weighed most and the features that did."""
    lexicon = load_lexicon()
    lifted = 0
    for path in training.default_paths():
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if item["expected_tier"] != "P1":
                continue
            found = readings([item["text"], item.get("profile") or ""], lexicon)
            if RULES.tier_for({s.signal for s in signals_of(found)}) is Tier.P1:
                continue
            signals = learned.load().assess(found)
            if signals and signals[0].signal == learned.DANGER:
                lifted += 1
                evidence = signals[0].evidence
                assert "weighing most:" in evidence and "learned model" in evidence
                assert evidence.startswith("“")
    assert lifted >= 10


def _spec(danger: float, concern: float) -> learned.ModelSpec:
    """A model of one word, "ferry", weighing `danger` in the first head and `concern` in the second."""
    return learned.ModelSpec(version="tm-test", trained_on={}, settings={}, cross_validated={}, bias=0.0,
                             threshold=0.9, weights={"w:ferry": danger},
                             concern=learned.Head(bias=0.0, threshold=0.8, weights={"w:ferry": concern}))


@pytest.mark.parametrize(("danger", "concern", "expected"), [
    (5.0, 5.0, ["TEXT_DANGER"]),
    (0.0, 5.0, ["TEXT_CONCERN"]),
    (0.0, 0.0, []),
])
def test_the_second_head_speaks_only_when_the_first_is_silent(danger: float, concern: float,
                                                              expected: list[str]) -> None:
    found = readings(["He takes the ferry on Friday."], load_lexicon())
    signals = learned.TextModel(_spec(danger, concern)).assess(found)
    assert [s.signal for s in signals] == expected
    for signal in signals:
        assert signal.evidence.startswith("“He takes the ferry on Friday.”")
        assert "“ferry”" in signal.evidence


def test_the_second_heads_threshold_keeps_ordinary_provider_notes_within_its_bound() -> None:
    measured = SHIPPED["cross_validated"]
    assert SHIPPED["concern"]["threshold"] == measured["concern_threshold"]
    assert (measured["background_p2_or_higher"] - measured["without_concern_background_p2_or_higher"]
            <= training.BACKGROUND_RISE + 1e-9)
    assert measured["p2_or_higher_recall"] >= measured["without_concern_p2_or_higher_recall"]
