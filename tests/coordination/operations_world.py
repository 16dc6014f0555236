"""An operation's world: the hub coordinates, national units of fictional agencies take part, one analyst each."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from lanzarote.store import access
from lanzarote.store.access import User
from lanzarote.store.db import session

PASSWORD = "correct horse battery"
SCENARIO_11 = {"ES": 10, "HU": 5, "BE": 4, "BG": 2, "FR": 10}


def make_world(engine: Engine, states: tuple[str, ...] = tuple(SCENARIO_11), outsider: bool = True) -> None:
    """Agencies of `states` with a `<state>-analyst` each, `hub-coordinator` (analyst of the hub) and, when asked,
    `nl-analyst` of a state outside the operation."""
    now = datetime.now(UTC)
    with session(engine) as s:
        known = {a.code for a in access.list_agencies(s)}
        for code in (*states, *(("NL",) if outsider else ())):
            if code not in known:
                access.add_agency(s, code, f"{code} national unit (fictional)", "national_unit", code,
                                  contact=f"desk@{code.lower()}.example.org")
            access.add_user(s, f"{code.lower()}-analyst", PASSWORD, "analyst", code, now)
        if access.active_user(s, "hub-coordinator") is None:
            access.add_user(s, "hub-coordinator", PASSWORD, "analyst", access.HUB, now)


def user(engine: Engine, name: str) -> User:
    with session(engine) as s:
        found = access.active_user(s, name)
    assert found is not None
    return found
