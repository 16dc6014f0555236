"""The whole pipeline end to end — ingest, match, link, route, rank — and an incremental addition to history.

    .venv/bin/python -m benchmarks.pipeline --reports 100000 --add 10000
    .venv/bin/python -m benchmarks.pipeline --reports 990000 --add 10000 --data /tmp/s1m   # a set made beforehand

Generates `reports + add` synthetic reports (not timed), ingests and processes the first `reports` into a fresh
SQLite store (timed: reports/s end to end), then ingests and processes the last `add` against that history (timed).
Targets (issue 5): ≥ 2,000 reports/s end to end over 1 M; adding 10,000 to a store of 1 M under 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.machine import describe, peak_rss_mib


def _split(data: Path, first: int) -> tuple[list[Path], list[Path]]:
    """The generated reports' documents split into the first `first` reports and the rest (by report id)."""
    from lanzarote.synth.reports import FIRST_ID

    head, tail = data / "head", data / "tail"
    for part in (head, tail):
        part.mkdir(exist_ok=True)
    for folder in sorted((data / "ncmec").iterdir()) if (data / "ncmec").exists() else ():
        for path in folder.iterdir():
            report_id = int(path.name.split("-", 1)[0].split(".", 1)[0])
            target = head if report_id - FIRST_ID < first else tail
            (target / folder.name).mkdir(exist_ok=True)
            path.rename(target / folder.name / path.name)
    # each part comes with its own clearing-house layers, as new reports do (not the whole history's again)
    layers = data / "ncmec-layers.jsonl"
    if layers.exists():
        with layers.open() as lines, (head / "layers.jsonl").open("w") as first_layers, \
                (tail / "layers.jsonl").open("w") as rest_layers:
            for line in lines:
                report_id = int(json.loads(line)["clearing_house_for"]["source_id"])
                (first_layers if report_id - FIRST_ID < first else rest_layers).write(line)
        layers.unlink()
    return [head], [tail]


def _cpu() -> float:
    """CPU seconds of this process and of its finished helpers (readers, examiners) so far."""
    own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--add", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--data", type=Path, help="an existing `lanzarote synth` set of reports + add reports to use "
                        "instead of generating one (its files are moved into head/ and tail/ folders)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lanzarote-pipeline-"))
    os.environ["LANZAROTE_DATABASE_URL"] = f"sqlite:///{work / 'p.db'}"
    os.environ["LANZAROTE_DATA_DIR"] = str(work / "data")
    from lanzarote.pipeline.ingest import ingest
    from lanzarote.pipeline.process import prepare_demo, process
    from lanzarote.store.db import open_store
    from lanzarote.synth import generate

    try:
        data = args.data or work / "synth"
        if args.data is None:
            generate(data, args.reports + args.add, args.seed)
        first, rest = _split(data, args.reports)
        engine = open_store()
        prepare_demo(engine, data)
        start, cpu_start = time.perf_counter(), _cpu()
        ingested = ingest(engine, first)
        ingest_s, ingest_cpu = time.perf_counter() - start, _cpu() - cpu_start
        processed = process(engine)
        total_s, process_cpu = time.perf_counter() - start, _cpu() - cpu_start - ingest_cpu
        n = ingested.counts.new
        print(f"end to end: {n:,} reports in {total_s:,.1f} s = {n / total_s:,.0f} reports/s "
              f"(ingest {n / ingest_s:,.0f}/s, processing {processed.processed / (total_s - ingest_s):,.0f}/s); "
              f"matching {'ran' if processed.matching_ran else 'not installed'}")
        print(f"  CPU (this process and its helpers): ingest {ingest_cpu / n * 1e6:,.0f} us a report, processing "
              f"{process_cpu / processed.processed * 1e6:,.0f} us a report processed "
              f"({os.cpu_count()} cores: processing at most {os.cpu_count() * processed.processed / process_cpu:,.0f}"
              " reports/s)")
        start, cpu_start = time.perf_counter(), _cpu()
        added = ingest(engine, rest)
        again = process(engine)
        add_s, add_cpu = time.perf_counter() - start, _cpu() - cpu_start
        print(f"adding {added.counts.new:,} reports to a store of {n:,}: {add_s:,.1f} s, {add_cpu:,.1f} s CPU "
              f"({again.processed:,} processed incl. older reports whose subject changed, {again.links:,} new links)")
        print(f"peak RSS: {peak_rss_mib():,.0f} MiB")
        print(describe())
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
