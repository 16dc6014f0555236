"""What carrying the flood counts over from earlier runs costs a `process` run: the stored verdicts with a match
read and counted once at its start (`store.state.matched_verdicts`, `Matcher.trust_settled`).

Usage: python -m benchmarks.flood_counts [--reports 200000] [--matched 0.6]
Prints the CPU and wall time of the read for a store of that many reports, that share of them with a match.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from benchmarks.machine import describe
from lanzarote.media.library import Matcher, MatchSettings
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
        rows = []
        for i in range(args.reports):
            verdicts = (FileVerdict(file_id="f1", verdict=Verdict.KNOWN, matches=(HashMatch(
                list_name="vics", entry_id=f"e{i % 5000}", hash_type=HashType.MD5, victim_identified=True),)),
                FileVerdict(file_id="f2", verdict=Verdict.UNKNOWN)) if i < matched else (
                FileVerdict(file_id="f1", verdict=Verdict.UNKNOWN),)
            stored = store_state._VERDICTS.dump_json(verdicts).decode()
            rows.append({"report_key": f"ncmec/{i:08d}", "source": "ncmec", "source_id": f"{i:08d}", "version": 1,
                         "stale": False, "tier_rank": 5, "verdicts": stored})
        with session(engine) as s:
            for start in range(0, len(rows), 20_000):
                s.execute(insert(schema.report_state), rows[start:start + 20_000])
        matcher = Matcher([], MatchSettings(pdq_threshold=31, pdq_min_quality=50, vpdq_match_fraction=0.8))
        cpu, wall = time.process_time(), time.perf_counter()
        with session(engine) as s:
            for key, verdicts in store_state.matched_verdicts(s):
                matcher.trust_settled(key, verdicts)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"{args.reports:,} reports, {matched:,} with a match: counted in {cpu:.2f} s CPU, {wall:.2f} s wall "
              f"({matched / max(cpu, 1e-9):,.0f} matched reports per CPU second)")
    print(describe())


if __name__ == "__main__":
    main()
