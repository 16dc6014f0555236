"""The audit chain stays one chain when many requests write to it at once (each in its own transaction), and a
trail cut at its end or rewritten with fresh hashes is found against its signed checkpoint."""

from __future__ import annotations

import hashlib
import itertools
import json
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select, update

from lanzarote.pipeline import anchor
from lanzarote.pipeline.ingest import ingest
from lanzarote.store import audit
from lanzarote.store.db import session
from tests.samples import report_xml


def test_concurrent_writers_never_fork_the_chain(engine: Engine) -> None:
    writers, each = 8, 15
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(each):
                if (n + i) % 2:  # a page's own entry, and one in the transaction of a change
                    audit.append(engine, f"analyst-{n}", "read", f"ncmec/9000{n:02d}{i:02d}", "web", datetime.now(UTC))
                    continue
                with session(engine) as s:
                    audit.record(s, f"analyst-{n}", "read", f"ncmec/9000{n:02d}{i:02d}", "api", datetime.now(UTC))
        except BaseException as exc:  # reported below, with the thread's failure
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session(engine) as s:
        assert s.execute(select(func.count()).select_from(audit.audit)).scalar() == writers * each
        assert audit.verify(s) == []


TEXTS = ['quote " and \\ backslash', "naïve ünïcode – ✓ 😀", "tab\tnew line\n\r", "\x01\x1f control",
         "'single' %s %(x)s {}", "", "x" * 5000]


def test_entries_of_any_text_chain_as_verify_recomputes_them(engine: Engine) -> None:
    # PostgreSQL chains an entry itself (the hash computed by the server from the last entry it reads): the same
    # digest as verify's, whatever the text holds
    for i, detail in enumerate(TEXTS):
        audit.append(engine, f"analyst-ü{i}", "list", f"queue/{detail[:20]}", detail, datetime.now(UTC))
        with session(engine) as s:
            audit.record(s, f"analyst-ü{i}", "read", f"ncmec/{i}", detail, datetime.now(UTC))
    with session(engine) as s:
        assert audit.verify(s) == []
        rows = list(s.execute(select(audit.audit).order_by(audit.audit.c.id)))
    assert [r.detail for r in rows] == [d for d in TEXTS for _ in (1, 2)]
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))


def test_an_entry_the_database_refuses_is_one_clear_error_and_the_next_is_written(engine: Engine) -> None:
    from sqlalchemy.exc import DataError, StatementError

    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps a NUL character")
    with pytest.raises((DataError, StatementError)):
        audit.append(engine, "analyst", "read", "ncmec/1", "a NUL \x00 here", datetime.now(UTC))
    audit.append(engine, "analyst", "read", "ncmec/2", "web", datetime.now(UTC))
    with session(engine) as s:
        assert [r["target"] for r in audit.entries(s)] == ["ncmec/2"]
        assert audit.verify(s) == []


def _trail(engine: Engine, n: int = 6) -> None:
    with session(engine) as s:
        for i in range(n):
            audit.record(s, "hub-analyst", "read", f"ncmec/9000000{i}", "api", datetime.now(UTC))


def _rewrite_with_fresh_hashes(engine: Engine, detail: str) -> None:
    """What an attacker with the database (and the published algorithm) does: change an entry, recompute the chain."""
    with session(engine) as s:
        rows = list(s.execute(select(audit.audit).order_by(audit.audit.c.id)))
        prev = audit.GENESIS
        for row in rows:
            changed = detail if row.id == rows[1].id else row.detail
            stamp = row.at.strftime("%Y-%m-%dT%H:%M:%S.%f")
            body = json.dumps([prev, stamp, row.actor, row.action, row.target, changed], ensure_ascii=False)
            digest = hashlib.sha256(body.encode()).hexdigest()
            s.execute(update(audit.audit).where(audit.audit.c.id == row.id).values(detail=changed, prev_hash=prev,
                                                                                   hash=digest))
            prev = digest
    with session(engine) as s:
        assert audit.verify(s) == []  # the chain alone no longer tells


@pytest.mark.parametrize("tamper", ["cut the last entries", "delete every entry", "rewrite and recompute"])
def test_a_cut_or_recomputed_trail_is_found_against_the_signed_checkpoint(engine: Engine, tamper: str) -> None:
    _trail(engine)
    assert anchor.verify(engine) == []  # intact, and checkpointed
    with session(engine) as s:
        if tamper == "cut the last entries":
            s.execute(delete(audit.audit).where(audit.audit.c.id > 3))
        elif tamper == "delete every entry":
            s.execute(delete(audit.audit))
    if tamper == "rewrite and recompute":
        _rewrite_with_fresh_hashes(engine, "nothing was read")
    problems = anchor.verify(engine)
    assert problems and any("checkpoint" in p for p in problems), problems
    assert anchor.verify(engine) == problems  # a tampered trail is never checkpointed over


def test_ingest_anchors_the_head_so_a_cut_after_it_is_found(engine: Engine, tmp_path: Path) -> None:
    _trail(engine)
    (tmp_path / "90000001.xml").write_bytes(report_xml())
    assert ingest(engine, [tmp_path], workers=1).audit_faults == []
    with session(engine) as s:
        s.execute(delete(audit.audit).where(audit.audit.c.id > 2))
    assert any("the trail was cut" in p for p in anchor.verify(engine))
    assert ingest(engine, [tmp_path], workers=1).audit_faults != []  # and ingest will not checkpoint over it


def test_an_edited_checkpoint_file_is_found_and_key_and_checkpoints_are_private(engine: Engine) -> None:
    _trail(engine)
    assert anchor.verify(engine) == []
    folder = anchor.folder()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {
        "checkpoint.key": 0o600, "checkpoints.jsonl": 0o600}
    path = folder / "checkpoints.jsonl"
    line = json.loads(path.read_text().splitlines()[-1])
    path.write_text(json.dumps({**line, "entries": 2, "last_id": 2}) + "\n")  # an older, smaller head
    assert any("does not carry the key's signature" in p for p in anchor.verify(engine))
