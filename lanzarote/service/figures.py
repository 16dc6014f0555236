"""Statistics for dashboards and partners, and the hash lists installed with what they matched."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lanzarote.errors import NotFound
from lanzarote.model.media import FileVerdict
from lanzarote.pipeline.settings import hash_library, hashlists_dir
from lanzarote.service.reports import trail
from lanzarote.store.access import User
from lanzarote.store.stats import Statistics, list_matches, statistics_for

__all__ = ["Statistics"]


def statistics(s: Session, user: User, days: int = 30) -> Statistics:
    """Volumes per day and tier, per country and authority, per provider, and hours to first action, over the
    reports the user's agency may see (counts, no report: not audited)."""
    return statistics_for(s, user.scope, days)


def hash_lists() -> list[dict[str, Any]]:
    """The installed hash lists (name, source, format, entries, threshold, version, dates)."""
    if not hashlists_dir().exists():
        return []
    return [info.model_dump(mode="json") for info in hash_library().lists()]


def matches_of(s: Session, user: User, name: str, channel: str, limit: int = 100) -> list[dict[str, Any]]:
    """Reports the user may see with a file matched in list `name`, and those matches; the disclosure audited."""
    if name not in {x["name"] for x in hash_lists()}:
        raise NotFound(f"no hash list {name!r}")
    out: list[dict[str, Any]] = []
    for key, verdicts_json in list_matches(s, user.scope, name, limit):
        verdicts = [FileVerdict.model_validate(v) for v in _loads(verdicts_json)]
        files = [{"file_id": v.file_id, "verdict": v.verdict.value,
                  "matches": [m.model_dump(mode="json") for m in v.matches if m.list_name == name]}
                 for v in verdicts if any(m.list_name == name for m in v.matches)]
        out.append({"report": key, "files": files})
    trail(s, user, "list", f"hash-list/{name}", f"{channel} {len(out)} reports")
    return out


def _loads(text: str) -> list[Any]:
    import json

    value: list[Any] = json.loads(text)
    return value
