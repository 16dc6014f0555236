"""A real `lanzarote ingest` process killed mid-way, then run again, stores every report exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from lanzarote.store import schema
from tests.samples import report_xml

REPORTS = 3000


def stored(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            r = schema.reports
            rows = conn.execute(select(func.count()).select_from(r)).scalar_one()
            keys = conn.execute(select(func.count(func.distinct(r.c.report_key))).select_from(r)).scalar_one()
            return int(rows), int(keys)
    except Exception:  # the schema may not exist yet in the first instants
        return 0, 0
    finally:
        engine.dispose()


def settled(url: str) -> int:
    """The stored count once it stops changing (a reader busy when its ingest was killed ends a moment later)."""
    count, deadline = stored(url)[0], time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.5)
        again = stored(url)[0]
        if again == count:
            return count
        count = again
    return count


@pytest.mark.slow
@pytest.mark.parametrize("readers", ["1", "2"])
def test_killed_ingest_run_again_stores_every_report_once(tmp_path: Path, store_url: str, readers: str) -> None:
    inbox = tmp_path / "inbox"
    for folder in range(REPORTS // 500):
        (inbox / f"{folder:02d}").mkdir(parents=True)
    for i in range(REPORTS):
        (inbox / f"{i // 500:02d}" / f"9{i:07d}.xml").write_bytes(report_xml(email=f"user{i}@example.org"))
    env = {**os.environ, "LANZAROTE_DATABASE_URL": store_url, "LANZAROTE_INGEST_BATCH": "50",
           "LANZAROTE_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "lanzarote", "ingest", str(inbox), "--workers", readers, "--json"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and stored(store_url)[0] < 200:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    rows_at_kill = settled(store_url)
    assert 0 < rows_at_kill < REPORTS, "the kill must land in the middle of the ingest"

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert stored(store_url) == (REPORTS, REPORTS)
    assert '"new": ' + str(REPORTS - rows_at_kill) in finished.stdout
