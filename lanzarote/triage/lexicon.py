"""The concept lexicon (`data/lexicon.yaml`): loaded, validated and compiled once.

Each language has concepts (the child, the act, its time, secrecy, access, and the frames a text can be in); the
rules say which concepts together make a signal. The engine (`text.py`) is the same for every language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import re2
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lanzarote.errors import ConfigurationError

DEFAULT = Path(__file__).parent / "data" / "lexicon.yaml"


class LanguageSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    stopwords: str
    negation: tuple[str, ...]
    denial: tuple[str, ...]
    clause_break: str
    rewrite: tuple[tuple[str, str], ...] = ()
    terms: dict[str, str] = Field(default_factory=dict)
    concepts: dict[str, tuple[str, ...]]


class RuleSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    need: tuple[tuple[str, ...], ...] = Field(min_length=1)
    """Groups of concepts: one concept of each group must be present (the first group's in the sentence read)."""
    unless: tuple[str, ...] = ()


class LexiconSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str
    window: int = Field(ge=0, le=10)
    separable_particles: tuple[str, ...]
    rewrite: tuple[tuple[str, str], ...] = ()
    """Rewrites applied in every language, after the language's own."""
    languages: dict[str, LanguageSpec]
    unread: dict[str, str]
    rules: dict[str, tuple[RuleSpec, ...]]


class ConceptSet:
    """Which of a language's concepts a clause mentions, found in one pass by RE2's set matching (one linear-time
    automaton for every pattern of the language); each hit is then located with Python's `re` for its evidence.

    The text handed to it is folded to ASCII first (`text.fold`), where RE2 and `re` read `\\b`, `\\w` and `\\s`
    alike; a pattern RE2 cannot compile (a look-behind, say) is always tried.
    """

    def __init__(self, patterns: list[tuple[str, re.Pattern[str]]]) -> None:
        options = re2.Options()
        options.max_mem = 64 << 20
        self._set = re2.Set.SearchSet(options)
        self._patterns = patterns
        self._ids: list[int] = []
        always = []
        for index, (_, pattern) in enumerate(patterns):
            try:
                self._set.Add(pattern.pattern)
            except re2.error:
                always.append(index)
                continue
            self._ids.append(index)
        self._always = tuple(always)
        if self._ids:
            self._set.Compile()

    def candidates(self, clause: str) -> list[int]:
        """The indices of the patterns that match `clause`, in file order."""
        found = [self._ids[i] for i in self._set.Match(clause) or ()] if self._ids else []
        return sorted([*found, *self._always])

    def matching(self, text: str) -> list[tuple[str, re.Pattern[str]]]:
        """(name, pattern) of the patterns that may match `text`, in file order."""
        return [self._patterns[i] for i in self.candidates(text)]

    def mentions(self, clause: str) -> list[tuple[str, re.Match[str]]]:
        """(concept, match) for every pattern that matches `clause`."""
        out = []
        for index in self.candidates(clause):
            concept, pattern = self._patterns[index]
            match = pattern.search(clause)
            if match is not None:
                out.append((concept, match))
        return out


@dataclass(frozen=True)
class Language:
    code: str
    stopwords: frozenset[str]
    negation: frozenset[str]
    denial: re.Pattern[str] | None
    clauses: re.Pattern[str]
    """Where a sentence is cut into clauses: punctuation, and the language's words that start another clause."""
    rewrites: ConceptSet
    """Rewrites (replacement, pattern) applied before concepts are searched, found in one pass."""
    concepts: ConceptSet
    negates_after_verb: bool
    """German and Dutch put the negation after the verb ("ich fasse sie nicht an"): it scopes the whole clause."""


@dataclass(frozen=True)
class Rule:
    signal: str
    need: tuple[tuple[str, ...], ...]
    unless: frozenset[str]


@dataclass(frozen=True)
class Lexicon:
    version: str
    window: int
    particles: frozenset[str]
    languages: dict[str, Language]
    unread: dict[str, frozenset[str]]
    """Languages recognised (by their function words) but not read: their text is said to be not read."""
    rules: tuple[Rule, ...]
    _by_concept: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """For each concept, the rules whose first group names it (so a text is tried only against rules it can meet)."""

    def rules_for(self, concepts: set[str]) -> list[Rule]:
        """The rules whose every group has a concept among `concepts`, in file order."""
        candidates = sorted({i for c in concepts for i in self._by_concept.get(c, ())})
        return [r for r in (self.rules[i] for i in candidates)
                if all(not concepts.isdisjoint(group) for group in r.need)]


_AFTER_VERB = {"de", "nl"}
CLAUSE_MARKS = r"\s/\s|[,;()\[\]\"|]|(?<!\d):|:(?!\d)|\s-\s|\.\.+"
"""Punctuation that ends a clause in the folded (ASCII) text; a colon between digits is a time, not a break."""


@cache
def load(path: Path = DEFAULT) -> Lexicon:
    try:
        spec = LexiconSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, ValidationError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"triage lexicon {path} is malformed: {exc}") from exc
    languages = {code: _language(code, lang, spec.rewrite) for code, lang in spec.languages.items()}
    named = {c for lang in spec.languages.values() for c in lang.concepts}
    rules = []
    for signal, alternatives in spec.rules.items():
        for alt in alternatives:
            unknown = sorted(({c for group in alt.need for c in group} | set(alt.unless)) - named)
            if unknown:
                raise ConfigurationError(f"triage lexicon: rule {signal} names unknown concepts {', '.join(unknown)}")
            rules.append(Rule(signal, alt.need, frozenset(alt.unless)))
    by_concept: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for concept in rule.need[0]:
            by_concept.setdefault(concept, []).append(index)
    return Lexicon(
        version=spec.version, window=spec.window, particles=frozenset(spec.separable_particles),
        languages=languages, unread={code: frozenset(words.split()) for code, words in spec.unread.items()},
        rules=tuple(rules), _by_concept={c: tuple(ix) for c, ix in by_concept.items()},
    )


def _language(code: str, spec: LanguageSpec, everywhere: tuple[tuple[str, str], ...]) -> Language:
    try:
        patterns = [(concept, re.compile(_expand(p, spec.terms))) for concept, alternatives in spec.concepts.items()
                    for p in alternatives]
        rewrites = ConceptSet([(r, re.compile(p)) for p, r in (*spec.rewrite, *everywhere)])
        clauses = re.compile(CLAUSE_MARKS + "|" + spec.clause_break)
        denial = re.compile(r"\b(?:" + "|".join(re.escape(d) for d in spec.denial) + r")\b") if spec.denial else None
    except (re.error, KeyError) as exc:
        raise ConfigurationError(f"triage lexicon: a pattern of language {code!r} is invalid: {exc}") from exc
    return Language(code, frozenset(spec.stopwords.split()), frozenset(spec.negation), denial, clauses,
                    rewrites, ConceptSet(patterns), code in _AFTER_VERB)


def _expand(pattern: str, terms: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: terms[m.group(1)], pattern)
