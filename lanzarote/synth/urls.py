"""Synthetic URL reports from hotlines, for tests, the demo and the benchmark: URLs on reserved domains only
(example.org, example.com, example.net, `.test`, `.example`), hosting addresses of well-known public resolvers and
registries where a real country is wanted (the registry data places them) and documentation ranges otherwise;
assessments in INHOPE's 2024 proportions (about 65 % illegal); some URLs and hashes come back."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

HOSTING = (  # (address, the country the registry data gives it): public resolvers and registries' servers
    ("84.200.69.80", "DE"), ("194.150.168.168", "DE"), ("193.0.14.129", "NL"), ("80.80.80.80", "NL"),
    ("80.67.169.12", "FR"), ("212.27.40.240", "FR"), ("8.8.8.8", "US"), ("9.9.9.9", "US"),
    ("91.239.100.100", "DK"), ("193.17.47.1", "CZ"), ("130.59.31.248", "CH"), ("195.130.130.2", "BE"),
    ("89.38.0.1", "RO"), ("195.175.39.39", "TR"), ("77.88.8.8", "RU"), ("101.101.101.101", "TW"),
    ("193.183.98.154", "SE"), ("212.230.255.1", "ES"), ("62.40.32.33", "IE"), ("1.1.1.1", "AU"),
)
DOCUMENTATION = ("192.0.2.", "198.51.100.", "203.0.113.")
DOMAINS = ("example.org", "example.com", "example.net", "files.test", "gallery.test", "host.example")
HOTLINES = ("HU-NMHH", "LV-DROSSINTERNETS", "RO-ESCABUZ", "NL-EOKM", "DE-ECO", "GB-IWF", "FR-POINTDECONTACT")
ASSESSMENTS = (("baseline", 50), ("nationally_illegal", 15), ("not_illegal", 30), ("not_assessed", 5))


def url_reports(n: int, seed: int = 1, start: datetime = datetime(2025, 1, 1, tzinfo=UTC)) -> Iterator[dict[str, Any]]:
    """`n` URL reports in the native JSON shape, oldest first, over about a year."""
    rng = random.Random(seed)
    names = [name for name, _ in ASSESSMENTS]
    weights = [weight for _, weight in ASSESSMENTS]
    seen: list[tuple[str, str]] = []
    step = timedelta(days=365) / max(n, 1)
    for i in range(n):
        when = start + step * i
        if seen and rng.random() < 0.05:
            url, ip = rng.choice(seen)  # the same URL again (a duplicate, or back after removal)
        else:
            host = f"{rng.choice(('img', 'cdn', 'share', 'u'))}{rng.randrange(5000)}.{rng.choice(DOMAINS)}"
            url = f"https://{host}/{rng.choice(('a', 'g', 'p', 'view'))}/{rng.getrandbits(40):x}"
            ip = rng.choice(HOSTING)[0] if rng.random() < 0.9 else f"{rng.choice(DOCUMENTATION)}{rng.randrange(1, 255)}"
            seen.append((url, ip))
        record: dict[str, Any] = {
            "hotline": rng.choice(HOTLINES), "reference": f"SYN-{seed}-{i:07d}", "url": url,
            "assessment": rng.choices(names, weights)[0], "reported_at": when.isoformat(), "ip": ip}
        if rng.random() < 0.6:
            record["hash"] = {"type": "SHA1", "value": hashlib.sha1(f"{seed}:{rng.randrange(n)}".encode()).hexdigest()}
        yield record


def as_jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def as_csv(records: list[dict[str, Any]]) -> str:
    """The same reports as a hotline's CSV export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Report ID", "Reporting Hotline", "Reported URL", "Classification", "Date Reported",
                     "Hash Type", "Hash", "IP Address"])
    for r in records:
        writer.writerow([r["reference"], r["hotline"], r["url"], r["assessment"].replace("_", " "), r["reported_at"],
                         r["hash"]["type"] if "hash" in r else "", r["hash"]["value"] if "hash" in r else "",
                         r["ip"]])
    return buffer.getvalue()
