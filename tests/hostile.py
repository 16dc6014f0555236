"""A hostile corpus, generated: documents an attacker (or a broken exporter) sends, mixed with valid synthetic ones.

`write_corpus(folder)` writes the valid synthetic reports under `valid/` and at least 200 hostile documents under
`hostile/`, and returns which is which. Nothing is checked in: every document is made here, from fictional
identities (example.org, documentation IP ranges) and texts in the register of case summaries.

The settings the corpus is meant to be read with are `CORPUS_SETTINGS` (a small document limit and file limit, so
that "too large" and "too many" cases stay small on disk).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lanzarote.synth import generate
from tests.samples import file_details_xml, report_xml

CORPUS_SETTINGS = {"LANZAROTE_MAX_DOCUMENT_BYTES": "200000", "LANZAROTE_MAX_FILES_PER_REPORT": "50"}
VARIANTS = 8
"""Copies of each hostile kind (with different ids), so that the corpus holds well over 200 hostile documents."""


def native(source_id: str, **fields: Any) -> dict[str, Any]:
    """A valid native report from a citizen, with `fields` laid over it."""
    report: dict[str, Any] = {
        "source": "citizen", "source_id": source_id, "origin": "citizen",
        "received_at": "2026-01-05T10:00:00+01:00",
        "incident_description": "A parent reports messages sent to a 13-year-old asking for photographs.",
        "parties": [{"role": "reported", "screen_name": "example_user", "emails": [{"address": "x@example.org"}],
                     "ip_capture_events": [{"ip_address": "192.0.2.44", "event": "Login",
                                            "at": "2026-01-04T20:00:00Z", "port": 44321}]}],
    }
    report.update(fields)
    return report


def _party(**fields: Any) -> list[dict[str, Any]]:
    return [{"role": "reported", **fields}]


def _events(**fields: Any) -> list[dict[str, Any]]:
    return _party(ip_capture_events=[{"ip_address": "198.51.100.7", **fields}])


def _files(n: int) -> list[dict[str, Any]]:
    return [{"file_id": f"f{k}", "hashes": [{"type": "MD5", "value": f"{k:032x}"}]} for k in range(n)]


NATIVE_KINDS: dict[str, Callable[[str], dict[str, Any]]] = {
    "received-far-future": lambda i: native(i, received_at="9999-12-31T23:59:59-05:00"),
    "received-year-one": lambda i: native(i, received_at="0001-01-01T00:00:00+05:00"),
    "received-next-decade": lambda i: native(i, received_at="2090-06-01T00:00:00Z"),
    "incident-year-10000": lambda i: native(i, incident_at="10000-01-01T00:00:00Z"),
    "provenance-year-9999": lambda i: native(i, provenance=[{"actor": "NCMEC", "at": "9999-01-01T00:00:00Z"}]),
    "birth-year-one": lambda i: native(i, parties=_party(date_of_birth="0001-01-01")),
    "source-id-250": lambda i: native(i + "x" * 250),
    "source-150": lambda i: {**native(i), "source": "s" * 150},
    "source-id-slash": lambda i: native(f"{i}/../../admin"),
    "source-id-escape": lambda i: native(f"{i}\u001b[31m"),
    "source-id-empty": lambda i: native(""),
    "age-10-26": lambda i: native(i, parties=_party(age=10**26)),
    "age-negative": lambda i: native(i, parties=_party(age=-3)),
    "port-minus-10-24": lambda i: native(i, parties=_events(port=-(10**24))),
    "port-70000": lambda i: native(i, parties=_events(port=70_000)),
    "email-5000": lambda i: native(i, parties=_party(emails=[{"address": "a" * 5000 + "@example.org"}])),
    "account-1000": lambda i: native(i, parties=_party(esp_identifier="9" * 1000)),
    "platform-500": lambda i: native(i, platform="P" * 500),
    "file-id-300": lambda i: native(i, files=[{"file_id": "f" * 300}]),
    "too-many-files": lambda i: native(i, files=_files(51)),
    "md5-of-500": lambda i: native(i, files=[{"file_id": "f1", "hashes": [{"type": "MD5", "value": "a" * 500}]}]),
    "too-many-people": lambda i: native(i, parties=[{"role": "victim"}] * 1001),
    "nul-in-text": lambda i: native(i, incident_description="Summary\u0000 with a NUL"),
    "lone-surrogate": lambda i: native(i, incident_description="half a pair \ud800 here"),
    "unknown-field": lambda i: native(i, priority_override="P1"),
    "wrong-type": lambda i: native(i, parties="everyone"),
}
"""Native JSON reports each of which must end in quarantine with a reason."""

RAW_NATIVE: dict[str, Callable[[str], bytes]] = {
    "not-json": lambda i: b'{"source": "citizen", "source_id": "' + i.encode() + b'", ',
    "array": lambda i: json.dumps([native(i)]).encode(),
    "deep-nesting": lambda i: b"[" * 100_000 + b"]" * 100_000,
    "invalid-utf8": lambda i: b'{"source": "citizen", "source_id": "' + i.encode() + b'\xff\xfe"}',
    "oversize": lambda i: json.dumps(native(i, incident_description="long " * 60_000)).encode(),
}
"""Native documents broken below the JSON level."""


def _xml_with(i: int, old: str, new: str) -> bytes:
    text = report_xml(additional_info=f"Variant {i}.").decode()
    assert old in text, old
    return text.replace(old, new, 1).encode()


XML_KINDS: dict[str, Callable[[int], tuple[str, bytes]]] = {
    "xxe": lambda i: (f"9300{i:04d}", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                      b"<report><incidentSummary><incidentType>&x;</incidentType></incidentSummary></report>"),
    "billion-laughs": lambda i: (f"9301{i:04d}", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                                 + b"".join(f'<!ENTITY a{k} "{("&a" + str(k - 1) + ";") * 10}">'.encode()
                                            for k in range(1, 10)).replace(b"&a0;", b"&a;")
                                 + b"]><report>&a9;</report>"),
    "malformed": lambda i: (f"9302{i:04d}", report_xml()[:-40]),
    "wrong-root": lambda i: (f"9303{i:04d}", b"<?xml version='1.0'?><invoice><total>1</total></invoice>"),
    "incident-9999": lambda i: (f"9304{i:04d}", _xml_with(i, "2026-03-05T14:30:00Z", "9999-12-31T23:59:59-05:00")),
    "incident-year-one": lambda i: (f"9305{i:04d}", _xml_with(i, "2026-03-05T14:30:00Z", "0001-01-01T00:00:00+05:00")),
    "age-10-26": lambda i: (f"9306{i:04d}", _xml_with(i, "<dateOfBirth>1980-01-02</dateOfBirth>",
                                                      f"<age>{10**26}</age>")),
    "port-minus-10-24": lambda i: (f"9307{i:04d}", _xml_with(i, "<eventName>Upload</eventName>",
                                                             f"<eventName>Upload</eventName><port>{-(10**24)}</port>")),
    "id-250": lambda i: (f"{i}" + "9" * 240, report_xml()),
    "files-for-id-250": lambda i: (f"9308{i:04d}-f1", file_details_xml("8" * 250)),
    "invalid-utf8": lambda i: (f"9309{i:04d}", report_xml().replace(b"Mustermann", b"Muster\xff\xfemann")),
}
"""CyberTipline XML documents (named by their report id) each of which must end in quarantine."""


@dataclass
class Corpus:
    folder: Path
    valid_reports: int
    hostile: list[str] = field(default_factory=list)
    """Where each hostile document is, relative to the folder (a JSON Lines record as 'file.jsonl:N')."""


def write_corpus(folder: Path, reports: int = 1000) -> Corpus:
    """The valid synthetic reports and the hostile documents, written under `folder`."""
    summary = generate(folder / "valid", reports, seed=17, workers=1)
    for not_a_report in ("ground-truth.jsonl", "hashlists/synthetic-vics.json"):
        (folder / "valid" / not_a_report).unlink()
    corpus = Corpus(folder, summary.reports)
    hostile = folder / "hostile"
    for sub in ("native", "xml", "zip"):
        (hostile / sub).mkdir(parents=True)

    def put(relative: str, content: bytes) -> None:
        (folder / relative).write_bytes(content)
        corpus.hostile.append(relative)

    for n in range(VARIANTS):
        for kind, make in NATIVE_KINDS.items():
            put(f"hostile/native/{kind}-{n}.json", json.dumps(make(f"H-{kind}-{n}")).encode())
        for kind, raw in RAW_NATIVE.items():
            put(f"hostile/native/{kind}-{n}.json", raw(f"R-{kind}-{n}"))
        for kind, xml in XML_KINDS.items():
            stem, content = xml(n)
            (hostile / "xml" / kind).mkdir(exist_ok=True)
            put(f"hostile/xml/{kind}/{stem}.xml", content)
    _mixed_lines(folder, corpus)
    _archives(folder, corpus)
    return corpus


def _mixed_lines(folder: Path, corpus: Corpus) -> None:
    """One JSON Lines file where each hostile record follows a valid one (a bad line must not lose its
    neighbours), and one whose single line is too long."""
    lines = []
    for n, (kind, make) in enumerate(NATIVE_KINDS.items()):
        lines.append(json.dumps(native(f"L-valid-{n}")))
        lines.append(json.dumps(make(f"L-{kind}")))
        corpus.hostile.append(f"hostile/mixed.jsonl:{len(lines)}")
    (folder / "hostile" / "mixed.jsonl").write_text("\n".join(lines) + "\n")
    corpus.valid_reports += len(NATIVE_KINDS)
    one_line = json.dumps(native("L-one-line", incident_description="x" * 2_000_000)).encode()
    (folder / "hostile" / "one-line.jsonl").write_bytes(one_line)
    corpus.hostile.append("hostile/one-line.jsonl:1")


def _archives(folder: Path, corpus: Corpus) -> None:
    """Zip bombs (one entry, and many entries each within the ratio of a naive check), a zip slip and a non-zip."""
    zips = folder / "hostile" / "zip"
    with zipfile.ZipFile(zips / "many-megabytes.zip", "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for k in range(300):
            zf.writestr(f"r{k:03d}.json", b" " * 1_000_000)
    with zipfile.ZipFile(zips / "one-bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("90000001.xml", b"<report>" + b" " * 30_000_000 + b"</report>")
    with zipfile.ZipFile(zips / "slip.zip", "w") as zf:
        zf.writestr("../../outside.json", json.dumps(native("Z-slip")))
    (zips / "not-a.zip").write_bytes(b"PK\x03\x04 but nothing after")
    corpus.hostile += [f"hostile/zip/{n}" for n in ("many-megabytes.zip", "one-bomb.zip", "slip.zip", "not-a.zip")]


def hostile_of(location: str, corpus: Corpus) -> str | None:
    """Which hostile document a quarantine entry's location belongs to (None: a valid document's location).

    Read from a folder, a location is the corpus's own path. Sent over the API, a document lands in an upload
    folder (`…/uploads/<when>-<who>/mixed.jsonl:3`): the documents travel in `bundle.zip` (a location
    `…/bundle.zip!hostile/…`), archives and JSON Lines files on their own, known by their names."""
    if "/uploads/" in location:
        uploaded = location.split("/uploads/", 1)[1].split("/", 1)[1]
        if uploaded.startswith("bundle.zip!"):
            relative, names = uploaded.removeprefix("bundle.zip!"), False
        else:
            relative, names = uploaded, True
    else:
        relative, names = location.split(str(corpus.folder) + "/", 1)[-1], False
    archive = relative.split("!", 1)[0]
    for known in corpus.hostile:
        name = known.rsplit("/", 1)[-1] if names else known
        if relative == name or archive == name:
            return known
    return None
