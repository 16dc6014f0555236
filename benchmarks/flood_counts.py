"""What carrying the flood counts over from earlier runs costs a `process` run: the trusted matches kept beside the
verdicts (`match_counts`) read once at its start (`store.state.counted_matches`, `Matcher.trust_counted`).

Usage: python -m benchmarks.flood_counts [--reports 200000] [--matched 0.6]
Prints the CPU and wall time of the read for a store of that many reports, that share of them with a match (spread
over 5,000 list entries, so most entries are past their 50 trusted files).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from benchmarks.machine import describe
from lanzarote.media.library import FLOOD_MATCHES, Matcher, MatchSettings
from lanzarote.model.media import FileVerdict, HashMatch, HashType, Verdict
from lanzarote.store import schema
from lanzarote.store import state as store_state
from lanzarote.store.db import open_store, session


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--matched", type=float, default=0.6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        engine = open_store(f"sqlite:///{Path(tmp) / 'flood.db'}")
        matched = int(args.reports * args.matched)
        rows, counted = [], []
        for i in range(args.reports):
            entry, trusted = f"e{i % 5000}", i // 5000 < FLOOD_MATCHES
            verdicts = (FileVerdict(file_id="f1", verdict=Verdict.KNOWN, matches=(HashMatch(
                list_name="vics", entry_id=entry, hash_type=HashType.MD5, victim_identified=True,
                flood_flagged=not trusted),)), FileVerdict(file_id="f2", verdict=Verdict.UNKNOWN)) if i < matched else (
                FileVerdict(file_id="f1", verdict=Verdict.UNKNOWN),)
            stored = store_state._VERDICTS.dump_json(verdicts).decode()
            rows.append({"report_key": f"ncmec/{i:08d}", "source": "ncmec", "source_id": f"{i:08d}", "version": 1,
                         "stale": False, "tier_rank": 5, "verdicts": stored})
            counted.extend(store_state.counted_in([store_state.ReportState(rows[-1]["report_key"], verdicts, None,
                                                                           None, None, ())]))
        with session(engine) as s:
            for start in range(0, len(rows), 20_000):
                s.execute(insert(schema.report_state), rows[start:start + 20_000])
            s.execute(insert(schema.match_counts), [c._asdict() for c in counted])
        matcher = Matcher([], MatchSettings(pdq_threshold=31, pdq_min_quality=50, vpdq_match_fraction=0.8))
        cpu, wall = time.process_time(), time.perf_counter()
        with session(engine) as s:
            matcher.trust_counted(store_state.counted_matches(s))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"{args.reports:,} reports, {matched:,} with a match, {len(counted):,} trusted matches kept: read in "
              f"{cpu:.3f} s CPU, {wall:.3f} s wall")
    print(describe())


if __name__ == "__main__":
    main()
