"""A learned second reading of free text: how strongly a report's words and the concepts the reader found in them
resemble reports that an analyst ranked as a child in danger now (P1).

The lexicon's rules say exactly which concepts together make a signal; people write in more ways than rules foresee.
The model weighs every feature of a report's texts — its words, word pairs and word stems, the concepts of each
sentence and the pairs of concepts found together, the rules' own signals and the frames of the text — by weights
learned from labelled texts (`lanzarote.triage.training`; the data it was learnt from and its cross-validated
figures are in the model file). It runs offline, on the CPU, in pure Python: a sum of weights. From a threshold its
score gives `TEXT_DANGER` (P1): it only adds to what the rules read, never takes away, and it shows the sentence
that weighed most and the features that made the score, so an analyst sees why.

Letting the model overrule the rules (a rule's P1 standing only with the model's agreement) was tried and removed:
out of fold it took back a third of the hard negatives the rules raise, but it also overruled plain third-person
summaries of self-declared abuse and of a child offered to others ("Er bot das Kind anderen gegen Geld an" scored
0.26), which the writers' mostly indirect texts seldom contain and which are the seed cases of T3 and T15 — even
after summaries by other hands were added to the training texts.

A second head tells P1 and P2 texts from the rest and gives `TEXT_CONCERN` (P2). An earlier one raised ordinary provider
notes to P2 on the realistic mix (P1 + P2 from 14 % to 24 %), the very failure a queue must not have; its threshold is
now bounded by what it does to ordinary provider notes out of fold (`training.BACKGROUND_RISE`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from lanzarote.errors import ConfigurationError
from lanzarote.triage.text import Reading, TextSignal

DEFAULT = Path(__file__).parent / "data" / "text_model.json"
_WORD = re.compile(r"[a-z0-9]+")
STEM = 5
"""Words of at least STEM + 2 letters also count by their first STEM letters: inflections and typos of one word."""
GRAM = 4
"""The text also counts by its runs of GRAM characters (spaces included): endings, compounds, elisions and typos that
no word list foresees ("Stieftochter", "l'emmener", "ptite", "meisje's") share runs with the words the model learnt."""
DANGER = "TEXT_DANGER"
"""The signal the model gives when its score reaches the threshold: the text reads as a child in danger (P1)."""
CONCERN = "TEXT_CONCERN"
"""The signal of the second head: the text reads as a reason to act before ordinary possession work (P2)."""


def _length(sentences: int) -> str:
    return "len:1" if sentences <= 1 else "len:2-3" if sentences <= 3 else "len:4-7" if sentences <= 7 else "len:8+"


def features(found: Iterable[Reading]) -> dict[str, int]:
    """Every feature of a report's texts, each with the index of the first sentence (over all its texts) that
    shows it, or -1 for a feature of the whole report."""
    out: dict[str, int] = {}
    index = 0
    count = 0
    for reading in found:
        for signal in reading.signals:
            out.setdefault(f"r:{signal.signal}", -1)
        concepts_by_sentence = []
        for sentence in reading.sentences:
            words = _WORD.findall(sentence.folded)
            for w in words:
                out.setdefault(f"w:{w}", index)
                if len(w) >= STEM + 2:
                    out.setdefault(f"p:{w[:STEM]}", index)
            for a, b in pairwise(words):
                out.setdefault(f"b:{a} {b}", index)
            concepts = sorted(c for c in sentence.parts if c != "quotation")
            mark = "cq" if sentence.quoted else "c"
            for c in concepts:
                out.setdefault(f"{mark}:{c}", index)
            concepts_by_sentence.append((index, concepts))
            index += 1
        for i, (at, concepts) in enumerate(concepts_by_sentence):
            near = set(concepts)
            if i + 1 < len(concepts_by_sentence):
                near.update(concepts_by_sentence[i + 1][1])
            for a in concepts:
                for b in near:
                    if a < b:
                        out.setdefault(f"cc:{a}&{b}", at)
        count += len(reading.sentences)
    if count:
        out.setdefault(_length(count), -1)
    return out


def grams(found: Iterable[Reading]) -> set[str]:
    """The runs of GRAM characters of a report's folded sentences, each sentence padded with a space."""
    out: set[str] = set()
    for reading in found:
        for sentence in reading.sentences:
            text = f" {' '.join(sentence.folded.split())} "
            out.update(text[i:i + GRAM] for i in range(len(text) - GRAM + 1))
    return out


GRAM_PREFIX = "g:"


def all_features(found: list[Reading]) -> dict[str, int]:
    """`features` and the character runs (`grams`, as "g:…", features of the whole report): what the model is
    trained on."""
    out = features(found)
    out.update(dict.fromkeys((GRAM_PREFIX + g for g in grams(found)), -1))
    return out


class Head(BaseModel):
    """One logistic regression over the features: a bias, weights, and the score from which it speaks."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    bias: float
    threshold: float
    weights: dict[str, float]


class ModelSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str
    trained_on: dict[str, str]
    """Each training file and the SHA-256 of its content."""
    settings: dict[str, float]
    cross_validated: dict[str, float]
    """Out-of-fold figures at the chosen thresholds, on the texts written after the rules were last tuned."""
    bias: float
    threshold: float
    """From this score the text reads as a child in danger now: TEXT_DANGER."""
    weights: dict[str, float]
    concern: Head | None = None
    """The second head, trained to tell P1 and P2 texts from the rest: from its threshold, and when the first head
    stays below its own, the text reads as a reason to act (TEXT_CONCERN, P2)."""

    @property
    def danger(self) -> Head:
        return Head(bias=self.bias, threshold=self.threshold, weights=self.weights)


@dataclass(frozen=True)
class Score:
    probability: float
    top: tuple[tuple[str, float], ...]
    """The features that weighed most for it, heaviest first."""
    sentence: int
    """The sentence (over all the report's texts) whose features weighed most, or -1."""


def _readable(feature: str) -> str:
    kind, _, value = feature.partition(":")
    return {"w": f"“{value}”", "b": f"“{value}”", "p": f"“{value}…”", "g": f"“…{value}…”", "c": f"{value}",
            "cq": f"{value} (quoted)", "cc": value.replace("&", " + "), "r": f"rule {value}"}.get(kind, value)


@dataclass(frozen=True)
class _Weights:
    head: Head
    grams: dict[str, float]
    """The head's weights of character runs, by the run itself (without "g:")."""

    @classmethod
    def of(cls, head: Head) -> _Weights:
        return cls(head, {f[len(GRAM_PREFIX):]: w for f, w in head.weights.items() if f.startswith(GRAM_PREFIX)})

    def score(self, found: dict[str, int], runs: AbstractSet[str]) -> Score:
        """The head's score of a report's features and its character runs (`grams`): a run is looked up by itself
        (a set intersection), not as a feature of its own, since a text has hundreds."""
        weights = self.head.weights
        parts = [(f, weights[f]) for f in found if f in weights]
        parts.extend((GRAM_PREFIX + g, self.grams[g]) for g in runs & self.grams.keys())
        z = self.head.bias + sum(w for _, w in parts)
        probability = 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))
        top = tuple(sorted((p for p in parts if p[1] > 0), key=lambda p: -p[1])[:6])
        by_sentence: dict[int, float] = {}
        for f, w in parts:
            at = found.get(f, -1)
            if at >= 0 and w > 0:
                by_sentence[at] = by_sentence.get(at, 0.0) + w
        sentence = max(by_sentence, key=lambda i: by_sentence[i], default=-1)
        return Score(probability, top, sentence)


@dataclass(frozen=True)
class TextModel:
    spec: ModelSpec
    _heads: tuple[tuple[str, _Weights], ...] = field(init=False, repr=False, compare=False)
    """Each head's signal and weights, made with the model (a process that forks examiners hands them over made)."""

    def __post_init__(self) -> None:
        heads = [(DANGER, _Weights.of(self.spec.danger))]
        if self.spec.concern is not None:
            heads.append((CONCERN, _Weights.of(self.spec.concern)))
        object.__setattr__(self, "_heads", tuple(heads))

    @property
    def version(self) -> str:
        return self.spec.version

    def assess(self, found_in: list[Reading]) -> list[TextSignal]:
        """TEXT_DANGER when the first head's score reaches its threshold, otherwise TEXT_CONCERN when the second's
        does; each with the sentence that weighed most and the features that did."""
        if not found_in:
            return []
        found, runs = features(found_in), grams(found_in)
        for signal, head in self._heads:
            score = head.score(found, runs)
            if score.probability < head.head.threshold:
                continue
            sentences = [s.original for r in found_in for s in r.sentences]
            shown = ", ".join(f"{_readable(f)} {w:+.2f}" for f, w in score.top)
            where = f"“{sentences[score.sentence].strip()[:160]}” " if score.sentence >= 0 else ""
            return [TextSignal(signal, f"{where}(learned model {self.version}: {score.probability:.2f} ≥ "
                                       f"{head.head.threshold:.2f}; weighing most: {shown})")]
        return []


@cache
def load(path: Path = DEFAULT) -> TextModel:
    try:
        spec = ModelSpec.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise ConfigurationError(f"triage text model {path} cannot be used: {exc}") from exc
    if not all(0 < head.threshold <= 1 for head in (spec.danger, spec.concern) if head is not None):
        raise ConfigurationError(f"triage text model {path}: its thresholds must be in (0, 1]")
    return TextModel(spec)
