"""Intelligence packages sent and received, their items with the markings each travels under, the feedback on
them (every version kept), and the partners' public keys."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from lanzarote.coordination.packages.ledger import (
    OPENS_INVESTIGATION,
    OUTCOMES,
    Decisive,
    Feedback,
    Outcome,
    Row,
    Sent,
    Stage,
)
from lanzarote.coordination.packages.markings import Ceiling, Handling, Markings, Tlp
from lanzarote.coordination.packages.model import Package
from lanzarote.coordination.packages.signing import Partner
from lanzarote.errors import Conflict, NotFound
from lanzarote.store.metadata import metadata
from lanzarote.store.reports import as_utc

SENT, RECEIVED = "sent", "received"

packages = Table(
    "packages",
    metadata,
    Column("package_id", String(60), primary_key=True),
    Column("direction", String(10), nullable=False),
    Column("sender", String(40), nullable=False),
    Column("recipient", String(40), nullable=False),
    Column("country", String(2)),
    Column("operation", String(200)),
    Column("subject_id", String(40)),
    Column("case_id", String(60)),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("key_id", String(40)),  # the key that signed it: ours when sent, the partner's when received
    Column("sha256", String(64), nullable=False),  # of the signed canonical form: what the audit entry names
    Column("body", Text, nullable=False),
    Index("ix_packages_direction_sent", "direction", "sent_at"),
    Index("ix_packages_created", "created_at"),
)

package_items = Table(
    "package_items",
    metadata,
    Column("package_id", String(60), primary_key=True),
    Column("item_id", String(40), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("report_key", String(300)),  # the report here it is of: the sender's own, or one a receipt made
    Column("markings", Text, nullable=False),
    Index("ix_package_items_report", "report_key"),
)

package_feedback = Table(
    "package_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("package_id", String(60), nullable=False),
    Column("stage", String(30), nullable=False),
    Column("on", Date, nullable=False),
    Column("count", Integer, nullable=False),
    Column("reported_by", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("decisive", String(10), nullable=False),
    Column("words", Text, nullable=False),
    Index("ix_package_feedback_package", "package_id", "stage", "version", unique=True),
)

package_outcomes = Table(
    # the current word on each package, summed from the latest version of each stage of its feedback: kept on every
    # write of feedback, so the funnel is one pass over the packages instead of two groupings of all feedback
    "package_outcomes",
    metadata,
    Column("package_id", String(60), primary_key=True),
    Column("inv", Integer, nullable=False),
    Column("opened", Integer, nullable=False),
    Column("search", Integer, nullable=False),
    Column("arrest", Integer, nullable=False),
    Column("conviction", Integer, nullable=False),
    Column("nfa", Integer, nullable=False),
    Column("noj", Integer, nullable=False),
    Column("received", Integer, nullable=False),
    Column("outcome", Integer, nullable=False),
    Column("decisive", Integer, nullable=False),
)

recipient_ceilings = Table(
    "recipient_ceilings",
    metadata,
    Column("agency", String(40), primary_key=True),
    Column("tlp", String(20), nullable=False),
    Column("handling", String(2), nullable=False),
)
"""The most each recipient agency may receive; an agency without a row has the default `Ceiling()`."""

partner_keys = Table(
    "partner_keys",
    metadata,
    Column("key_id", String(40), primary_key=True),
    Column("agency", String(40), nullable=False),
    Column("public_key", String(100), nullable=False),
)


def save(session: Session, package: Package, direction: str, sha256: str, key_id: str | None,
         report_keys: dict[str, str], at: datetime) -> None:
    """Keep a package and its items (`report_keys`: the sender's report reference → this store's report key)."""
    if session.execute(select(packages.c.package_id).where(packages.c.package_id == package.package_id)).first():
        raise Conflict(f"package {package.package_id} is here already")
    session.execute(insert(packages).values(_row(package, direction, sha256, key_id,
                                                 at if direction == RECEIVED else None)))
    if package.items:
        session.execute(insert(package_items), [
            {"package_id": package.package_id, "item_id": i.item_id, "kind": i.kind.value,
             "report_key": report_keys.get(i.report or "", i.report),
             "markings": package.marking_of(i).model_dump_json()}
            for i in package.items])


def _row(package: Package, direction: str, sha256: str, key_id: str | None, sent_at: datetime | None
         ) -> dict[str, object]:
    return {"package_id": package.package_id, "direction": direction, "sender": package.sender,
            "recipient": package.recipient.agency, "country": package.recipient.country,
            "operation": package.operation, "subject_id": package.subject_id, "case_id": package.case_id,
            "created_by": package.created_by, "created_at": package.created_at, "sent_at": sent_at,
            "acknowledged_at": None, "key_id": key_id, "sha256": sha256, "body": package.model_dump_json()}


def _feedback_row(f: Feedback) -> dict[str, object]:
    return {"package_id": f.package_id, "stage": f.stage.value, "on": f.on, "count": f.count,
            "reported_by": f.reported_by, "version": f.version, "recorded_at": f.recorded_at,
            "decisive": f.decisive.value, "words": f.words}


def load_ledger(session: Session, sent: Sequence[tuple[Package, datetime, Sequence[Feedback]]]) -> None:
    """Write packages already sent and their feedback in bulk (a ledger kept elsewhere before, or a benchmark's)."""
    session.execute(insert(packages), [_row(p, SENT, "0" * 64, None, at) for p, at, _ in sent])
    session.execute(insert(package_items), [
        {"package_id": p.package_id, "item_id": i.item_id, "kind": i.kind.value, "report_key": i.report,
         "markings": p.marking_of(i).model_dump_json()} for p, _, _ in sent for i in p.items])
    rows = [_feedback_row(f) for _, _, said in sent for f in said]
    if rows:
        session.execute(insert(package_feedback), rows)
        refresh_outcomes(session, sorted({f.package_id for _, _, said in sent for f in said}))


def get(session: Session, package_id: str) -> tuple[Package, dict[str, object]]:
    row = session.execute(select(packages).where(packages.c.package_id == package_id)).first()
    if row is None:
        raise NotFound(f"no package {package_id!r}")
    m = dict(row._mapping)
    for k in ("created_at", "sent_at", "acknowledged_at"):
        m[k] = as_utc(m[k])
    return Package.model_validate_json(str(m.pop("body"))), m


def listing(session: Session, direction: str | None = None, limit: int = 200) -> list[dict[str, object]]:
    """Packages, newest first, without their bodies."""
    query = select(*(c for c in packages.c if c.name != "body")).order_by(packages.c.created_at.desc()).limit(limit)
    if direction:
        query = query.where(packages.c.direction == direction)
    return [dict(r._mapping) for r in session.execute(query)]


def mark(session: Session, package_id: str, **values: datetime) -> None:
    """Stamp `sent_at` or `acknowledged_at` (the first time only)."""
    for column, at in values.items():
        session.execute(update(packages).where(packages.c.package_id == package_id, packages.c[column].is_(None))
                        .values({column: at}))


def received_markings(session: Session, report_keys: Collection[str]) -> dict[str, Markings]:
    """The markings under which reports in this store were received (the report item of a received package)."""
    if not report_keys:
        return {}
    i, p = package_items, packages
    rows = session.execute(select(i.c.report_key, i.c.markings).join(p, p.c.package_id == i.c.package_id)
                           .where(p.c.direction == RECEIVED, i.c.kind == "report",
                                  i.c.report_key.in_(sorted(report_keys))))
    return {r.report_key: Markings.model_validate_json(r.markings) for r in rows}


def add_feedback(session: Session, f: Feedback) -> Feedback:
    """Record feedback; a second word on the same stage is its next version (a late correction)."""
    fb = package_feedback
    last = session.execute(select(func.max(fb.c.version)).where(fb.c.package_id == f.package_id,
                                                                 fb.c.stage == f.stage.value)).scalar()
    f = f.model_copy(update={"version": (last or 0) + 1})
    session.execute(insert(fb).values(_feedback_row(f)))
    refresh_outcomes(session, [f.package_id])
    return f


def _feedback(r: object) -> Feedback:
    m = r._mapping  # type: ignore[attr-defined]
    return Feedback(package_id=m["package_id"], stage=Stage(m["stage"]), on=m["on"], count=m["count"],
                    reported_by=m["reported_by"], version=m["version"], recorded_at=as_utc(m["recorded_at"]),
                    decisive=Decisive(m["decisive"]), words=m["words"])


def feedback(session: Session, package_ids: Collection[str] | None = None) -> list[Feedback]:
    """Every version of the feedback (on these packages), oldest first."""
    fb = package_feedback
    query = select(fb).order_by(fb.c.id)
    if package_ids is not None:
        query = query.where(fb.c.package_id.in_(sorted(package_ids)))
    return [_feedback(r) for r in session.execute(query)]


def outcomes(session: Session) -> dict[str, Outcome]:
    """The current word on every package (the latest version of each stage), summed up in the database."""
    fb = package_feedback
    latest = (select(fb.c.package_id, fb.c.stage, func.max(fb.c.version).label("version"))
              .group_by(fb.c.package_id, fb.c.stage).subquery())
    rows = session.execute(select(fb.c.package_id, fb.c.stage, fb.c.count, fb.c.decisive).join(
        latest, and_(latest.c.package_id == fb.c.package_id, latest.c.stage == fb.c.stage,
                     latest.c.version == fb.c.version)))
    out: dict[str, Outcome] = {}
    stages = {s.value: s for s in Stage}
    for package_id, stage, count, decisive in rows:
        o = out.get(package_id) or out.setdefault(package_id, Outcome({}))
        o.counts[stages[stage]] = count
        if decisive == Decisive.YES.value and not o.decisive:
            out[package_id] = Outcome(o.counts, True)
    return out


def _month(session: Session) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(packages.c.sent_at, "YYYY-MM")
    return func.strftime("%Y-%m", packages.c.sent_at)


OUTCOME_COLUMNS = ("inv", "opened", "search", "arrest", "conviction", "nfa", "noj", "received", "outcome",
                   "decisive")


def outcomes_query(package_ids: Sequence[str] | None):  # type: ignore[no-untyped-def]
    """Per package: the counts of the current version of each stage, and which stages were reported."""
    fb = package_feedback
    latest = select(fb.c.package_id, fb.c.stage, func.max(fb.c.version).label("version"))
    if package_ids is not None:
        latest = latest.where(fb.c.package_id.in_(package_ids))
    current = latest.group_by(fb.c.package_id, fb.c.stage).subquery()

    def of(stage: Stage) -> ColumnElement[int]:
        return func.max(case((fb.c.stage == stage.value, fb.c.count), else_=0))

    def seen(stages: Collection[Stage]) -> ColumnElement[int]:
        return func.max(case((fb.c.stage.in_([s.value for s in stages]), 1), else_=0))

    return (select(fb.c.package_id, of(Stage.INVESTIGATION_OPENED).label("inv"),
                   seen(OPENS_INVESTIGATION).label("opened"), of(Stage.SEARCH).label("search"),
                   of(Stage.ARREST).label("arrest"), of(Stage.CONVICTION).label("conviction"),
                   seen({Stage.NO_FURTHER_ACTION}).label("nfa"), seen({Stage.NOT_OUR_JURISDICTION}).label("noj"),
                   seen({Stage.RECEIVED}).label("received"), seen(OUTCOMES).label("outcome"),
                   func.max(case((fb.c.decisive == Decisive.YES.value, 1), else_=0)).label("decisive"))
            .join(current, and_(current.c.package_id == fb.c.package_id, current.c.stage == fb.c.stage,
                                current.c.version == fb.c.version))
            .group_by(fb.c.package_id))


def refresh_outcomes(session: Session, package_ids: Sequence[str] | None = None) -> None:
    """Sum the current word on these packages (None: every package) again from their feedback."""
    o = package_outcomes
    if package_ids is None:
        session.execute(delete(o))
        session.execute(insert(o).from_select(["package_id", *OUTCOME_COLUMNS], outcomes_query(None)))
        return
    for i in range(0, len(package_ids), 500):
        chunk = list(package_ids[i:i + 500])
        session.execute(delete(o).where(o.c.package_id.in_(chunk)))
        session.execute(insert(o).from_select(["package_id", *OUTCOME_COLUMNS], outcomes_query(chunk)))


def ledger_fingerprint(session: Session) -> tuple[object, ...]:
    """What changes whenever the funnel's figures may: packages sent and acknowledged, feedback written (feedback
    and packages are only ever added to or stamped, never deleted). Three small aggregates, not the funnel's sums."""
    p, fb = packages, package_feedback
    sent = session.execute(select(func.count(), func.max(p.c.sent_at))  # on ix_packages_direction_sent alone
                           .where(p.c.direction == SENT, p.c.sent_at.is_not(None))).one()
    acknowledged = session.execute(select(func.count(p.c.acknowledged_at), func.max(p.c.acknowledged_at))).one()
    said = session.execute(select(func.count(), func.max(fb.c.id))).one()
    return (*sent, *acknowledged, *said)


def funnel_rows(session: Session, by: str | None, country: str | None = None) -> list[Row]:
    """The funnel summed in the database (the same figures as `ledger.funnel` over the same feedback): each
    package's current word (`package_outcomes`, kept on every write of feedback), then the packages per group."""
    p, per = packages, package_outcomes
    group: ColumnElement[str] = {None: literal("all"), "operation": func.coalesce(p.c.operation, ""),
                                 "recipient": p.c.recipient, "country": func.coalesce(p.c.country, ""),
                                 "month": _month(session)}[by]
    z = func.coalesce
    query = (select(group.label("g"), func.count(), func.sum(case(
        (or_(p.c.acknowledged_at.is_not(None), z(per.c.received, 0) == 1), 1), else_=0)),
        func.sum(z(func.nullif(per.c.inv, 0), per.c.opened, 0)), func.sum(z(per.c.search, 0)),
        func.sum(z(per.c.arrest, 0)), func.sum(z(per.c.conviction, 0)),
        func.sum(case((z(per.c.arrest, 0) > z(per.c.conviction, 0), z(per.c.arrest, 0)),
                      else_=z(per.c.conviction, 0))),
        func.sum(z(per.c.nfa, 0)), func.sum(z(per.c.noj, 0)), func.sum(z(per.c.decisive, 0)),
        func.sum(1 - z(per.c.outcome, 0)))
        .select_from(p.outerjoin(per, per.c.package_id == p.c.package_id))
        .where(p.c.direction == SENT, p.c.sent_at.is_not(None)).group_by(group).order_by(group))
    if country is not None:
        query = query.where(p.c.country == country)
    return [Row(str(g or "-"), *(int(x or 0) for x in rest)) for g, *rest in session.execute(query)]


def waiting(session: Session, before: datetime, country: str | None = None, limit: int = 200) -> list[Sent]:
    """Packages sent before `before` on which no outcome was reported, oldest first (the ledger's reminders)."""
    p, fb = packages, package_feedback
    answered = select(fb.c.id).where(fb.c.package_id == p.c.package_id,
                                     fb.c.stage.in_([s.value for s in OUTCOMES])).exists()
    query = (select(p.c.package_id, p.c.recipient, p.c.country, p.c.operation, p.c.sent_at, p.c.acknowledged_at)
             .where(p.c.direction == SENT, p.c.sent_at.is_not(None), p.c.sent_at <= before, ~answered)
             .order_by(p.c.sent_at).limit(limit))
    if country is not None:
        query = query.where(p.c.country == country)
    return [Sent(r.package_id, r.recipient, r.country or "", r.operation or "", as_utc(r.sent_at) or r.sent_at,
                 as_utc(r.acknowledged_at)) for r in session.execute(query)]


def ledger(session: Session) -> list[Sent]:
    """Every package sent, as the funnel counts it."""
    p = packages
    rows = session.execute(select(p.c.package_id, p.c.recipient, p.c.country, p.c.operation, p.c.sent_at,
                                  p.c.acknowledged_at).where(p.c.direction == SENT, p.c.sent_at.is_not(None)))
    return [Sent(r.package_id, r.recipient, r.country or "", r.operation or "", as_utc(r.sent_at) or r.sent_at,
                 as_utc(r.acknowledged_at)) for r in rows]


def add_partner(session: Session, partner: Partner) -> None:
    if session.execute(select(partner_keys.c.key_id).where(partner_keys.c.key_id == partner.key_id)).first():
        raise Conflict(f"key {partner.key_id} is a partner's key already")
    session.execute(insert(partner_keys).values(key_id=partner.key_id, agency=partner.agency,
                                                public_key=partner.public_key))


def partners(session: Session) -> dict[str, Partner]:
    return {r.key_id: Partner(r.agency, r.public_key) for r in session.execute(select(partner_keys))}


def import_feedback(session: Session, f: Feedback) -> bool:
    """Keep a recipient's feedback with its own version number; False when that version is here already."""
    fb = package_feedback
    if session.execute(select(fb.c.id).where(fb.c.package_id == f.package_id, fb.c.stage == f.stage.value,
                                             fb.c.version == f.version)).first():
        return False
    session.execute(insert(fb).values(_feedback_row(f)))
    refresh_outcomes(session, [f.package_id])
    return True


def set_ceiling(session: Session, agency: str, ceiling: Ceiling) -> None:
    session.execute(delete(recipient_ceilings).where(recipient_ceilings.c.agency == agency))
    session.execute(insert(recipient_ceilings).values(agency=agency, tlp=ceiling.tlp.value,
                                                      handling=ceiling.handling.value))


def ceiling_of(session: Session, agency: str) -> Ceiling:
    row = session.execute(select(recipient_ceilings).where(recipient_ceilings.c.agency == agency)).first()
    return Ceiling(tlp=Tlp(row.tlp), handling=Handling(row.handling)) if row else Ceiling()
