"""A package as CSV (one row an item, with the markings it travels under) and as a PDF a prosecutor can read
(`reportlab`, offline): the markings and their warnings first, then the summary and every item."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

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


def pdf_document(title: str, author: str, story: Callable[[Any, float], list[Any]]) -> bytes:
    """An A4 PDF (`reportlab`, offline, byte-for-byte reproducible): `story(styles, mm)` gives its flowables."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author=author, leftMargin=15 * mm,
                            rightMargin=15 * mm, invariant=True)
    doc.build(story(getSampleStyleSheet(), mm))
    return buffer.getvalue()


def grid(rows: Sequence[Sequence[str]], widths: Sequence[float], styles: Any) -> Any:
    """A table with a header row, every cell an escaped paragraph in small type, repeated on each page."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    table = Table([[Paragraph(escape(str(c)), small) for c in row] for row in rows], colWidths=list(widths),
                  repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def to_pdf(package: Package) -> bytes:
    """A readable PDF of the package."""
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph, Spacer

    m = package.markings

    def story(styles: Any, mm: float) -> list[Any]:
        out = [Paragraph(escape(f"Intelligence package {package.package_id}"), styles["Title"]),
               Paragraph(escape(f"TLP:{m.tlp.value} — {m.label}"), styles["Heading2"])]
        out += [Paragraph(escape(w), styles["Heading3"]) for w in m.warnings]
        facts = [("From", package.sender), ("To", f"{package.recipient.name} ({package.recipient.agency})"),
                 ("Subject", package.subject_id or "-"), ("Case", package.case_id or "-"),
                 ("Operation", package.operation or "-"),
                 ("Created", f"{package.created_at:%Y-%m-%d %H:%M} UTC by {package.created_by}")]
        out += [Paragraph(f"<b>{k}:</b> {escape(v)}", styles["Normal"]) for k, v in facts]
        out += [Spacer(1, 4 * mm), Paragraph(escape(package.summary or "(no summary)"), styles["BodyText"]),
                Spacer(1, 4 * mm)]
        rows = [["Item", "Value", "From report", "Markings"]]
        for item in package.items:
            rows.append([item.kind.value + (f" ({item.type})" if item.type else ""), item.value, item.report or "",
                         package.marking_of(item).label])
        out.append(grid(rows, [32 * mm, 70 * mm, 45 * mm, 33 * mm], styles))
        return out

    return pdf_document(f"Intelligence package {package.package_id}", package.sender, story)
