"""Charts and the link graph drawn on the server as SVG: no script, no external asset, readable without colour.

Every shape carries a `<title>` (shown on hover and read by screen readers) and every chart a text summary.
"""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

from lanzarote.model.linking import Link
from lanzarote.model.queue import QueueItem

TIER_COLOURS = {"P1": "#b00020", "P2": "#d35400", "P3": "#2c6e9e", "P4": "#6b7b8c", "unranked": "#b8c2cc"}
TIERS = ("P1", "P2", "P3", "P4", "unranked")


def stacked_days(days: list[str], per_day: dict[str, dict[str, int]], width: int = 760, height: int = 220) -> Markup:
    """Reports received per day, stacked by tier."""
    if not days:
        return Markup("<p>No reports yet.</p>")
    top = max((sum(per_day.get(d, {}).values()) for d in days), default=0) or 1
    bar = (width - 40) / len(days)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + 30}" role="img" '
             f'aria-label="Reports received per day, by tier">']
    for i, d in enumerate(days):
        y = float(height)
        for tier in TIERS:
            n = per_day.get(d, {}).get(tier, 0)
            if not n:
                continue
            h = n / top * (height - 10)
            y -= h
            parts.append(f'<rect x="{40 + i * bar:.1f}" y="{y:.1f}" width="{max(bar - 2, 1):.1f}" height="{h:.1f}" '
                         f'fill="{TIER_COLOURS[tier]}"><title>{d} {tier}: {n:,}</title></rect>')
        if i % max(len(days) // 6, 1) == 0:
            parts.append(f'<text x="{40 + i * bar:.1f}" y="{height + 18}" font-size="11">{d[5:]}</text>')
    parts.append(f'<text x="0" y="12" font-size="11">{top:,}</text><text x="0" y="{height}" font-size="11">0</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(rows: list[tuple[str, int]], label: str, width: int = 560) -> Markup:
    """Horizontal bars, largest first."""
    if not rows:
        return Markup("<p>Nothing yet.</p>")
    top = max(n for _, n in rows) or 1
    height = 22 * len(rows) + 4
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for i, (name, n) in enumerate(rows):
        w = n / top * (width - 260)
        y = 4 + i * 22
        shown = name if len(name) <= 34 else name[:33] + "…"
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(shown)}<title>{escape(name)}</title></text>'
                     f'<rect x="220" y="{y}" width="{max(w, 1):.1f}" height="16" fill="#2c6e9e">'
                     f'<title>{escape(name)}: {n:,}</title></rect>'
                     f'<text x="{224 + w:.1f}" y="{y + 13}" font-size="11">{n:,}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


MAX_DRAWN = 60


def link_graph(reports: list[QueueItem], links: list[Link], priors: dict[str, list[str]],
               size: int = 640) -> Markup:
    """Reports on an outer ring, the identifiers that link them inside, prior records outside: who shares what."""
    shown = reports[:MAX_DRAWN]
    keys = [f"{r.source}/{r.report_id}" for r in shown]
    centre = size / 2
    outer, inner = size * 0.36, size * 0.18
    pos = {k: _on_ring(i, len(keys), outer, centre) for i, k in enumerate(keys)}
    identifiers: dict[str, set[str]] = {}
    for link in links:
        for ident in link.identifiers:
            label = f"{ident.kind.value}: {ident.value}"
            identifiers.setdefault(label, set()).update(k for k in (link.report_a, link.report_b) if k in pos)
    idents = sorted(i for i, ks in identifiers.items() if ks)[:MAX_DRAWN]
    ipos = {label: _on_ring(i, len(idents), inner, centre, 0.5) for i, label in enumerate(idents)}
    parts = [f'<svg class="graph" viewBox="0 0 {size} {size}" role="img" aria-label="Link graph: '
             f'{len(keys)} reports, {len(idents)} shared identifiers">']
    for label in idents:
        x, y = ipos[label]
        for k in sorted(identifiers[label]):
            rx, ry = pos[k]
            parts.append(f'<line x1="{rx:.1f}" y1="{ry:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#8a97a6"/>')
    for i, k in enumerate(keys):
        x, y = pos[k]
        for j, case in enumerate(priors.get(k, [])[:3]):
            px, py = _on_ring(i, len(keys), outer + 40 + 16 * j, centre)
            parts.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{px:.1f}" y2="{py:.1f}" stroke="#7b3fa0"/>'
                         f'<rect x="{px - 6:.1f}" y="{py - 6:.1f}" width="12" height="12" fill="#7b3fa0" '
                         f'transform="rotate(45 {px:.1f} {py:.1f})"><title>prior record {escape(case)}</title></rect>')
    for label in idents:
        x, y = ipos[label]
        parts.append(f'<rect class="identifier" x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" '
                     f'fill="#444"><title>{escape(label)}</title></rect>')
    for r, k in zip(shown, keys, strict=True):
        x, y = pos[k]
        tier = r.tier or "unranked"
        parts.append(f'<a href="/reports/{escape(k)}"><circle class="report" cx="{x:.1f}" cy="{y:.1f}" r="11" '
                     f'fill="{TIER_COLOURS[tier]}"><title>report {escape(r.report_id)} {tier}</title></circle>'
                     f'<text x="{x:.1f}" y="{y + 24:.1f}" font-size="10" text-anchor="middle">'
                     f'{escape(r.report_id[-8:])}</text></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _on_ring(i: int, n: int, radius: float, centre: float, offset: float = 0.0) -> tuple[float, float]:
    angle = 2 * math.pi * (i + offset) / max(n, 1) - math.pi / 2
    return centre + radius * math.cos(angle), centre + radius * math.sin(angle)


def funnel(steps: list[tuple[str, int]], label: str, width: int = 560) -> Markup:
    """A funnel: one centred bar a step, its count and its share of the step before (packages → … → convictions)."""
    top = max((n for _, n in steps), default=0) or 1
    height = 30 * len(steps) + 4
    parts = [f'<svg class="chart funnel" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}: '
             + escape(", ".join(f"{name} {n:,}" for name, n in steps)) + '">']
    previous = None
    for i, (name, n) in enumerate(steps):
        w = max(n / top * (width - 300), 1)
        y = 4 + i * 30
        share = f" ({n / previous:.0%} of the step before)" if previous else ""
        parts.append(f'<text x="0" y="{y + 17}" font-size="12">{escape(name)}</text>'
                     f'<rect x="{130 + (width - 300 - w) / 2:.1f}" y="{y}" width="{w:.1f}" height="22" '
                     f'fill="#2c6e9e"><title>{escape(name)}: {n:,}{share}</title></rect>'
                     f'<text x="{width - 160}" y="{y + 17}" font-size="12">{n:,}{escape(share)}</text>')
        previous = n or None
    parts.append("</svg>")
    return Markup("".join(parts))
