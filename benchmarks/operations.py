"""Latency of an operation's page with 50 states × 200 targets (issue 22's bar: p95 < 150 ms).

    .venv/bin/python -m benchmarks.operations --states 50 --targets 200 --requests 200 [--url postgresql+psycopg://…]

Builds a fresh store (SQLite in a temporary folder unless `--url` names a database): one operation coordinated by
the hub with `--states` participating national units, `--targets` targets in each (each arrested by its own state,
a few shared with a neighbour, one dispute per state resolved), every state's plan and H-hour, its results in three
versions (the last one late), three meetings with decisions and a JIT. Then asks, in-process (FastAPI's test
client, no network), `--requests` times each: the coordinator's operation page, the page narrowed to one state, a
state's own page, the coordination centre and the board's JSON the centre polls. Every ask is an audited read, as in
use. Prints p50/p95/max per page and the machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.latency import page
from benchmarks.machine import describe
from lanzarote.coordination.operations import FIGURES, AgencyRole, CountryDay, DayState, Result
from lanzarote.coordination.operations.day import ZONES
from lanzarote.store import access
from lanzarote.store import operations as store
from lanzarote.store.db import open_store, session
from lanzarote.web.app import create_app

PASSWORD = "benchmark password 1"


def build(engine, states: int, per_state: int) -> list[str]:  # type: ignore[no-untyped-def]
    codes = sorted(ZONES)[:states]
    now = datetime.now(UTC)
    with session(engine) as s:
        for code in codes:
            access.add_agency(s, code, f"{code} national unit (fictional)", "national_unit", code)
        access.add_user(s, "bench-hub", PASSWORD, "analyst", access.HUB, now)
        access.add_user(s, "bench-state", PASSWORD, "analyst", codes[0], now)
        op_id = store.add_operation(s, "Benchmark", "synthetic", access.HUB, "bench-hub", now)
        for code in codes:
            store.set_participant(s, op_id, code, AgencyRole.PARTICIPANT)
        store.set_operation(s, op_id, day_on=date(2026, 11, 10))
        rows = []
        for i, code in enumerate(codes):
            neighbour = codes[(i + 1) % len(codes)]
            rows += [{"operation_id": op_id, "country": code, "label": f"{code}-{n:04d}", "arresting_state": code,
                      "shared_with": neighbour if n % 50 == 0 else "", "subject_id": None, "case_id": None,
                      "added_by": "bench-state", "added_at": now} for n in range(1, per_state + 1)]
        store.add_targets(s, rows)
        firsts = store.targets(s, op_id, None, limit=None)[::per_state]
        for t in firsts:
            did = store.add_dispute(s, op_id, t.id, t.country, codes[(codes.index(t.country) + 1) % len(codes)],
                                    "a claim", "bench", now)
            store.resolve_dispute(s, op_id, did, f"{t.country} arrests", now)
        for code in codes:
            store.set_country_day(s, op_id, CountryDay(code, ZONES[code], datetime.min.time().replace(hour=6),
                                                       officers=3 * per_state, searches=per_state))
            for version, share in ((1, 0.5), (2, 0.9), (3, 1.0)):
                got = int(per_state * share)
                store.add_result(s, op_id, Result.of(code, version, dict(zip(FIGURES, (
                    got, got, 2 * got, got // 10, 3 * per_state), strict=True)), "bench-state", now, version == 3))
        for k in range(3):
            mid = store.add_meeting(s, op_id, now - timedelta(days=30 * (3 - k)), "Chair Example",
                                    f"Coordination meeting {k + 1}", [(c, f"Officer {c} Example") for c in codes],
                                    [(c, "presentation of the national operation") for c in codes[:10]])
            store.add_decision(s, op_id, mid, "interim report", "all", date(2026, 10, 1) + timedelta(days=k))
        store.add_jit(s, op_id, "JIT Example", date(2026, 1, 10), date(2026, 12, 10), None, codes[:2], "bench-hub")
        store.set_operation(s, op_id, day_state=DayState.CLOSED.value)
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=50)
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_store(args.url or f"sqlite:///{Path(tmp) / 'operations.db'}")
        started = time.perf_counter()
        codes = build(engine, args.states, args.targets)
        print(f"operation: {len(codes)} states x {args.targets} targets = {len(codes) * args.targets:,} targets, "
              f"{3 * len(codes)} result versions, built in {time.perf_counter() - started:.1f} s "
              f"({engine.dialect.name})")
        pages = {"bench-hub": ["/operations/1", f"/operations/1?state={codes[len(codes) // 2]}",
                               "/operations/1/centre", "/api/v1/operations/1/board"],
                 "bench-state": ["/operations/1"]}
        worst = 0.0
        for username, paths in pages.items():
            with TestClient(create_app(engine, "bench")) as client:
                client.post("/login", data={"username": username, "password": PASSWORD})
                for path in paths:
                    latency = page(client, path, args.requests)
                    if path.startswith("/operations/1") and "centre" not in path:
                        worst = max(worst, latency.p95)
                    print(latency.line(f"{username:12} {path}", 41))
        print(f"operation page, worst p95: {worst:.1f} ms (bar: < 150 ms)")
        engine.dispose()
    print(describe())


if __name__ == "__main__":
    main()
