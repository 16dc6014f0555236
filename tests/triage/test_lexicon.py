"""The lexicon's one-pass matching of concepts' first parts (RE2) agrees with Python's `re`, pattern by pattern."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lanzarote.triage.lexicon import LANGUAGES, FirstParts, exact_for, load

LEXICON = load()
WORDS = sorted({w for lang in LANGUAGES for _, patterns in LEXICON.concepts[lang] for p in patterns
                for w in re.findall(r"[a-z]{2,}", p.pattern)})
"""Words taken from the lexicon's own patterns, so that generated sentences hit concepts often."""

words = st.one_of(st.sampled_from(WORDS), st.from_regex(r"[a-z0-9'_-]{1,8}", fullmatch=True))
separators = st.sampled_from([" ", " ", ", ", "-", " 12 "])
sentences = st.lists(st.tuples(words, separators), min_size=1, max_size=14).map(
    lambda pairs: "".join(word + separator for word, separator in pairs))


def _python_says(lang: str, sentence: str) -> list[int]:
    return [i for i, (_, patterns) in enumerate(LEXICON.concepts[lang]) if patterns[0].search(sentence)]


@settings(max_examples=400, deadline=None)
@given(sentences, st.sampled_from(LANGUAGES))
def test_first_parts_found_in_one_pass_are_those_python_finds(sentence: str, lang: str) -> None:
    assert exact_for(sentence)
    assert LEXICON.first_parts[lang].matching(sentence) == _python_says(lang, sentence)


def test_every_language_finds_its_concepts_in_plain_sentences() -> None:
    for lang, sentence in (("en", "he is her swimming coach"), ("fr", "il est son entraineur"),
                           ("es", "es su entrenador"), ("de", "er ist ihr trainer")):
        found = LEXICON.first_parts[lang].matching(sentence)
        assert found and found == _python_says(lang, sentence)


def test_a_first_part_re2_cannot_read_is_always_tried() -> None:
    parts = FirstParts([re.compile(r"kid"), re.compile(r"(?<!not )coach"), re.compile(r"\bteam\b")])
    assert parts.matching("the kid and the team") == [0, 1, 2]
    assert parts.matching("nothing here") == [1]


def test_only_text_re2_reads_as_python_does_is_handed_to_it() -> None:
    assert exact_for("he is her coach, 12 years old")
    assert not exact_for("er ist ihr trainer für mädchen")  # \w and \b differ beyond ASCII
    assert not exact_for("coach\x0bkid")  # Python's \s includes \v and \x1c-\x1f, RE2's does not
