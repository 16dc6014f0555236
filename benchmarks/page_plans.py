"""The queue page's and the report page's SQL on a PostgreSQL store, each statement with its EXPLAIN (ANALYZE, BUFFERS).

    .venv/bin/python -m benchmarks.page_plans --store postgresql+psycopg://postgres@127.0.0.1:5432/pgscale5m

Opens the two pages in-process (the web app on the store, as the hub's `bench` analyst, added if missing), records
every statement they send, then runs each SELECT again under EXPLAIN (ANALYZE, BUFFERS) and prints its plan's first
lines (the scans, the partitions read, the time). Writes (the audit entry each page appends) are shown, not run
again. A statement whose plan reads a table from end to end (a sequential scan) is flagged.
"""

from __future__ import annotations

import argparse
import os
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, text

from benchmarks.machine import describe

PASSWORD = "benchmark password 1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True)
    parser.add_argument("--report", help="SOURCE/ID of the report page (default: the queue's first report)")
    parser.add_argument("--lines", type=int, default=14, help="plan lines printed a statement")
    args = parser.parse_args()
    os.environ["LANZAROTE_DATABASE_URL"] = args.store
    os.environ.setdefault("LANZAROTE_LOGIN_REFUSAL_PAUSE_SECONDS", "0")
    from fastapi.testclient import TestClient

    from lanzarote.store import access
    from lanzarote.store.db import open_store, session
    from lanzarote.web.app import create_app

    engine = open_store(args.store)
    with session(engine) as s:
        if access.active_user(s, "bench") is None:
            access.add_user(s, "bench", PASSWORD, "analyst", access.HUB, datetime.now(UTC))
    seen: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append((statement, parameters))

    with TestClient(create_app(engine, "plans-secret")) as client:
        response = client.post("/login", data={"username": "bench", "password": PASSWORD}, follow_redirects=False)
        assert response.status_code == 303, response.text
        pages = {}
        for name in ("queue", "report"):
            if name == "queue":
                path = "/"
            else:
                first = re.search(r'<tr data-href="([^"]+)"', pages["queue"][1])
                path = f"/reports/{args.report}" if args.report else (first.group(1) if first else "/")
            client.get(path)  # once to warm the caches, as an analyst's second click finds them
            del seen[:]
            page = client.get(path)
            assert page.status_code == 200, (path, page.status_code)
            pages[name] = (list(seen), page.text)
    with engine.connect() as conn:
        for name, (statements, _) in pages.items():
            print(f"== {name} page: {len(statements)} statements")
            for statement, parameters in statements:
                one_line = " ".join(statement.split())
                if not one_line.upper().startswith(("SELECT", "WITH")):
                    print(f"-- (not run again) {one_line[:300]}")
                    continue
                plan = [r[0] for r in conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()]
                scans = [line for line in plan if "Seq Scan" in line]
                print(f"-- {one_line[:300]}{' ...' if len(one_line) > 300 else ''}")
                for line in plan[:args.lines]:
                    print(f"   {line}")
                if len(plan) > args.lines:
                    print(f"   ... {len(plan) - args.lines} more lines; " + " ".join(
                        line.strip() for line in plan if "Execution Time" in line or "Planning Time" in line))
                if scans:
                    print(f"   !! reads a table from end to end: {scans[0].strip()}")
        conn.execute(text("SELECT 1"))
    print(describe())


if __name__ == "__main__":
    main()
