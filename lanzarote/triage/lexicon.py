"""The concept lexicon (`data/lexicon.yaml`): loaded, validated and compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import re2
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from lanzarote.errors import ConfigurationError

LANGUAGES = ("en", "fr", "es", "de")
DEFAULT = Path(__file__).parent / "data" / "lexicon.yaml"


class Concept(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    all: tuple[str, ...]


class LexiconSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str
    negation: dict[str, tuple[str, ...]]
    negation_window: int
    quotation: dict[str, tuple[str, ...]]
    terms: dict[str, dict[str, str]]
    signals: dict[str, dict[str, tuple[Concept, ...]]]


class FirstParts:
    """Which concepts' first parts match a sentence, found in one pass by RE2's set matching (one linear-time
    automaton for all of a language's concepts) instead of trying each pattern in turn.

    RE2 reads `\\b`, `\\w` and `\\s` as ASCII, so it may be asked only about ASCII text without the control
    characters Python counts as spaces (`exact_for`); a first part RE2 cannot compile (a look-behind, say) is
    always tried.
    """

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        options = re2.Options()
        options.max_mem = 64 << 20
        self._set = re2.Set.SearchSet(options)
        self._ids: list[int] = []
        always = []
        for index, pattern in enumerate(patterns):
            try:
                self._set.Add(pattern.pattern)
            except re2.error:
                always.append(index)
                continue
            self._ids.append(index)
        self._always = tuple(always)
        if self._ids:
            self._set.Compile()

    def matching(self, sentence: str) -> list[int]:
        """The indices of the concepts whose first part may match `sentence`, in file order."""
        found = [self._ids[i] for i in self._set.Match(sentence) or ()] if self._ids else []
        return sorted([*found, *self._always])


_NOT_FOR_RE2 = re.compile(r"[^\x00-\x7f]|[\x0b\x1c-\x1f]")


def exact_for(text: str) -> bool:
    """Whether RE2 reads `text` as Python's `re` does (see `FirstParts`)."""
    return _NOT_FOR_RE2.search(text) is None


@dataclass(frozen=True)
class Lexicon:
    version: str
    negation: dict[str, frozenset[str]]
    negation_window: int
    quotation: tuple[str, ...]
    concepts: dict[str, tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]]
    """Per language: (signal, patterns that must all match within a sentence), in file order."""
    triggers: dict[str, re.Pattern[str]]
    """Per language: one pattern any concept's first part matches — a sentence without it is skipped at once."""
    first_parts: dict[str, FirstParts]
    """Per language: which concepts' first parts match, for text RE2 reads exactly (`exact_for`)."""


@cache
def load(path: Path = DEFAULT) -> Lexicon:
    try:
        spec = LexiconSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"triage lexicon {path} is malformed: {exc}") from exc
    concepts: dict[str, list[tuple[str, tuple[re.Pattern[str], ...]]]] = {lang: [] for lang in LANGUAGES}
    for signal, by_language in spec.signals.items():
        for lang, alternatives in by_language.items():
            if lang not in LANGUAGES:
                raise ConfigurationError(f"triage lexicon: {signal} has unknown language {lang!r}")
            terms = spec.terms.get(lang, {})
            for concept in alternatives:
                try:
                    patterns = tuple(re.compile(_expand(p, terms)) for p in concept.all)
                except (re.error, KeyError) as exc:
                    raise ConfigurationError(f"triage lexicon: {signal}/{lang} pattern is invalid: {exc}") from exc
                concepts[lang].append((signal, patterns))
    return Lexicon(
        version=spec.version,
        negation={lang: frozenset(words) for lang, words in spec.negation.items()},
        negation_window=spec.negation_window,
        quotation=tuple(cue for cues in spec.quotation.values() for cue in cues),
        concepts={lang: tuple(items) for lang, items in concepts.items()},
        triggers={lang: re.compile("|".join(f"(?:{p[0].pattern})" for _, p in items)) for lang, items in
                  concepts.items()},
        first_parts={lang: FirstParts([p[0] for _, p in items]) for lang, items in concepts.items()},
    )


def _expand(pattern: str, terms: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: terms[m.group(1)], pattern)
