"""An intelligence package: what one agency sends one recipient agency about a subject (or a case), each item with
the markings it travels under.

One package goes to one recipient: no group whose members see each other. Items name what they are in the domain's
words (a report, an identifier of the reported person, a file hash, a victim by pseudonym); a package never holds
analyst notes, victims' details or imagery.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from pydantic import Field

from lanzarote.coordination.packages.markings import Ceiling, Markings, Overrides
from lanzarote.model.base import Moment, Record

FORMAT = "lanzarote-package/1"


class ItemKind(StrEnum):
    REPORT = "report"
    IDENTIFIER = "identifier"
    FILE_HASH = "file_hash"
    VICTIM = "victim"


class Recipient(Record):
    """The one agency a package is for, and the most it may receive."""

    agency: str
    name: str
    country: str | None = None
    ceiling: Ceiling = Ceiling()


class PackageItem(Record):
    """One thing the package discloses. `report` is the sender's report it comes from."""

    item_id: str
    kind: ItemKind
    value: str
    """A report's reference, an identifier's normalised value, a hash's hex value, a victim's pseudonym."""
    type: str | None = None
    """An identifier's kind (email, phone, account, ip, url, screen_name, device) or a hash's algorithm."""
    report: str | None = None
    details: dict[str, str] = Field(default_factory=dict)
    """Only the fields the minimisation rules allow for the kind (see `minimise.RULES`)."""
    overrides: Overrides = Overrides()

    @staticmethod
    def id_for(kind: ItemKind, type_: str | None, value: str, report: str | None) -> str:
        """A stable id: the same item in two packages has the same id."""
        raw = "\x1f".join((kind.value, type_ or "", value, report or ""))
        return "I-" + hashlib.sha256(raw.encode()).hexdigest()[:16]


class Package(Record):
    """A package as sent (and, on the receiving node, as received)."""

    format: str = FORMAT
    package_id: str
    sender: str
    """The sending node's agency (its name in the receiving node's list of partners)."""
    recipient: Recipient
    subject_id: str | None = None
    case_id: str | None = None
    """Built from a case (issue 18): the case's id; the items are then the case's subjects' items."""
    operation: str | None = None
    created_at: Moment
    created_by: str
    summary: str = ""
    markings: Markings
    items: tuple[PackageItem, ...]

    def marking_of(self, item: PackageItem) -> Markings:
        return item.overrides.over(self.markings)

    def item_list(self) -> list[str]:
        """Every item as `id kind markings`, the list the audit entry's hash covers."""
        return [f"{i.item_id} {i.kind.value} {self.marking_of(i).label}" for i in self.items]
