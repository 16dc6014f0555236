"""Latency of the packages page (the dissemination funnel drawn on the server) with a large ledger.

    .venv/bin/python -m benchmarks.funnel --packages 10000 --requests 200 [--url postgresql+psycopg://…]

Writes a synthetic ledger (`lanzarote.synth.packages`: packages to 20 recipients over 13 months, each with its
feedback, late corrections included) into a fresh store (SQLite in a temporary folder unless `--url` names a
database), then asks the page in-process (FastAPI's test client, no network) `--requests` times overall and per
country and month, and the funnel's CSV. Prints p50/p95/max per page and the machine. Target (issue 19): p95 < 150 ms
with 10,000 packages.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.latency import page
from benchmarks.machine import describe
from lanzarote.store import access
from lanzarote.store import packages as store
from lanzarote.store.db import open_store, session
from lanzarote.synth.packages import ledger
from lanzarote.web.app import create_app

PASSWORD = "benchmark password 1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_store(args.url or f"sqlite:///{Path(tmp) / 'funnel.db'}")
        started = time.perf_counter()
        with session(engine) as s:
            written = [(x.package, x.sent_at, x.feedback)
                       for x in ledger(args.packages, args.packages * 207 // 611, args.packages * 75 // 611)]
            store.load_ledger(s, written)
            feedback = sum(len(x[2]) for x in written)
            access.add_user(s, "bench", PASSWORD, "analyst", access.HUB, datetime.now(UTC))
        print(f"ledger: {args.packages:,} packages, {feedback:,} feedback entries, written in "
              f"{time.perf_counter() - started:.1f} s ({engine.dialect.name})")
        with TestClient(create_app(engine, "bench")) as client:
            client.post("/login", data={"username": "bench", "password": PASSWORD})
            for path in ("/packages", "/packages?by=country", "/packages?by=month", "/api/v1/funnel?format=csv"):
                print(page(client, path, args.requests).line(path))
        engine.dispose()
    print(describe())


if __name__ == "__main__":
    main()
