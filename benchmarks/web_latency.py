"""Latency of the queue and report pages with many reports in PostgreSQL, under concurrent users.

    .venv/bin/python -m benchmarks.web_latency --reports 1000000 --users 20 --seconds 60 --think 1.0

Needs a PostgreSQL URL in LANZAROTE_TEST_POSTGRES_URL (a schema of its own is created and dropped). Reports and their
ranked state are bulk-loaded with COPY (synthetic, ranked at random: this measures the pages, not the pipeline);
the app runs in a separate process (`lanzarote serve`, its default worker count, loopback); `--users` simulated
analysts (asyncio, one more process) each open a queue page (all tiers or one, sometimes the next page by its cursor
link), then a report from it or from anywhere, waiting `--think` seconds (uniform 0.5×–1.5×) between clicks; with
`--think 0` they hammer the server as fast as it answers. Prints p50/p95/p99 per page. Target (issue 3): p95 < 150 ms
for both with 1 M reports and 20 users.

    .venv/bin/python -m benchmarks.web_latency --store postgresql+psycopg://postgres@127.0.0.1:5432/pgscale5m \
        --users 20 --seconds 60 --think 1

measures an existing store as it is instead (nothing loaded, nothing dropped; a `bench` analyst of the hub is added
if missing): the 5 M store `benchmarks/pgscale.py` multiplies (issue 24: p95 < 50 ms for both, 20 users).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import create_engine, text

from benchmarks.machine import describe

PASSWORD = "benchmark password 1"


def load(url: str, n: int) -> None:
    """COPY n reports and their ranked state into the store at `url`."""
    import psycopg

    from lanzarote.model.priority import Reason, Tier, Triage
    from lanzarote.model.report import Party, PartyRole, Report

    rng = random.Random(1)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    reasons = [Reason(signal=s, text=f"signal {s}", weight=w) for s, w in (("T1", 30), ("T4", 40), ("T3", 100))]
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        with cur.copy("COPY reports (report_key, source, source_id, version, latest, content_sha256, origin, "
                      "received_at, ingested_at, document) FROM STDIN") as copy:
            for i in range(n):
                sid = str(90_000_000 + i)
                report = Report(source="ncmec", source_id=sid, received_at=start + timedelta(seconds=i * 30),
                                additional_info="Synthetic benchmark report.",
                                parties=(Party(role=PartyRole.REPORTED, first_name="Max", last_name="Example"),))
                copy.write_row((f"ncmec/{sid}", "ncmec", sid, 1, True, "0" * 64, "provider", report.received_at,
                                start, report.model_dump_json()))
        countries = ["DE", "ES", "FR", "NL", "IT", "PL", "DK", "BE"]
        with cur.copy("COPY report_state (report_key, source, source_id, received_at, version, stale, tier, "
                      "tier_rank, score, country, authority, triage, linked_reports) FROM STDIN") as copy:
            for i in range(n):
                sid = str(90_000_000 + i)
                rank = rng.choices([1, 2, 3, 4], weights=[3, 40, 50, 7])[0]
                score = round(rng.uniform(0, 300), 1)
                triage = Triage(tier=Tier(f"P{rank}"), score=score, reasons=tuple(rng.sample(reasons, 2)),
                                rules_version="bench")
                copy.write_row((f"ncmec/{sid}", "ncmec", sid, start + timedelta(seconds=i * 30), 1, False,
                                f"P{rank}", rank, score, rng.choice(countries), "National unit",
                                triage.model_dump_json(), "[]"))
        conn.commit()
        cur.execute("ANALYZE")


def loaded_keys(n: int) -> list[str]:
    """The keys of the `n` reports `load` stores (the analysts' "a report from anywhere" in a loaded store)."""
    return [f"ncmec/{90_000_000 + i}" for i in range(n)]


NEXT = re.compile(r'href="([^"]+)" rel="next"')
ROW = re.compile(r'<tr data-href="([^"]+)"')


async def analysts(base_url: str, cookies: dict[str, str], users: int, seconds: float, think: float,
                   reports: list[str]) -> dict[str, list[float]]:
    """`users` analysts clicking through queue and report pages for `seconds`; the time of each page, by kind."""
    timings: dict[str, list[float]] = {"queue": [], "report": []}
    stop = time.monotonic() + seconds

    async def get(client: httpx.AsyncClient, kind: str, path: str) -> str:
        t = time.perf_counter()
        response = await client.get(path)
        timings[kind].append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        return response.text

    async def analyst(seed: int) -> None:
        rng = random.Random(seed)
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=base_url, cookies=cookies, timeout=30, limits=limits) as client:
            await asyncio.sleep(rng.uniform(0, think))
            path = "/"
            while time.monotonic() < stop:
                page = await get(client, "queue", path)
                rows = ROW.findall(page)
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                report = rng.choice(rows) if rows and rng.random() < 0.7 else f"/reports/{rng.choice(reports)}"
                await get(client, "report", report)
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                further = NEXT.search(page)
                if further and rng.random() < 0.5:
                    path = further.group(1).replace("&amp;", "&")
                else:
                    path = rng.choice(["/", "/?tier=P1", "/?tier=P2", "/?tier=P3"])

    await asyncio.gather(*(analyst(i) for i in range(users)))
    return timings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def sampled_keys(url: str, n: int = 20_000) -> list[str]:
    """Keys of about `n` reports anywhere in the store (the analysts' "a report from anywhere")."""
    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'report_state' "
                                  "AND relnamespace = current_schema()::regnamespace")).scalar_one()
        share = min(100.0, max(0.01, 100.0 * n / max(float(total), 1.0)))
        keys = [k for (k,) in conn.execute(text(
            f"SELECT report_key FROM report_state TABLESAMPLE SYSTEM ({share:.4f}) LIMIT {n}"))]
    engine.dispose()
    return keys or ["ncmec/90000000"]


@contextmanager
def served(reports: int, store: str | None = None) -> Iterator[tuple[str, dict[str, str], int]]:
    """A store of `reports` in a schema of its own on LANZAROTE_TEST_POSTGRES_URL (or the existing store at `store`,
    as it is), served by `lanzarote serve` on loopback: its address, an analyst's session cookies and the server's
    process id; a schema of its own is dropped afterwards."""
    base = os.environ.get("LANZAROTE_TEST_POSTGRES_URL")
    if not base and not store:
        sys.exit("set LANZAROTE_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(store or str(base))
    if not store:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {name}"))
    url = store or f"{base}{'&' if '?' in str(base) else '?'}options=-csearch_path%3D{name}"
    server = None
    try:
        from lanzarote.store import access
        from lanzarote.store.db import open_store, session

        engine = open_store(url)
        if not store:
            t0 = time.perf_counter()
            load(url, reports)
            print(f"loaded {reports:,} reports in {time.perf_counter() - t0:,.0f} s")
        with session(engine) as s:
            if access.active_user(s, "bench") is None:
                access.add_user(s, "bench", PASSWORD, "analyst", access.HUB, datetime.now(UTC))
        port = free_port()
        env = {**os.environ, "LANZAROTE_DATABASE_URL": url}
        server = subprocess.Popen([sys.executable, "-m", "lanzarote", "serve", "--host", "127.0.0.1", "--port",
                                   str(port)], env=env)
        base_url = f"http://127.0.0.1:{port}"
        ready_by = time.monotonic() + 120  # a loaded shared host takes half a minute to start the workers
        while True:
            try:
                httpx.get(base_url + "/login", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > ready_by or server.poll() is not None:
                    raise
                time.sleep(0.2)
        login = httpx.post(base_url + "/login", data={"username": "bench", "password": PASSWORD})
        cookies = dict(login.history[0].cookies) if login.history else dict(login.cookies)
        yield base_url, cookies, server.pid
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a worker still starting on a loaded host
                server.kill()
                server.wait()
        if not store:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {name} CASCADE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="Seconds an analyst looks at a page (mean)")
    parser.add_argument("--store", help="an existing PostgreSQL store to measure as it is (e.g. the one "
                        "benchmarks/pgscale.py multiplied), instead of loading --reports into a schema of its own")
    args = parser.parse_args()
    with served(args.reports, args.store) as (base_url, cookies, _):
        keys = sampled_keys(args.store) if args.store else loaded_keys(args.reports)
        if args.store:
            with create_engine(args.store).connect() as conn:
                args.reports = conn.execute(text("SELECT count(*) FROM report_state")).scalar_one()
        timings = asyncio.run(analysts(base_url, cookies, args.users, args.seconds, args.think, keys))
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        for kind, values in timings.items():
            q = statistics.quantiles(values, n=100)
            print(f"{kind} page: {len(values):,} requests, p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, "
                  f"p99 {q[98]:.0f} ms ({args.users} users thinking {args.think:g} s, {args.reports:,} reports in "
                  "PostgreSQL)")
        print(json.dumps({k: len(v) for k, v in timings.items()}))
        print(describe())


if __name__ == "__main__":
    main()
