"""Ingest throughput: synthetic CyberTipline XML (reports + fileDetails + layers) into SQLite.

    .venv/bin/python -m benchmarks.ingest --reports 1000000 [--keep DIR]

Generates the set with `lanzarote synth` (not timed), ingests it into a fresh SQLite store on every core and prints
reports/s, documents/s, peak memory of the ingest (its process and workers) and the machine. The issue's target:
≥ 3,000 reports/s over 1 M reports, peak memory under 1 GB.
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
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "lanzarote", "ingest", *inputs, "--json"], env=env, check=True,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        summary = json.loads(done.stdout)
        reports = summary["new"]
        print(f"ingest: {reports:,} reports ({summary['documents']:,} documents: reports, fileDetails, layers) "
              f"in {seconds:,.1f} s")
        print(f"  {reports / seconds:,.0f} reports/s, {summary['documents'] / seconds:,.0f} documents/s")
        print(f"  CPU (ingest process and its readers): {cpu:,.1f} s = {cpu / reports * 1e6:,.0f} us a report "
              f"({os.cpu_count()} cores: at most {os.cpu_count() * reports / cpu:,.0f} reports/s)")
        print(f"  quarantined {summary['quarantined']}, files {summary['files']:,}, layers {summary['layers']:,}")
        print(f"  peak RSS (largest of the ingest process and its workers): {peak_rss_mib():,.0f} MiB")
        print(f"  store size: {(work / 'bench.db').stat().st_size / 2**20:,.0f} MiB")
        print(describe())
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
