"""Notice and takedown at volume: synthetic URL reports imported (half native JSON Lines, half a hotline's CSV
export) and routed (hosting resolved offline, a directive and a notice each), then the statistics.

    .venv/bin/python -m benchmarks.takedown --reports 100000 [--url postgresql+psycopg://…]

URLs are on reserved domains (`lanzarote.synth.urls`); hosting addresses are public resolvers' and registries'
(real countries) or documentation ranges. Target (issue 23): 100 k URL reports imported and routed in < 60 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.machine import describe, peak_rss_mib
from lanzarote.service import open_store, session
from lanzarote.service import takedown as service
from lanzarote.service.actors import system_actor
from lanzarote.synth.urls import as_csv, as_jsonl, url_reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    records = list(url_reports(args.reports, seed=23))
    half = len(records) // 2
    user = system_actor("benchmark")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "hotline.jsonl").write_text(as_jsonl(records[:half]))
        (folder / "export.csv").write_text(as_csv(records[half:]))
        engine = open_store(args.url or f"sqlite:///{folder / 'takedown.db'}")
        c0, t0 = time.process_time(), time.perf_counter()
        imported = service.import_paths(engine, user, [folder / "hotline.jsonl", folder / "export.csv"])
        t1 = time.perf_counter()
        routed = service.route(engine, user)
        c2, t2 = time.process_time(), time.perf_counter()
        with session(engine) as s:
            rows = service.stats(s, user)
        t3 = time.perf_counter()
        engine.dispose()
    total = t2 - t0
    print(f"takedown: {args.reports:,} URL reports ({engine.dialect.name}): import {t1 - t0:.1f} s "
          f"({imported.new:,} new, {imported.quarantined:,} quarantined), route {t2 - t1:.1f} s "
          f"({routed.notices:,} notices, {routed.no_notice:,} without, {routed.duplicates:,} duplicates, "
          f"{routed.unknown_country:,} with no country)")
    print(f"import + route: {total:.1f} s wall ({c2 - c0:.1f} s of this process's CPU: the rest is waiting on the "
          f"disk and on other processes) = {args.reports / total:,.0f} URL reports/s "
          f"(target < 60 s for 100 k: {'met' if total < 60 and args.reports >= 100_000 else 'see figure'}); "
          f"statistics over them {t3 - t2:.2f} s ({len(rows):,} country-month rows); "
          f"peak RSS {peak_rss_mib():,.0f} MiB")
    print(describe())


if __name__ == "__main__":
    main()
