"""Running the stages over the store: processing what is new (or all history), and looking for suggestions."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from lanzarote.linking.priors import PriorRecords
from lanzarote.pipeline.process import ProcessSummary, prepare_demo, priors_path
from lanzarote.pipeline.process import process as run_process
from lanzarote.pipeline.settings import hash_library, scan_limits
from lanzarote.pipeline.suggestions import run as run_suggestions
from lanzarote.service.actors import require
from lanzarote.store import audit
from lanzarote.store import state as store_state
from lanzarote.store.access import User
from lanzarote.store.db import session

__all__ = ["ProcessSummary", "hash_library", "prepare_demo", "scan_limits"]


def to_process(engine: Engine, everything: bool) -> int:
    """How many reports a run would process (for a progress bar)."""
    with session(engine) as s:
        return store_state.count_all(s) if everything else store_state.count_stale(s)


def process(engine: Engine, user: User, everything: bool,
            progress: Callable[[int], None] | None = None) -> ProcessSummary:
    """Match, link, route and rank what is new (or every report); the run audited."""
    require(user, "administer")
    summary = run_process(engine, everything=everything, progress=progress)
    with session(engine) as s:
        audit.record(s, user.username, "process", "all" if everything else "stale",
                     f"{summary.processed} reports, {summary.links} links", datetime.now(UTC))
    return summary


def suggest(engine: Engine, user: User, progress: Callable[[int], None] | None = None) -> int:
    """Compare the people of every stored report and store new suggestions; the run audited."""
    require(user, "administer")
    new = run_suggestions(engine, progress=progress)
    with session(engine) as s:
        audit.record(s, user.username, "suggest", "all", f"{new} new suggestions", datetime.now(UTC))
    return new


def install_priors(engine: Engine, user: User, path: Path) -> int:
    """Install the unit's prior records (replacing the previous file); returns how many identifiers; audited."""
    require(user, "administer")
    records = PriorRecords.load(path)
    target = priors_path().with_suffix(path.suffix.lower() if path.suffix.lower() == ".json" else ".csv")
    for old in (priors_path(), priors_path().with_suffix(".json")):
        old.unlink(missing_ok=True)
    shutil.copyfile(path, target)
    with session(engine) as s:
        audit.record(s, user.username, "priors_installed", str(path)[:300], f"{len(records)} identifiers",
                     datetime.now(UTC))
    return len(records)
