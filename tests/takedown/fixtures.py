"""Synthetic URL reports: reserved domains (example.org, .test), and addresses of well-known public resolvers and
registries where a real hosting country is needed (84.200.69.80 DNS.WATCH: DE; 193.0.14.129 RIPE NCC's k-root: NL;
80.67.169.12 FDN: FR), documentation ranges otherwise."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPORTED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
DE_IP, NL_IP, FR_IP, DOC_IP = "84.200.69.80", "193.0.14.129", "80.67.169.12", "203.0.113.9"
SHA1 = "3f786850e387550fdab836ed7e6dc881de23001b"


def url_report(reference: str, url: str, *, hotline: str = "HU-NMHH", assessment: str = "baseline",
               reported_at: datetime = REPORTED, **more: Any) -> dict[str, Any]:
    return {"hotline": hotline, "reference": reference, "url": url, "assessment": assessment,
            "reported_at": reported_at.isoformat(), **more}


def write_jsonl(path: Path, *records: dict[str, Any] | str) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path
