"""The triage on texts written by other hands: `benchmarks/data/triage_eval/`, written by writers who saw only
DOMAIN.md's signal table and a description of the tiers, never the lexicon or the generator's sentences.

Each language has a development half (`xx-dev.jsonl`, read while working on the reader) and a held-out half
(`xx-heldout.jsonl`, that nobody tunes on; its misses are never listed). Once the held-out figures had been looked at
to choose between two rules, new writers added fresh held-out texts (`xx-fresh.jsonl`) that nobody has read, and
other new writers more development texts (`xx-dev2.jsonl`). Later writers wrote training halves for the learned
model (`xx-train`, `xx-train2`, `xx-background` provider notes, `xx-summaries` in the third person) and a last
held-out half, `xx-fresh2`, that nobody has read; once its aggregates had been seen, another writer added a further
held-out half, `xx-fresh3` (10 P1, 10 P2, 20 hard negatives a language), and two more a third training half
(`xx-train3`, weighted to hard negatives); after fresh3's figures had been used to judge the third training half, two
new writers added `xx-fresh4` (15 P1, 15 P2, 30 hard negatives a language; the writers' P3 and P4 both stored as
NEG) and two more a fourth training half (`xx-train4`), then two more a fifth of contrasting pairs (`xx-train5`: the
same access written once with intent and once benign) and a sixth (`xx-train6`: a child in danger against news,
outrage, survivors, reports of blocked attempts, professionals, denials, teenagers' own lives and plots). Once
fresh4's aggregates had been seen, two new writers added `xx-fresh5` (15 P1, 15 P2, 30 hard negatives a language),
measured with the model as it was before it was written, and eight more wrote `xx-train7` (implied danger against
benign texts in its words), `xx-train8` (triples: one situation written as P1, as P2 and as a hard negative) and
`xx-train9` (one writer a language; moderators' notes, chats and posts in equal parts) and `xx-train10`. Once
fresh5's aggregates had been seen, five new writers added `xx-fresh6` (15 P1, 15 P2, 30 hard negatives a language),
measured with the model as it was when it arrived. The model
is trained on the development and training halves (`lanzarote.triage.training`), never on a held-out one, so its
figures on those are in-sample.
Each item is a text (and sometimes the reported account's profile) with the tier a careful analyst would give it:
P1, P2, or NEG (a hard negative that must not be P1).

    .venv/bin/python -m benchmarks.triage_eval              # every half, every language
    .venv/bin/python -m benchmarks.triage_eval --half dev --misses

Each text becomes a report with nothing else (no files, no links, no annotations), so the tier is the text's alone.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "triage_eval"
LANGUAGES = ("en", "fr", "es", "de", "it", "nl")
HELD_OUT = ("heldout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6")
"""The halves nobody trains or tunes on: their figures are the measure."""
HALVES = ("train", "train2", "train3", "train4", "train5", "train6", "train7", "train8", "train9", "train10",
          "train11", "background", "summaries", "dev", "dev2", *HELD_OUT)
TARGETS = {"p1_recall": 0.95, "p1_precision": 0.90, "p2_or_higher_recall": 0.90, "negatives_p1": 0.02}


def items(half: str, lang: str) -> list[dict[str, Any]]:
    path = DATA / f"{lang}-{half}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Figures:
    lang: str
    half: str
    counts: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, str, str, list[str]]] = field(default_factory=list)

    def share(self, key: str, of: str) -> float:
        return self.counts[key] / self.counts[of] if self.counts[of] else float("nan")

    @property
    def p1_recall(self) -> float:
        return self.share("P1→P1", "P1")

    @property
    def p1_precision(self) -> float:
        predicted = self.counts["P1→P1"] + self.counts["P2→P1"] + self.counts["NEG→P1"]
        return self.counts["P1→P1"] / predicted if predicted else float("nan")

    @property
    def p2_or_higher_recall(self) -> float:
        hits = sum(self.counts[f"{e}→{t}"] for e in ("P1", "P2") for t in ("P1", "P2"))
        return hits / (self.counts["P1"] + self.counts["P2"]) if self.counts["P1"] + self.counts["P2"] else float("nan")

    @property
    def negatives_p1(self) -> float:
        return self.share("NEG→P1", "NEG")

    def meets(self) -> bool:
        return (self.p1_recall >= TARGETS["p1_recall"] and self.p1_precision >= TARGETS["p1_precision"]
                and self.p2_or_higher_recall >= TARGETS["p2_or_higher_recall"]
                and self.negatives_p1 <= TARGETS["negatives_p1"])

    def line(self) -> str:
        n = self.counts["P1"] + self.counts["P2"] + self.counts["NEG"]
        return (f"{self.lang} {self.half:<7} n={n:<4} P1 recall {self.p1_recall:6.1%}  P1 precision "
                f"{self.p1_precision:6.1%}  P2+ recall {self.p2_or_higher_recall:6.1%}  negatives→P1 "
                f"{self.negatives_p1:5.1%}  negatives→P2 {self.share('NEG→P2', 'NEG'):5.1%}")


def evaluate(half: str, lang: str) -> Figures:
    """Triage every item of one half of one language and count expected → found tiers."""
    from lanzarote.model.report import Party, PartyRole, Report
    from lanzarote.triage.context import TriageContext
    from lanzarote.triage.lexicon import load
    from lanzarote.triage.rank import triage
    from lanzarote.triage.rules import Rules

    rules, lexicon = Rules.load(), load()
    figures = Figures(lang, half)
    for item in items(half, lang):
        profile = item.get("profile")
        parties = (Party(role=PartyRole.REPORTED, profile_bio=profile),) if profile else ()
        report = Report(source="eval", source_id=item["id"], additional_info=item["text"], parties=parties)
        result = triage(report, TriageContext(), rules, lexicon)
        expected, found = item["expected_tier"], result.tier.value
        figures.counts[expected] += 1
        figures.counts[f"{expected}→{found}"] += 1
        wrong = (expected == "P1" and found != "P1") or (expected == "P2" and found not in ("P1", "P2")) or (
            expected == "NEG" and found == "P1") or (expected == "P2" and found == "P1")
        if wrong:
            figures.misses.append((item["id"], expected, found, [r.signal for r in result.reasons]))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=(*HALVES, "all"), default="all")
    parser.add_argument("--lang", choices=LANGUAGES, action="append")
    parser.add_argument("--misses", action="store_true", help="list the ids that missed (dev half only)")
    args = parser.parse_args()
    halves = HALVES if args.half == "all" else (args.half,)
    for half in halves:
        for lang in args.lang or LANGUAGES:
            figures = evaluate(half, lang)
            if not figures.counts:
                continue
            print(figures.line())
            if args.misses and half.startswith("dev"):
                for miss in figures.misses:
                    print("   ", *miss)


if __name__ == "__main__":
    main()
