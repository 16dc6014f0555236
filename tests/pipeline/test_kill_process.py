"""A real `lanzarote process` killed with SIGKILL mid-way, then run again, leaves the states a clean run leaves:
tiers, reasons, subjects, links, held identifiers and the matches' flood flags."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from lanzarote.pipeline.ingest import ingest
from lanzarote.store import schema
from lanzarote.store.db import open_store
from tests.pipeline.test_deterministic import states
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


@pytest.mark.slow
def test_a_process_killed_and_run_again_leaves_the_states_of_a_clean_run(tmp_path: Path,
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
    clean_url, killed_url = f"sqlite:///{tmp_path / 'clean.db'}", f"sqlite:///{tmp_path / 'killed.db'}"
    _store(clean_url, inbox).dispose()
    shutil.copyfile(tmp_path / "clean.db", tmp_path / "killed.db")

    clean = _process(clean_url, data)
    assert clean.wait(timeout=600) == 0, clean.stderr.read() if clean.stderr else ""
    killed = _process(killed_url, data)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and settled(killed_url) < 60 and killed.poll() is None:
        time.sleep(0.02)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    at_kill = settled(killed_url)
    assert 0 < at_kill < REPORTS, "the kill must land in the middle of the run"
    again = _process(killed_url, data)
    assert again.wait(timeout=600) == 0, again.stderr.read() if again.stderr else ""

    expected, found = states(create_engine(clean_url)), states(create_engine(killed_url))
    assert _flags(expected) == REPORTS - 50
    assert _flags(found) == _flags(expected)
    assert found == expected
