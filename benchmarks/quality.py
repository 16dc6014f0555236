"""Quality of the queue against synthetic ground truth: P1 recall and precision, country accuracy, link precision
and recall, and links through carrier-grade NAT addresses.

    .venv/bin/python -m benchmarks.quality --reports 100000

Generates a synthetic set (ground truth beside it), ingests and processes it in a fresh SQLite store, and prints the
figures with the issue's targets: P1 recall 100 % with precision ≥ 90 %; country accuracy ≥ 99 % where evidence
exists; link pairwise precision ≥ 99.5 % and recall ≥ 95 %; zero links through a carrier-grade NAT address alone;
the tiers' shares on the realistic mix (P1 + P2 ≤ 15 %, known material alone P3, memes P4). The P1 figures on the
synthetic set measure the lexicon against the generator's own sentences; the figures that count are those of the
texts written by other hands (`benchmarks/triage_eval.py`), printed after them for both halves.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from benchmarks.machine import describe
from benchmarks.triage_eval import HALVES, HELD_OUT, LANGUAGES
from benchmarks.triage_eval import evaluate as evaluate_texts


def evaluate(engine: Engine, truth_path: Path) -> dict[str, Any]:
    """The quality figures of what is in the store, against the ground truth file."""
    from lanzarote.model.jurisdiction import Route
    from lanzarote.store import schema
    from lanzarote.store.db import session

    truth = {f"{t['source']}/{t['source_id']}": t for t in map(json.loads, truth_path.read_text().splitlines())}
    with session(engine) as s:
        rows = s.execute(select(schema.report_state.c.report_key, schema.report_state.c.tier,
                                schema.report_state.c.route, schema.report_state.c.subject_id,
                                schema.report_state.c.triage)).all()
        link_rows = s.execute(select(schema.links)).all()
    tiers = {r.report_key: r.tier for r in rows}
    planted = {k for k, t in truth.items() if t["p1"]}
    predicted = {k for k, tier in tiers.items() if tier == "P1"}
    missed = sorted(planted - predicted)
    country_ok = country_n = 0
    wrong_countries: list[str] = []
    for r in rows:
        route = Route.model_validate_json(r.route) if r.route else None
        t = truth.get(r.report_key)
        if route is None or t is None or route.country is None or not route.evidence:
            continue
        country_n += 1
        if route.country == t["country"]:
            country_ok += 1
        else:
            wrong_countries.append(r.report_key)
    by_subject: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r.subject_id:
            by_subject[r.subject_id].append(r.report_key)
    predicted_pairs = {tuple(sorted(p)) for ks in by_subject.values() for p in combinations(ks, 2)}
    by_person: dict[str, list[str]] = defaultdict(list)
    for k, t in truth.items():
        if t["person"]:
            by_person[t["person"]].append(k)
    true_pairs = {tuple(sorted(p)) for ks in by_person.values() for p in combinations(ks, 2)}
    correct = len(predicted_pairs & true_pairs)
    cgnat_links = 0
    for link in link_rows:
        kinds = {i["kind"] for i in json.loads(link.identifiers)}
        a, b = truth.get(link.report_a, {}), truth.get(link.report_b, {})
        if kinds == {"ip"} and (a.get("cgnat") or b.get("cgnat")):
            cgnat_links += 1
    shares = Counter(tiers.values())
    known_only = [k for k, t in truth.items() if t.get("known_only") and k in tiers]
    # a meme shared by a person whose other reports raise their subject is lifted with it (LINKED_P1): not counted
    memes = [k for k, t in truth.items() if t.get("meme") and not t.get("person") and k in tiers]
    fp_tiers = defaultdict(int)
    for k in predicted - planted:
        fp_tiers[",".join(sorted(truth[k]["signals"]))] += 1
    return {
        "reports": len(rows),
        "p1_planted": len(planted), "p1_predicted": len(predicted),
        "p1_recall": len(planted & predicted) / len(planted) if planted else 1.0,
        "p1_precision": len(planted & predicted) / len(predicted) if predicted else 1.0,
        "p1_missed": missed[:10],
        "p1_false_positive_signals": dict(sorted(fp_tiers.items(), key=lambda kv: -kv[1])[:8]),
        "country_accuracy": country_ok / country_n if country_n else 1.0, "country_evaluated": country_n,
        "country_wrong": wrong_countries[:10],
        "link_precision": correct / len(predicted_pairs) if predicted_pairs else 1.0,
        "link_recall": correct / len(true_pairs) if true_pairs else 1.0,
        "pairs_predicted": len(predicted_pairs), "pairs_true": len(true_pairs),
        "cgnat_only_links": cgnat_links,
        "tier_shares": {tier: shares[tier] / len(rows) for tier in ("P1", "P2", "P3", "P4")} if rows else {},
        "p1_p2_share": (shares["P1"] + shares["P2"]) / len(rows) if rows else 0.0,
        "known_only_p3": sum(tiers[k] == "P3" for k in known_only) / len(known_only) if known_only else 1.0,
        "known_only_reports": len(known_only),
        "memes_p4": sum(tiers[k] == "P4" for k in memes) / len(memes) if memes else 1.0, "memes": len(memes),
    }


def reader_cost(engine: Engine, sample: int = 5_000) -> tuple[float, int]:
    """Microseconds of CPU the free-text reader and the learned model take a report, over a sample of the stored
    reports (one core)."""
    from lanzarote.store import schema
    from lanzarote.store.db import session
    from lanzarote.store.reports import assembled
    from lanzarote.triage.learned import load as load_model
    from lanzarote.triage.lexicon import load
    from lanzarote.triage.signals import texts_of
    from lanzarote.triage.text import readings, signals_of

    with session(engine) as s:
        keys = [k for (k,) in s.execute(select(schema.report_state.c.report_key).limit(sample))]
        reports = list(assembled(s, keys).values())
    lexicon, model = load(), load_model()
    texts = [texts_of(r) for r in reports]
    start = time.process_time()
    for t in texts:
        found = readings(t, lexicon)
        signals_of(found)
        model.assess(found)
    return (time.process_time() - start) / max(1, len(texts)) * 1e6, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--half", choices=HALVES, action="append",
                        help="which halves of the texts written by other hands to print (default: the training and "
                             "development halves; a held-out half only when named, so that running this does not "
                             "show its figures by the way)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lanzarote-quality-"))
    os.environ["LANZAROTE_DATABASE_URL"] = f"sqlite:///{work / 'q.db'}"
    os.environ["LANZAROTE_DATA_DIR"] = str(work / "data")
    from lanzarote.pipeline.ingest import ingest
    from lanzarote.pipeline.process import prepare_demo, process
    from lanzarote.store.db import open_store
    from lanzarote.synth import generate

    data = work / "synth"
    generate(data, args.reports, args.seed)
    engine = open_store()
    start = time.perf_counter()
    ingest(engine, [data / "ncmec", data / "ncmec-layers.jsonl", data / "other"])
    prepare_demo(engine, data)
    process(engine)
    seconds = time.perf_counter() - start
    figures = evaluate(engine, data / "ground-truth.jsonl")
    print(json.dumps(figures, indent=2))
    print(f"P1 recall {figures['p1_recall']:.1%} (target 100 %), P1 precision {figures['p1_precision']:.1%} "
          f"(target ≥ 90 %)")
    print(f"country accuracy {figures['country_accuracy']:.2%} over {figures['country_evaluated']:,} reports with "
          "evidence (target ≥ 99 %)")
    print(f"link precision {figures['link_precision']:.2%} (target ≥ 99.5 %), recall {figures['link_recall']:.2%} "
          f"(target ≥ 95 %), links through CGNAT alone: {figures['cgnat_only_links']} (target 0)")
    shares = ", ".join(f"{t} {v:.1%}" for t, v in figures["tier_shares"].items())
    print(f"realistic mix: {shares}; P1 + P2 {figures['p1_p2_share']:.1%} (target ≤ 15 %); known material and "
          f"nothing else P3 {figures['known_only_p3']:.1%} of {figures['known_only_reports']:,} (target 100 %); "
          f"memes P4 {figures['memes_p4']:.1%} of {figures['memes']:,} (target 100 %)")
    print("texts written by other hands (benchmarks/data/triage_eval; targets on the held-out half: P1 recall ≥ 95 %, "
          "P1 precision ≥ 90 %, P2+ recall ≥ 90 %, negatives → P1 ≤ 2 %):")
    for half in args.half or [h for h in HALVES if h not in HELD_OUT]:
        for lang in LANGUAGES:
            texts = evaluate_texts(half, lang)
            if texts.counts:
                print("  " + texts.line())
    cost, sampled = reader_cost(engine)
    print(f"free-text reader and learned model: {cost:,.0f} µs of CPU a report (mean over {sampled:,} stored reports)")
    print(f"ingest + process of {args.reports:,} reports: {seconds:,.0f} s")
    print(describe())


if __name__ == "__main__":
    main()
