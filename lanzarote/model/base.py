"""The base of every domain record: strict, immutable, JSON-friendly; and the bounded types reports are made of.

Reports are untrusted input. Every value a record holds is bounded here, at the edge, so that whatever a document
says it ends either stored or quarantined with a reason: a date the calendar arithmetic of the store can take, an
age or a port that can be true, a key that fits its column on both engines and can be named in a URL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

EARLIEST_YEAR = 1900
"""No date a report holds (a birth, an event, a receipt) is earlier than this year."""
LATEST_YEAR = 2099
"""…nor later than this one. Within these bounds every offset converts to UTC without overflow."""


class Record(BaseModel):
    """A typed domain record. Unknown fields are refused so that typos in native JSON are caught at the edge."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _plausible_year(value: date) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year {value.year} is not plausible (expected {EARLIEST_YEAR} to {LATEST_YEAR})")


def _moment(value: datetime) -> datetime:
    _plausible_year(value)
    return value


def _day(value: date) -> date:
    _plausible_year(value)
    return value


def _key_part(value: str) -> str:
    if "/" in value:
        raise ValueError("must not contain '/' (it separates source and id in a report's key and its address)")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters")
    return value


Moment = Annotated[datetime, AfterValidator(_moment)]
"""A date-time within the plausible years."""
Day = Annotated[date, AfterValidator(_day)]
"""A calendar date within the plausible years."""
Age = Annotated[int, Field(ge=0, le=130, description="years")]
Port = Annotated[int, Field(ge=0, le=65535)]
SourceName = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_key_part)]
"""Where a report came from: the first half of its key (`source/source_id`, a column of 300 characters)."""
SourceId = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_key_part)]
"""A report's id at its source: the second half of its key."""
ShortText = Annotated[str, Field(max_length=300)]
"""A name, an e-mail address, a hash value or a device id."""
Name = Annotated[str, Field(max_length=100)]
"""A provider's or platform's name (it namespaces account ids: `name:account` fits a 300-character column)."""
AccountId = Annotated[str, Field(max_length=190)]
"""An account id or screen name at a provider."""
Tag = Annotated[str, Field(max_length=60)]
"""A short kind or label: a hash type, a device id type, an event name."""
MAX_ITEMS = 1000
"""The most entries any one list of a report holds (people, addresses, events…); files have their own setting."""
