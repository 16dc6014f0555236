"""A package as CSV (one row an item, with the markings it travels under) and as a PDF a prosecutor can read
(`reportlab`, offline): the markings and their warnings first, then the summary and every item."""

from __future__ import annotations

import csv
import io

from lanzarote.coordination.packages.model import Package

COLUMNS = ("item_id", "kind", "type", "value", "report", "tlp", "handling", "handling_text", "evaluation",
           "details")


def _cell(value: str) -> str:
    """A cell no spreadsheet runs as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(package: Package) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for item in package.items:
        m = package.marking_of(item)
        details = "; ".join(f"{k}={v}" for k, v in sorted(item.details.items()))
        w.writerow([_cell(x) for x in (item.item_id, item.kind.value, item.type or "", item.value, item.report or "",
                                       m.tlp.value, m.handling.value, m.handling_text or "", m.evaluation, details)])
    return out.getvalue()


def to_pdf(package: Package) -> bytes:
    """A readable PDF of the package."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Intelligence package {package.package_id}",
                            author=package.sender, leftMargin=15 * mm, rightMargin=15 * mm, invariant=True)
    m = package.markings
    story = [Paragraph(escape(f"Intelligence package {package.package_id}"), styles["Title"]),
             Paragraph(escape(f"TLP:{m.tlp.value} — {m.label}"), styles["Heading2"])]
    story += [Paragraph(escape(w), styles["Heading3"]) for w in m.warnings]
    facts = [("From", package.sender), ("To", f"{package.recipient.name} ({package.recipient.agency})"),
             ("Subject", package.subject_id or "-"), ("Case", package.case_id or "-"),
             ("Operation", package.operation or "-"), ("Created", f"{package.created_at:%Y-%m-%d %H:%M} UTC by "
                                                                  f"{package.created_by}")]
    story += [Paragraph(f"<b>{k}:</b> {escape(v)}", styles["Normal"]) for k, v in facts]
    story += [Spacer(1, 4 * mm), Paragraph(escape(package.summary or "(no summary)"), styles["BodyText"]),
              Spacer(1, 4 * mm)]
    rows = [["Item", "Value", "From report", "Markings"]]
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    for item in package.items:
        what = item.kind.value + (f" ({item.type})" if item.type else "")
        rows.append([Paragraph(escape(what), small), Paragraph(escape(item.value), small),
                     Paragraph(escape(item.report or ""), small),
                     Paragraph(escape(package.marking_of(item).label), small)])
    table = Table(rows, colWidths=[32 * mm, 70 * mm, 45 * mm, 33 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
