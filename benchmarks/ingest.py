"""Ingest throughput: synthetic CyberTipline XML (reports + fileDetails + layers) into SQLite.

    .venv/bin/python -m benchmarks.ingest --reports 1000000 [--keep DIR]

Generates the set with `lanzarote synth` (not timed), ingests it into a fresh SQLite store on every core and prints
reports/s, documents/s, peak memory of the ingest (its process and workers) and the machine. The issue's target:
≥ 3,000 reports/s over 1 M reports, peak memory under 1 GB.

Beside it, in the same run and on the same files, the floor: every XML document read, parsed and validated against
the XSD (what ingest cannot do without) by as many processes as ingest has readers, timed before and after the
ingest (the page cache then holds the files in both), wall clock and CPU. Issue 24's bar: ingest within 1.5× of it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.machine import describe, peak_rss_mib

FLOOR_CHUNK = 2_000
"""Documents a floor process reads at a time."""


def _floor_chunk(paths: list[str]) -> int:
    from lxml import etree

    from lanzarote.intake.cybertipline import _parser
    from lanzarote.intake.settings import SHIPPED_XSD

    parser = _parser(SHIPPED_XSD)
    for path in paths:
        with open(path, "rb") as fh:
            etree.fromstring(fh.read(), parser)
    return len(paths)


def floor(xml_folder: Path, processes: int) -> tuple[int, float, float]:
    """(documents, wall seconds, CPU seconds): every XML document under the folder read, parsed and validated."""
    from multiprocessing import get_context

    from lanzarote.intake.sources import walk

    paths = [p for p in walk(str(xml_folder)) if p.endswith(".xml")]
    chunks = [paths[i:i + FLOOR_CHUNK] for i in range(0, len(paths), FLOOR_CHUNK)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with get_context("fork").Pool(processes) as pool:
        done = sum(pool.imap_unordered(_floor_chunk, chunks))
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder and keep it")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lanzarote-bench-"))
    data = args.keep or work / "synth"
    try:
        if not (data / "ground-truth.jsonl").exists():
            print(f"generating {args.reports:,} synthetic reports in {data} (not timed)…", flush=True)
            subprocess.run([sys.executable, "-m", "lanzarote", "synth", "--reports", str(args.reports), "--seed",
                            str(args.seed), "--out", str(data)], check=True, stdout=subprocess.DEVNULL)
        env = {**os.environ, "LANZAROTE_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
               "LANZAROTE_DATA_DIR": str(work / "data")}
        inputs = [str(data / "ncmec"), str(data / "ncmec-layers.jsonl"), str(data / "other")]
        inputs = [p for p in inputs if Path(p).exists()]
        subprocess.run([sys.executable, "-m", "lanzarote", "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        readers = os.cpu_count() or 1
        floors = [floor(data / "ncmec", readers)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "lanzarote", "ingest", *inputs, "--json"], env=env, check=True,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        floors.append(floor(data / "ncmec", readers))
        summary = json.loads(done.stdout)
        reports = summary["new"]
        print(f"ingest: {reports:,} reports ({summary['documents']:,} documents: reports, fileDetails, layers) "
              f"in {seconds:,.1f} s")
        print(f"  {reports / seconds:,.0f} reports/s, {summary['documents'] / seconds:,.0f} documents/s")
        print(f"  CPU (ingest process and its readers): {cpu:,.1f} s = {cpu / reports * 1e6:,.0f} us a report "
              f"({os.cpu_count()} cores: at most {os.cpu_count() * reports / cpu:,.0f} reports/s)")
        xml_documents = floors[0][0]
        floor_s = min(f[1] for f in floors)
        floor_cpu = min(f[2] for f in floors)
        print(f"floor: {xml_documents:,} XML documents read, parsed and XSD-validated by {readers} processes in "
              f"{' and '.join(f'{f[1]:,.1f}' for f in floors)} s (before and after the ingest) = "
              f"{xml_documents / floor_s:,.0f} documents/s; CPU {floor_cpu:,.1f} s = "
              f"{floor_cpu / reports * 1e6:,.0f} us a report")
        print(f"  ingest / floor: {seconds / floor_s:.2f}x wall clock, {cpu / floor_cpu:.2f}x CPU (bar: 1.5x)")
        print(f"  quarantined {summary['quarantined']}, files {summary['files']:,}, layers {summary['layers']:,}")
        print(f"  peak RSS (largest of the ingest process and its workers): {peak_rss_mib():,.0f} MiB")
        print(f"  store size: {(work / 'bench.db').stat().st_size / 2**20:,.0f} MiB")
        print(describe())
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
