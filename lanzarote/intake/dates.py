"""Lenient reading of the dates reports carry: ISO 8601 with any offset, and the odd formats people type.

A time without a zone is read as UTC and said so (a warning), because a report's timeline must be comparable across
providers. European day-first dates (`03/05/1970` is 3 May 1970) are the rule here, as in the records units receive.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_DAY_FIRST = re.compile(
    r"^(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})"
    r"(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*(?P<z>Z|UTC|[+-]\d{2}:?\d{2})?$"
)
_EXIF = re.compile(
    r"^(?P<y>\d{4}):(?P<m>\d{2}):(?P<d>\d{2})[ T](?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})\s*(?P<z>Z|[+-]\d{2}:?\d{2})?$"
)


class DateProblem(ValueError):
    """A value that is not a date or time in any format Lanzarote understands."""


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text in ("Z", "UTC"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def parse_datetime(text: str, warnings: list[str] | None = None, what: str = "date-time") -> datetime:
    """A timezone-aware datetime from `text`; a zone-less time is taken as UTC with a warning."""
    raw = text.strip()
    if not raw:
        raise DateProblem(f"{what} is empty")
    value: datetime | None = None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        value = None
    if value is None:
        match = _DAY_FIRST.match(raw) or _EXIF.match(raw)
        if match:
            g = match.groupdict()
            try:
                value = datetime(
                    int(g["y"]), int(g["m"]), int(g["d"]), int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0),
                    tzinfo=_zone(g.get("z")),
                )
            except ValueError as exc:
                raise DateProblem(f"{what} {raw!r} is not a real date ({exc})") from exc
    if value is None:
        try:
            value = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            value = None
    if value is None:
        raise DateProblem(
            f"{what} {raw!r} is not a date-time: expected ISO 8601 such as 2024-03-05T14:30:00+01:00"
        )
    if value.tzinfo is None:
        if warnings is not None:
            warnings.append(f"{what} {raw!r} has no time zone; read as UTC")
        value = value.replace(tzinfo=UTC)
    return value


def parse_date(text: str, what: str = "date") -> date:
    """A calendar date: ISO (`1970-05-03`) or day-first (`03/05/1970`, `3.5.1970`)."""
    raw = text.strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    match = _DAY_FIRST.match(raw)
    if match and not match.group("H"):
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError as exc:
            raise DateProblem(f"{what} {raw!r} is not a real date ({exc})") from exc
    raise DateProblem(f"{what} {raw!r} is not a date: expected 1970-05-03 or 03/05/1970 (day first)")
