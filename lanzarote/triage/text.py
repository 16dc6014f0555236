"""Reading free text for signals: sentence by sentence, in the text's language (and English, which providers mix
in), with negated mentions ("he is not her coach") and quotations of others (a news article) left out."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from lanzarote.triage.lexicon import Lexicon, exact_for

_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
_TOKEN = re.compile(r"[\w']+")
_STOPWORDS = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and is he his she her with to of was has that this in on for",
        "fr": "le la les et est il elle ils de des du une un avec pour dans que qui sa son ses ne pas au aux",
        "es": "el la los las y es de con una un que por para su sus del se",
        "de": "der die das und ist er sie mit ein eine nicht zu den dem sein seine ihr",
    }.items()
}


@dataclass(frozen=True)
class TextSignal:
    signal: str
    evidence: str


_ELISIONS = {"fr": ("l'", "d'", "n'", "s'", "j'", "m'", "t'", "c'", "qu")}


def fold(text: str) -> str:
    """Lower case without accents, so one pattern reads 'Mädchen' and 'madchen', 'niño' and 'nino'."""
    text = text.replace("`", "'")
    if text.isascii():  # nothing to decompose (most providers' notes)
        return text.lower()
    text = text.replace("ß", "ss").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def languages(folded: str) -> tuple[str, ...]:
    """The languages the text may be in, by their function words, and English (providers write notes in it).

    Short texts are ambiguous ('de', 'la', 'se' are French and Spanish), so every language with any evidence is
    read, most likely first.
    """
    words = Counter(_TOKEN.findall(folded))
    scores = {lang: sum(n for w, n in words.items() if w in stop or w[:2] in _ELISIONS.get(lang, ()))
              for lang, stop in _STOPWORDS.items()}
    ranked = sorted((lang for lang in scores if scores[lang] > 0 or lang == "en"), key=lambda lang: -scores[lang])
    return tuple(ranked)


def _negated(sentence: str, start: int, lexicon: Lexicon, langs: tuple[str, ...]) -> bool:
    before = _TOKEN.findall(sentence[max(0, start - 80):start])[-lexicon.negation_window:]
    cues = frozenset().union(*(lexicon.negation.get(lang, frozenset()) for lang in langs))
    return any(t in cues or t.endswith("n't") for t in before)


def _quoted(sentence: str, lexicon: Lexicon) -> bool:
    return any(cue in sentence for cue in lexicon.quotation)


def text_signals(texts: list[str], lexicon: Lexicon) -> list[TextSignal]:
    """Each signal found in the texts once, with the sentence that shows it."""
    found: dict[str, TextSignal] = {}
    for text in texts:
        if not text:
            continue
        folded = fold(text)
        langs = languages(folded)
        in_re2 = exact_for(folded)
        originals = _SENTENCES.split(text)
        for i, sentence in enumerate(_SENTENCES.split(folded)):
            if not sentence.strip() or _quoted(sentence, lexicon):
                continue
            for lang in langs:
                concepts = lexicon.concepts[lang]
                if in_re2:
                    candidates: Iterable[int] = lexicon.first_parts[lang].matching(sentence)
                elif lexicon.triggers[lang].search(sentence):
                    candidates = range(len(concepts))
                else:
                    continue
                for index in candidates:
                    signal, patterns = concepts[index]
                    if signal in found:
                        continue
                    first = patterns[0].search(sentence)
                    if first is None or not all(p.search(sentence) for p in patterns[1:]):
                        continue
                    if not _negated(sentence, first.start(), lexicon, langs):
                        original = originals[i] if i < len(originals) else sentence
                        found[signal] = TextSignal(signal, original.strip()[:200])
    return list(found.values())
