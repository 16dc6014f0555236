"""A synthetic dissemination ledger: packages sent to many recipients over months, and what came of them, with
exact totals (Operation Daylight's 611 → 207 → 75 by default) for the funnel's test and benchmark.

Each package discloses one fictional report reference; feedback includes late corrections (a second version that
replaces the first) and arrested persons later convicted, who count once among the "arrested or convicted".
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from lanzarote.coordination.packages.ledger import Decisive, Feedback, Stage
from lanzarote.coordination.packages.markings import Markings
from lanzarote.coordination.packages.model import ItemKind, Package, PackageItem, Recipient

RECIPIENTS = ("AT", "BE", "BG", "CZ", "DE", "DK", "ES", "FI", "FR", "HU", "IT", "NL", "PL", "PT", "SE", "NO", "UK",
              "AU", "CA", "US")
START = datetime(2015, 9, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sent:
    package: Package
    sent_at: datetime
    feedback: list[Feedback]


def ledger(packages: int = 611, investigations: int = 207, arrested_or_convicted: int = 75, seed: int = 16,
           operation: str = "Daylight") -> Iterator[Sent]:
    """`packages` packages of which `investigations` opened one and `arrested_or_convicted` persons were arrested
    or convicted (each counted once), in a deterministic order for a seed."""
    if not arrested_or_convicted <= investigations <= packages:
        raise ValueError("a funnel narrows: packages ≥ investigations ≥ arrested or convicted")
    rng = random.Random(seed)
    persons = [0] * packages
    for i in range(arrested_or_convicted):  # persons spread over the investigating packages, a few with two
        persons[i % investigations] += 1
    for n in range(packages):
        country = RECIPIENTS[n % len(RECIPIENTS)]
        sent_at = START + timedelta(days=rng.randrange(0, 400), minutes=n)
        package = Package(package_id=f"PKG-{operation.upper()}-{n:05d}", sender="HUB",
                          recipient=Recipient(agency=country, name=f"National unit {country} (fictional)",
                                              country=country),
                          operation=operation, created_at=sent_at, created_by="synth", markings=Markings(),
                          items=(PackageItem(item_id=f"I-{n:016d}", kind=ItemKind.REPORT, value=f"9{n:07d}",
                                             type="ncmec", report=f"ncmec/9{n:07d}"),))
        yield Sent(package, sent_at, list(_feedback(rng, package.package_id, country, sent_at.date(),
                                                    n < investigations, persons[n])))


def _feedback(rng: random.Random, package_id: str, by: str, sent: date, investigated: bool,
              persons: int) -> Iterator[Feedback]:
    def said(stage: Stage, days: int, count: int = 1, version: int = 1, **more: object) -> Feedback:
        return Feedback(package_id=package_id, stage=stage, on=sent + timedelta(days=days), count=count,
                        reported_by=f"national unit {by}", version=version,
                        recorded_at=datetime.combine(sent + timedelta(days=days + 2), datetime.min.time(), UTC),
                        **more)

    if rng.random() < 0.9:
        yield said(Stage.RECEIVED, 1)
    if not investigated:
        if rng.random() < 0.3:
            yield said(rng.choice((Stage.NO_FURTHER_ACTION, Stage.NOT_OUR_JURISDICTION)), 40)
        return
    yield said(Stage.ASSESSED, 5)
    yield said(Stage.INVESTIGATION_OPENED, 20)
    if persons:
        yield said(Stage.SEARCH, 60)
        if rng.random() < 0.2:  # reported late, then corrected: the second version counts
            yield said(Stage.ARREST, 61, count=persons + 1)
            yield said(Stage.ARREST, 61, count=persons, version=2, decisive=Decisive.YES,
                       words="The package identified the suspect; without it the abuse would not have been found.")
        else:
            yield said(Stage.ARREST, 61, count=persons)
        if rng.random() < 0.5:
            yield said(Stage.CONVICTION, 300, count=persons)
