"""Notice and takedown at volume: synthetic URL reports imported (half native JSON Lines, half a hotline's CSV
export) and routed (hosting resolved offline, a directive and a notice each); then, with 60 % of the notices
marked removed, the statistics and the takedown page and API in-process.

    .venv/bin/python -m benchmarks.takedown --reports 100000 [--url postgresql+psycopg://…]

URLs are on reserved domains (`lanzarote.synth.urls`); hosting addresses are public resolvers' and registries'
(real countries) or documentation ranges. Target (issue 23): 100 k URL reports imported and routed in < 60 s.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import bindparam, select, update

from benchmarks.latency import page
from benchmarks.machine import describe, peak_rss_mib
from lanzarote.service import open_store, session
from lanzarote.service import takedown as service
from lanzarote.service.actors import system_actor
from lanzarote.store import access
from lanzarote.store import takedown as store
from lanzarote.synth.urls import as_csv, as_jsonl, url_reports
from lanzarote.web.app import create_app

PASSWORD = "benchmark password 1"


def _remove_some(engine: object, share: float) -> int:
    """Mark a share of the notices removed, hours to weeks after they were sent (as the hotlines' answers would)."""
    rng = random.Random(23)
    n = store.takedown_notices
    with session(engine) as s:  # type: ignore[arg-type]
        rows = s.execute(select(n.c.notice_id, n.c.sent_at)).all()
        chosen = [r for r in rows if rng.random() < share]
        values = []
        for notice_id, sent_at in chosen:
            at = sent_at + timedelta(hours=rng.lognormvariate(3.0, 1.2))
            values.append({"key": notice_id, "at": at})
        s.connection().execute(update(n).where(n.c.notice_id == bindparam("key")).values(
            state="removed", removed_at=bindparam("at"), closed_at=bindparam("at")), values)
        access.add_user(s, "bench", PASSWORD, "analyst", access.HUB, datetime.now(UTC))
    return len(values)


def _pages(engine: object, requests: int) -> list[str]:
    out = []
    with TestClient(create_app(engine, "bench")) as client:  # type: ignore[arg-type]
        client.post("/login", data={"username": "bench", "password": PASSWORD})
        for path in ("/takedown", "/api/v1/takedown/stats?format=csv", "/api/v1/takedown/notices?limit=200"):
            out.append(page(client, path, requests).line(path, 40))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--requests", type=int, default=5, help="requests of each page afterwards")
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
        removed = _remove_some(engine, 0.6)
        t3 = time.perf_counter()
        with session(engine) as s:
            rows = service.stats(s, user)
        t4 = time.perf_counter()
        pages = _pages(engine, args.requests)
        engine.dispose()
    total = t2 - t0
    print(f"takedown: {args.reports:,} URL reports ({engine.dialect.name}): import {t1 - t0:.1f} s "
          f"({imported.new:,} new, {imported.quarantined:,} quarantined), route {t2 - t1:.1f} s "
          f"({routed.notices:,} notices, {routed.no_notice:,} without, {routed.duplicates:,} duplicates, "
          f"{routed.unknown_country:,} with no country)")
    print(f"import + route: {total:.1f} s wall ({c2 - c0:.1f} s of this process's CPU: the rest is waiting on the "
          f"disk and on other processes) = {args.reports / total:,.0f} URL reports/s "
          f"(target < 60 s for 100 k: {'met' if total < 60 and args.reports >= 100_000 else 'see figure'}); "
          f"statistics over them ({removed:,} removals) {t4 - t3:.2f} s ({len(rows):,} country-month rows); "
          f"peak RSS {peak_rss_mib():,.0f} MiB")
    for line in pages:
        print(line)
    print(describe())


if __name__ == "__main__":
    main()
