"""A real `lanzarote process` killed with SIGKILL mid-way, then run again, leaves the states a clean run leaves:
tiers, reasons, subjects, links, held identifiers, the matches' flood flags and the flood counts kept beside them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete, func, select, update

from lanzarote.pipeline.ingest import ingest
from lanzarote.store import schema
from lanzarote.store.db import open_store, session
from tests.pipeline.test_deterministic import forget_processing, states
from tests.pipeline.test_flood_counts import counted, recounted
from tests.samples import file_details_xml, report_xml

REPORTS = 240
"""Each with a file whose MD5 is on the installed list: well past the 50 matches after which an entry is flagged."""
MD5 = "9e107d9d372bb6826bd81d3542a419d6"


def settled(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rs = schema.report_state
            return int(conn.execute(select(func.count()).select_from(rs).where(rs.c.stale.is_(False))).scalar_one())
    except Exception:  # the database is locked or not there yet in the first instants
        return 0
    finally:
        engine.dispose()


def _store(url: str, inbox: Path) -> Engine:
    engine = open_store(url)
    ingest(engine, [inbox], workers=1)
    return engine


def _process(url: str, data: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LANZAROTE_DATABASE_URL": url, "LANZAROTE_DATA_DIR": str(data), "LANZAROTE_BATCH_SIZE": "10",
           "LANZAROTE_WORKERS": "1"}
    return subprocess.Popen([sys.executable, "-m", "lanzarote", "process"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _flags(seen: dict[str, Any]) -> int:
    return sum(r[7].count('"flood_flagged":true') for r in seen["reports"].values() if r[7])


def as_ingested(engine: Engine) -> None:
    """Back to the store as ingest left it, verdicts and flood counts included (nothing to count on)."""
    forget_processing(engine)
    with session(engine) as s:
        s.execute(delete(schema.match_counts))
        s.execute(update(schema.report_state).values(verdicts=None))


@pytest.mark.slow
def test_a_process_killed_and_run_again_leaves_the_states_of_a_clean_run(tmp_path: Path, store_url: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    for i in range(REPORTS):
        (inbox / f"9{i:07d}.xml").write_bytes(report_xml(email=f"user{i}@example.org", esp_identifier=f"{i}",
                                                         phone=f"30231250{i % 10:02d}", device=f"{i:015d}"))
        (inbox / f"9{i:07d}-f1.xml").write_bytes(file_details_xml(f"9{i:07d}", "f1", MD5))
    (tmp_path / "list.txt").write_text(MD5 + "\n")
    monkeypatch.setenv("LANZAROTE_DATA_DIR", str(data))
    from lanzarote.pipeline.settings import hash_library

    hash_library().import_list(tmp_path / "list.txt", "known", "text")
    engine = _store(store_url, inbox)

    clean = _process(store_url, data)
    assert clean.wait(timeout=600) == 0, clean.stderr.read() if clean.stderr else ""
    expected, expected_counts = states(engine), counted(engine)
    assert len(expected_counts) == 50
    assert expected_counts == recounted(engine)
    as_ingested(engine)
    killed = _process(store_url, data)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and settled(store_url) < 60 and killed.poll() is None:
        time.sleep(0.02)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    at_kill = settled(store_url)
    assert 0 < at_kill < REPORTS, "the kill must land in the middle of the run"
    assert counted(engine) == recounted(engine), "the counts are committed with the verdicts, batch by batch"
    again = _process(store_url, data)
    assert again.wait(timeout=600) == 0, again.stderr.read() if again.stderr else ""

    found = states(engine)
    assert _flags(expected) == REPORTS - 50
    assert _flags(found) == _flags(expected)
    assert found == expected
    assert counted(engine) == expected_counts == recounted(engine)
    engine.dispose()
