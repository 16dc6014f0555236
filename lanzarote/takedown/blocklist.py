"""The blocklist an operator receives (the compilation: Montenegro's police give mobile operators a list of
domains to block): the reported URLs still online, under markings of its own.

Its default marking says what an operator may do with it: TLP:AMBER+STRICT (the receiving organisation only) and
H3 with the restriction in words. Only the normal form of each URL and its host leave, never the report, the
hotline's assessment or the hash.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lanzarote.coordination.packages.markings import (
    Handling,
    InformationAssessment,
    Markings,
    SourceReliability,
    Tlp,
)

BLOCKING_ONLY = ("for blocking access by the named operator only: not to be published, shared or used for any "
                 "other purpose; never open the URLs")
DEFAULT_MARKINGS = Markings(handling=Handling.H3, handling_text=BLOCKING_ONLY, tlp=Tlp.AMBER_STRICT,
                            source=SourceReliability.B, information=InformationAssessment.TWO)
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json", "txt": "text/plain; charset=utf-8"}


@dataclass(frozen=True)
class Entry:
    url: str
    host: str
    since: datetime


def render(entries: Sequence[Entry], recipient: str, markings: Markings, made_at: datetime, made_by: str,
           fmt: str) -> bytes:
    """The blocklist in `fmt` (csv, json or txt), its markings and recipient at its head."""
    head = {"recipient": recipient, "markings": markings.label, "restriction": markings.warnings,
            "tlp": markings.tlp.value, "made_at": made_at.isoformat(), "made_by": made_by, "entries": len(entries)}
    if fmt == "json":
        return json.dumps({**head, "urls": [{"url": e.url, "host": e.host, "since": e.since.isoformat()}
                                            for e in entries]}, indent=1).encode()
    lines = [f"# Lanzarote blocklist for {recipient}", f"# {markings.label}",
             *(f"# {w}" for w in markings.warnings), f"# made {made_at:%Y-%m-%d %H:%M} UTC by {made_by}; "
             f"{len(entries)} URLs"]
    if fmt == "txt":
        return ("\n".join(lines + [e.url for e in entries]) + "\n").encode()
    buffer = io.StringIO()
    buffer.write("\n".join(lines) + "\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["url", "host", "since"])
    for e in entries:
        writer.writerow([e.url, e.host, e.since.isoformat()])
    return buffer.getvalue().encode()
