"""Deadlines latency: 10,000 open requests over 2,000 cases, read by the owning agency through the use case
(need-to-know, the buckets counted and paged in SQL, the shown rows read, the audit entry), then as the page
(`/deadlines`) and the JSON feed (`/api/v1/deadlines`) in-process (FastAPI's test client, no network). Prints
p50/p95 and the machine. Target (issue 18): p95 < 100 ms.

    .venv/bin/python -m benchmarks.deadlines [--cases 2000] [--requests 10000] [--runs 50]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.latency import page, timed
from benchmarks.machine import describe
from lanzarote.coordination.instruments import default
from lanzarote.coordination.requests import open_request, urgency
from lanzarote.service import cases as service
from lanzarote.store import access
from lanzarote.store import cases as store
from lanzarote.store.db import open_store, session
from lanzarote.web.app import create_app

INSTRUMENTS = ("preservation_24_7", "eevidence_production", "eevidence_preservation", "eio", "eaw", "mla",
               "us_provider_preservation", "preservation_domestic")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=2000)
    p.add_argument("--requests", type=int, default=10000)
    p.add_argument("--runs", type=int, default=50)
    args = p.parse_args()
    rng = random.Random(18)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        with session(engine) as s:
            access.add_agency(s, "DE", "German national unit (fictional)", "national_unit", "DE")
            access.add_user(s, "de-analyst", "correct horse battery", "analyst", "DE", now)
            ids = [store.add_case(s, f"case {i}", "DE", "de-analyst", now, None, None) for i in range(args.cases)]
            for n in range(args.requests):
                inst = default()[INSTRUMENTS[n % len(INSTRUMENTS)]]
                sent = now - timedelta(days=rng.uniform(0, 120))
                request = open_request(inst, rng.choice(("FR", "ES", "GE", "US", "IT")), sent, "de-analyst",
                                       urgency(inst, None))
                store.add_request(s, ids[n % len(ids)], "records", default().version, request)
            user = access.active_user(s, "de-analyst")
        assert user is not None
        def read() -> None:
            with session(engine) as s:
                service.deadlines(s, user, "bench")
        latency = timed(read, args.runs)
        with session(engine) as s:
            found = service.deadlines(s, user, "bench")
        print(f"deadlines of {args.requests} open requests over {args.cases} cases ({len(found.all())} shown of "
              f"{sum(found.counts.values())}: {found.counts}): use case p50 {latency.p50:.1f} ms, "
              f"p95 {latency.p95:.1f} ms (target < 100 ms)")
        with TestClient(create_app(engine, "bench")) as client:
            client.post("/login", data={"username": "de-analyst", "password": "correct horse battery"})
            for path in ("/deadlines", "/api/v1/deadlines"):
                print(page(client, path, args.runs).line(path, 20))
        print(describe())


if __name__ == "__main__":
    main()
