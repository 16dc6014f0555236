"""The audit chain stays one chain when many requests write to it at once (each in its own transaction)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from lanzarote.store import audit
from lanzarote.store.db import session


def test_concurrent_writers_never_fork_the_chain(engine: Engine) -> None:
    writers, each = 8, 15
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(each):
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
