"""The base of every domain record: strict, immutable, JSON-friendly."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """A typed domain record. Unknown fields are refused so that typos in native JSON are caught at the edge."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
