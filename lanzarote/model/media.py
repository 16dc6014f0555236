"""What the hash lists say about each file: known, near-known, unknown, or not matched yet."""

from __future__ import annotations

from enum import StrEnum

from lanzarote.model.base import Record


class HashType(StrEnum):
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    PDQ = "pdq"
    VPDQ = "vpdq"
    PHOTODNA = "photodna"
    OTHER = "other"


class Verdict(StrEnum):
    KNOWN = "known"
    NEAR_KNOWN = "near_known"
    UNKNOWN = "unknown"
    NOT_MATCHED = "not_matched"
    """Matching has not run (or the file had no usable hash): never read as 'unknown material'."""
    UNREADABLE = "unreadable"


class HashMatch(Record):
    """One hit of a file's hash in a hash list, with what the list says about the entry."""

    list_name: str
    entry_id: str
    hash_type: HashType
    distance: int = 0
    category: str | None = None
    victim_identified: bool | None = None
    series: str | None = None
    distributed: bool | None = None
    suppressed_by_allow_list: bool = False
    flood_flagged: bool = False


class FileVerdict(Record):
    """The verdict for one file of a report (or one scanned file), with the matches that made it."""

    file_id: str
    verdict: Verdict
    matches: tuple[HashMatch, ...] = ()

    @property
    def victim_identified(self) -> bool:
        return any(m.victim_identified for m in self.matches if not m.suppressed_by_allow_list)
