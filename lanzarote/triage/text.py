"""Reading free text for signals.

A text is cut into sentences, each sentence into clauses. In every language the text may be in, each clause is
searched for the lexicon's concepts (the child, the act, its time, secrecy, access, and the frames a text can be
in); a mention that is negated in its clause, or follows a denial, does not count, and a sentence quoting the news
or a court is not read. The lexicon's rules then combine concepts within a sentence and the few around it
("my stepdaughter is 10. mum works nights. I go into her room") into signals, unless the whole text is in a frame
that changes who did what (a survivor's own story, a parent reporting someone else, outrage, a film plot).

Every signal keeps the sentence and the parts that made it. Text in a language the lexicon does not read is said
(TEXT_NOT_READ), never silently ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from lanzarote.triage.lexicon import Language, Lexicon, Rule

_SENTENCES = re.compile(r"(?<=[.!?;…])\s+|\n+|(?<=[.!?])(?=[A-ZÄÖÜÀ-Ý])")
_WORD = re.compile(r"[a-z0-9]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
QUOTATION = "quotation"

NAMES = {"en": "English", "fr": "French", "es": "Spanish", "de": "German", "it": "Italian", "nl": "Dutch",
         "pt": "Portuguese", "pl": "Polish", "sv": "Swedish", "da": "Danish", "ro": "Romanian", "cs": "Czech",
         "hu": "Hungarian", "tr": "Turkish", "tl": "Tagalog", "id": "Indonesian"}
_SCRIPTS = ("CYRILLIC", "ARABIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "GREEK", "HEBREW", "DEVANAGARI",
            "BENGALI", "TAMIL", "GEORGIAN", "ARMENIAN", "ETHIOPIC", "KHMER", "LAO", "MYANMAR", "SINHALA")


@dataclass(frozen=True)
class TextSignal:
    signal: str
    evidence: str


_EMOJI = {"😉": "winkemoji", ";)": "winkemoji", ";-)": "winkemoji", "😏": "smirkemoji", "😈": "devilemoji",
          "👿": "devilemoji", "🤫": "shushemoji", "🤐": "shushemoji", "😜": "lewdemoji", "😛": "lewdemoji",
          "😋": "lewdemoji", "🤤": "lewdemoji", "🍆": "lewdemoji", "🍑": "lewdemoji", "💦": "lewdemoji",
          "👅": "lewdemoji", "🙊": "shushemoji", "🤭": "shushemoji", "€": "euro", "£": "pound"}
_EMOJI_RE = re.compile("|".join(re.escape(e) for e in _EMOJI))
"""Emoji, and currency signs, that carry meaning become words; folding would otherwise turn them into spaces."""


def fold(text: str) -> str:
    """Lower case ASCII: accents stripped ('Mädchen' → 'madchen', 'niño' → 'nino'), ß → ss, apostrophes one kind,
    meaningful emoji as words, and anything else outside ASCII (other emoji, other scripts) a space — so every
    pattern reads it as RE2 does."""
    text = text.replace("`", "'").replace("’", "'").replace("ß", "ss").replace("ẞ", "ss")
    if ";" in text or not text.isascii():
        text = _EMOJI_RE.sub(lambda m: f" {_EMOJI[m.group(0)]} ", text)
    if text.isascii():
        return text.lower()
    return _NON_ASCII.sub(" ", _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower())))


_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_OTHER_LETTERS = re.compile(r"[^\W\d_A-Za-z\u00C0-\u024F\u1E00-\u1EFF]")


def script_not_read(text: str) -> str | None:
    """The script most of the text's letters are in, when it is not Latin (the lexicon reads none of them)."""
    if text.isascii():
        return None
    others = _OTHER_LETTERS.findall(text)
    if len(others) * 2 <= len(_LATIN.findall(text)):
        return None
    scripts = Counter(next((sc for sc in _SCRIPTS if unicodedata.name(ch, "").startswith(sc)), "OTHER")
                      for ch in others[:200])
    return scripts.most_common(1)[0][0].title()


def _scores(words: set[str], lexicon: Lexicon) -> dict[str, int]:
    return {code: len(words & lang.stopwords) for code, lang in lexicon.languages.items()}


def languages(folded: str, lexicon: Lexicon) -> tuple[tuple[str, ...], str | None]:
    """The languages the text is in, most likely first (English always among them: providers write their notes in
    it), and the language it is mostly in when the lexicon does not read that one."""
    words = set(_WORD.findall(folded))
    scores = _scores(words, lexicon)
    ranked = tuple(sorted((c for c in scores if scores[c] > 0 or c == "en"), key=lambda c: -scores[c]))
    best_read = max(scores.values(), default=0)
    unread = {code: len(words & stop) for code, stop in lexicon.unread.items()}
    top = max(unread, key=lambda c: unread[c], default=None)
    if top is not None and unread[top] >= 3 and unread[top] > best_read * 1.5:
        return ranked, top
    return ranked, None


def sentence_languages(folded: str, lexicon: Lexicon, text_languages: tuple[str, ...]) -> tuple[str, ...]:
    """The languages to read one sentence in: those its own function words point to (at least half as strongly as
    the strongest), or, for a sentence too short to tell, the text's most likely language and English. A text that
    mixes an English provider note with a French chat is so read line by line, each in its own language."""
    scores = _scores(set(_WORD.findall(folded)), lexicon)
    top = max(scores.values(), default=0)
    chosen = [c for c in text_languages if scores.get(c, 0) * 2 >= top and scores.get(c, 0) > 0]
    if top <= 1:  # too few function words to tell: the text's own language too
        chosen += [text_languages[0], "en"]
    return tuple(dict.fromkeys(chosen)) or ("en",)


@dataclass
class _Sentence:
    original: str
    folded: str = ""
    quoted: bool = False
    parts: dict[str, str] = field(default_factory=dict)
    """concept → the words that showed it (its first mention that is not negated)."""


def _clauses(sentence: str, lang: Language) -> list[str]:
    return [c for c in lang.clauses.split(sentence) if c and c.strip()]


def _with_particles(clause: str, particles: frozenset[str]) -> str:
    """A German or Dutch clause ending in a separable particle, with each of its words also read joined to it
    ("ich fasse sie dann an" also reads "anfasse"), so one pattern finds the verb whole or split."""
    words = _WORD.findall(clause)
    if len(words) < 3 or words[-1] not in particles:
        return clause
    return clause + " | " + " ".join(words[-1] + w for w in words[:-1] if len(w) >= 3)


NEGATION_REACH = 3
"""How many words before a mention a negation cue reaches ("I have never once touched her")."""


def _negated(clause: str, match: re.Match[str], lang: Language, others: list[tuple[int, int]]) -> bool:
    """A negation cue in the mention's clause, within reach before it (or, in German and Dutch, also just after it:
    "ich fasse sie nicht an"). Cues inside another mention do not count: "keiner weiss" is secrecy, not negation."""
    def free(start: int, end: int) -> list[str]:
        return [w.group(0) for w in _WORD.finditer(clause, start, end)
                if not any(a <= w.start() < b for a, b in others)]
    joined = clause.find(" | ")
    if 0 <= joined < match.start():  # a separable verb joined at the end: the whole clause is its scope
        return not lang.negation.isdisjoint(free(0, joined))
    before = free(0, match.start())[-NEGATION_REACH:]
    after = free(match.end(), len(clause))[:3] if lang.negates_after_verb else []
    return not lang.negation.isdisjoint(before + after)


def _read(sentence: _Sentence, folded: str, lang: Language, lexicon: Lexicon) -> None:
    for replacement, pattern in lang.rewrites.matching(folded):
        folded = pattern.sub(replacement, folded)
    denial = lang.denial.search(folded) if lang.denial else None
    offset = 0
    for clause in _clauses(folded, lang):
        at = max(folded.find(clause, offset), offset)
        offset = at + len(clause)
        text = _with_particles(clause, lexicon.particles) if lang.negates_after_verb else clause
        mentions = lang.concepts.mentions(text)
        cued = not lang.negation.isdisjoint(_WORD.findall(text))  # no cue in the clause: nothing in it is negated
        for concept, match in mentions:
            denied = denial is not None and at + match.start() >= denial.end()
            if concept == QUOTATION:
                sentence.quoted = True
                sentence.parts.setdefault(concept, match.group(0).strip())
            elif concept not in sentence.parts and not denied and not (
                    cued and _negated(text, match, lang, [m.span() for _, m in mentions if m is not match])):
                sentence.parts[concept] = match.group(0).strip()


def _evidence(sentence: _Sentence, parts: dict[str, str]) -> str:
    shown = ", ".join(f"{c}: “{p}”" for c, p in parts.items())
    return f"“{sentence.original.strip()[:200]}” ({shown})"


def _apply(rule: Rule, sentences: list[_Sentence], frames: set[str], window: int) -> str | None:
    """The evidence for `rule` in these sentences, or None: a concept of its first group in a sentence read, and a
    further concept of each other group (no concept counting twice) in that sentence or within `window` around it."""
    if not rule.unless.isdisjoint(frames):  # (every group has a concept in the text: `Lexicon.rules_for`)
        return None
    first, *others = rule.need
    for i, sentence in enumerate(sentences):
        anchor = next((c for c in first if c in sentence.parts), None)
        if sentence.quoted or anchor is None:
            continue
        parts = {anchor: sentence.parts[anchor]}
        near = [sentence, *(s for s in sentences[max(0, i - window):i + window + 1] if not s.quoted)]
        for group in others:  # each group met by a concept of its own
            hit = next(((c, s.parts[c]) for s in near for c in group if c in s.parts and c not in parts), None)
            if hit is None:
                break
            parts.setdefault(*hit)
        else:
            return _evidence(sentence, parts)
    return None


@dataclass
class Reading:
    """What the reader made of one text: its sentences with the concepts each shows, the frames of the whole text,
    and the signals its rules found (TEXT_NOT_READ among them when the text is in a language not read)."""
    sentences: list[_Sentence]
    frames: set[str]
    signals: list[TextSignal]


def read(text: str, lexicon: Lexicon) -> Reading:
    """Read one text: the concepts of each sentence, and the signals the lexicon's rules make of them."""
    script = script_not_read(text)
    if script is not None:
        return Reading([], set(), [TextSignal("TEXT_NOT_READ",
                                              f"text in {script} script not read: “{text.strip()[:80]}”")])
    out: list[TextSignal] = []
    originals = [s for s in _SENTENCES.split(text) if s and s.strip()]
    folded = [fold(s) for s in originals]
    langs, unread = languages(" ".join(folded), lexicon)
    if unread is not None:
        out.append(TextSignal("TEXT_NOT_READ", f"text in {NAMES.get(unread, unread)} not read: “{text.strip()[:80]}”"))
    sentences = [_Sentence(o, f) for o, f in zip(originals, folded, strict=True)]
    for sentence in sentences:
        for code in sentence_languages(sentence.folded, lexicon, langs):
            _read(sentence, sentence.folded, lexicon.languages[code], lexicon)
    frames = {c for s in sentences for c in s.parts}
    done: set[str] = set()
    for rule in lexicon.rules_for(frames):
        if rule.signal in done:
            continue
        evidence = _apply(rule, sentences, frames, lexicon.window)
        if evidence is not None:
            done.add(rule.signal)
            out.append(TextSignal(rule.signal, evidence))
    return Reading(sentences, frames, out)


def read_text(text: str, lexicon: Lexicon) -> list[TextSignal]:
    """The signals one text shows, each with its sentence and parts, and TEXT_NOT_READ if it is in a language or
    script the lexicon does not read."""
    return read(text, lexicon).signals


def readings(texts: list[str], lexicon: Lexicon) -> list[Reading]:
    """Every non-empty text read."""
    return [read(t, lexicon) for t in texts if t and t.strip()]


def signals_of(found_in: list[Reading]) -> list[TextSignal]:
    """Each signal the readings found once, with the sentence and the parts that show it."""
    found: dict[str, TextSignal] = {}
    for reading in found_in:
        for ts in reading.signals:
            found.setdefault(ts.signal, ts)
    return list(found.values())


def text_signals(texts: list[str], lexicon: Lexicon) -> list[TextSignal]:
    """Each signal found in the texts once, with the sentence and the parts that show it."""
    return signals_of(readings(texts, lexicon))
