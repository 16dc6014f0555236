"""Readers for the hash-list formats units receive. Each yields entries, or `Malformed` with a line number, and never
stops at a bad line (a VICS file with broken JSON resumes at the next entry it can find).

- `vics`: Project VIC VICS JSON (OData envelope `@odata.context` + `value`), streamed entry by entry.
- `ncmec`: NCMEC-style hash-sharing CSV, one fingerprint a row (`id,fingerprint_type,fingerprint[,category,
  victim_identified,series,tags]`); types other than MD5/SHA1/SHA256/PDQ/VPDQ are kept as opaque data (a VPDQ
  fingerprint is the video's frame PDQs separated by spaces, commas or semicolons).
- `te`: ThreatExchange-style PDQ CSV (`hash,id,tags`, header optional).
- `text`: one hash a line (`#` comments; `type:value` or the type from the length: 32 MD5, 40 SHA-1,
  64 SHA-256 unless the import says PDQ, which only settles 64-digit lines).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lanzarote.model.media import HashType

Format = Literal["vics", "ncmec", "te", "text"]
FORMATS: tuple[str, ...] = ("vics", "ncmec", "te", "text")

_HEX_DIGITS = "0123456789abcdef"
_LENGTHS = {HashType.MD5: 32, HashType.SHA1: 40, HashType.SHA256: 64, HashType.PDQ: 64}
_TYPE_NAMES = {"md5": HashType.MD5, "sha1": HashType.SHA1, "sha-1": HashType.SHA1, "sha256": HashType.SHA256,
               "sha-256": HashType.SHA256, "pdq": HashType.PDQ, "photodna": HashType.PHOTODNA,
               "vpdq": HashType.VPDQ}
_READ = 1 << 20
_LONGEST_ENTRY_READS = 16
"""An entry that still does not parse with this many reads of text after it is broken, not cut off."""


@dataclass(slots=True)
class Entry:
    """One list entry: an id, what the list says about it, and its hashes (normalised lower-case hex)."""

    entry_id: str
    hashes: list[tuple[HashType, str]]
    category: str | None = None
    victim_identified: bool | None = None
    series: str | None = None
    distributed: bool | None = None
    tags: list[str] = field(default_factory=list)
    opaque: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Malformed:
    line: int
    reason: str


def hash_type_of(name: str) -> HashType:
    return _TYPE_NAMES.get(name.strip().lower().replace("_", ""), HashType.OTHER)


def checked(kind: HashType, value: str) -> str | None:
    """The normalised hex value, or None when it is not a well-formed hash of that type. A vPDQ value is its frames'
    PDQ hashes separated by spaces, commas or semicolons; it is normalised to the distinct ones joined by commas."""
    if kind is HashType.VPDQ:
        frames = [checked(HashType.PDQ, f) for f in re.split(r"[\s,;]+", value.strip()) if f]
        if not frames or any(f is None for f in frames):
            return None
        return ",".join(dict.fromkeys(f for f in frames if f is not None))
    value = value.strip().lower()
    if len(value) != _LENGTHS.get(kind) or value.strip(_HEX_DIGITS):
        return None
    return value


def _boolean(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "y"):
        return True
    if text in ("false", "no", "0", "n"):
        return False
    return None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def read(path: Path, fmt: str, hash_type: str | None = None) -> Iterator[Entry | Malformed]:
    if fmt == "vics":
        return read_vics(path)
    if fmt == "ncmec":
        return read_ncmec(path)
    if fmt == "te":
        return read_te(path)
    if fmt == "text":
        return read_text(path, hash_type_of(hash_type) if hash_type else None)
    raise ValueError(f"unknown list format {fmt!r}; use one of {', '.join(FORMATS)}")


# --- VICS -------------------------------------------------------------------------------------------------------

_VICS_HASHES = (("MD5", HashType.MD5), ("SHA1", HashType.SHA1), ("SHA256", HashType.SHA256), ("PDQ", HashType.PDQ))


def vics_entry(obj: Any, line: int) -> Entry | Malformed:
    """A VICS media entry; MD5/SHA1 at the top and in `MediaFiles`, a non-standard `PDQ` field, PhotoDNA kept."""
    if not isinstance(obj, dict):
        return Malformed(line, "entry is not a JSON object")
    media_id = _text(obj.get("MediaID"))
    found: list[tuple[HashType, str]] = []
    bad: list[str] = []
    files = obj.get("MediaFiles")
    sources = [obj, *[f for f in files if isinstance(f, dict)]] if isinstance(files, list) else [obj]
    for source in sources:
        for key, kind in _VICS_HASHES:
            raw = source.get(key)
            if not raw:
                continue
            value = checked(kind, str(raw))
            if value is None:
                bad.append(f"{key} {str(raw)[:70]!r}")
            elif (kind, value) not in found:
                found.append((kind, value))
    opaque = {k: obj[k] for k in ("PhotoDNA",) if obj.get(k)}
    if not found:
        reason = "no usable MD5/SHA1/PDQ" + (f" (malformed: {', '.join(bad)})" if bad else "")
        return Malformed(line, reason)
    if media_id is None:
        media_id = found[0][1]
    tags = obj.get("Tags") or []
    return Entry(
        entry_id=media_id, hashes=found, category=_text(obj.get("Category")),
        victim_identified=_boolean(obj.get("VictimIdentified")), series=_text(obj.get("Series")),
        distributed=_boolean(obj.get("IsDistributed")),
        tags=[str(t) for t in tags] if isinstance(tags, list) else [str(tags)], opaque=opaque,
    )


def read_vics(path: Path) -> Iterator[Entry | Malformed]:
    """Stream the `value` array of a VICS file, one `raw_decode` per entry, without loading the whole file."""
    decoder = json.JSONDecoder()
    value_start = re.compile(r'"value"\s*:\s*\[')
    resume_at = re.compile(r",\s*\{")
    with path.open(encoding="utf-8", errors="replace") as stream:
        buf = stream.read(_READ)
        start = value_start.search(buf)
        while start is None:
            more = stream.read(_READ)
            if not more:
                yield Malformed(1, 'no "value" array: not a VICS (OData) file')
                return
            buf += more
            start = value_start.search(buf)
        pos, eof = start.end(), False
        line, mark = 1, 0  # `line` is the line number at offset `mark` of `buf`

        def line_at(offset: int) -> int:
            nonlocal line, mark
            line += buf.count("\n", mark, offset)
            mark = offset
            return line

        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if not eof and len(buf) - pos < _READ // 4:
                more = stream.read(_READ)
                eof = not more
                line_at(pos)
                buf, pos, mark = buf[pos:] + more, 0, 0
                if pos >= len(buf) and eof:
                    return
                continue
            if pos >= len(buf) or buf[pos] == "]":
                return
            try:
                obj, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if not eof and len(buf) - pos < _LONGEST_ENTRY_READS * _READ:
                    more = stream.read(_READ)
                    eof = not more
                    line_at(pos)
                    buf, pos, mark = buf[pos:] + more, 0, 0
                    continue
                yield Malformed(line_at(exc.pos), f"broken JSON: {exc.msg}")
                resume = resume_at.search(buf, exc.pos)
                if resume is None:
                    return
                pos = resume.start() + 1
                continue
            yield vics_entry(obj, line_at(pos))
            pos = end


# --- CSV formats --------------------------------------------------------------------------------------------------

def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as stream:
        reader = csv.reader(stream)
        try:
            for row in reader:
                if row and not (len(row) == 1 and not row[0].strip()) and not row[0].startswith("#"):
                    yield reader.line_num, [c.strip() for c in row]
        except csv.Error as exc:
            yield reader.line_num, ["\x00csv", str(exc)]


_NCMEC_COLUMNS = {
    "id": ("id", "hash_id", "entry_id", "hashid", "media_id"),
    "type": ("fingerprint_type", "type", "hash_type", "fingerprinttype"),
    "value": ("fingerprint", "value", "hash", "hash_value"),
    "category": ("category", "classification"),
    "victim_identified": ("victim_identified", "victimidentified", "identified"),
    "series": ("series",),
    "tags": ("tags",),
}


def read_ncmec(path: Path) -> Iterator[Entry | Malformed]:
    columns: dict[str, int] | None = None
    for line, row in _rows(path):
        if row[0] == "\x00csv":
            yield Malformed(line, f"CSV error: {row[1]}")
            continue
        if columns is None:
            lower = [c.lower() for c in row]
            columns = {key: next(i for i, c in enumerate(lower) if c in names)
                       for key, names in _NCMEC_COLUMNS.items() if any(c in names for c in lower)}
            if not {"id", "type", "value"} <= columns.keys():
                yield Malformed(line, "header needs id, fingerprint_type and fingerprint columns")
                return
            continue

        def cell(key: str, row: list[str] = row, columns: dict[str, int] = columns) -> str:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else ""

        entry_id, type_name, value = cell("id"), cell("type"), cell("value")
        if not entry_id or not value:
            yield Malformed(line, "missing id or fingerprint")
            continue
        kind = hash_type_of(type_name)
        meta: dict[str, Any] = {
            "category": _text(cell("category")), "victim_identified": _boolean(cell("victim_identified")),
            "series": _text(cell("series")), "tags": [t for t in re.split(r"[\s;|]+", cell("tags")) if t],
        }
        if kind in (HashType.OTHER, HashType.PHOTODNA):
            yield Entry(entry_id=entry_id, hashes=[], opaque={"type": type_name, "fingerprint": value}, **meta)
            continue
        normal = checked(kind, value)
        if normal is None:
            yield Malformed(line, f"{type_name} fingerprint {value[:70]!r} is not well formed")
            continue
        yield Entry(entry_id=entry_id, hashes=[(kind, normal)], **meta)


def read_te(path: Path) -> Iterator[Entry | Malformed]:
    first = True
    for line, row in _rows(path):
        if row[0] == "\x00csv":
            yield Malformed(line, f"CSV error: {row[1]}")
            continue
        if first:
            first = False
            if checked(HashType.PDQ, row[0]) is None and row[0].lower() in ("hash", "pdq", "signal", "indicator"):
                continue
        value = checked(HashType.PDQ, row[0])
        if value is None:
            yield Malformed(line, f"{row[0][:70]!r} is not a 64-hex-digit PDQ hash")
            continue
        entry_id = row[1] if len(row) > 1 and row[1] else value
        tags = [t for cell in row[2:] for t in re.split(r"[\s;|,]+", cell) if t]
        yield Entry(entry_id=entry_id, hashes=[(HashType.PDQ, value)], tags=tags)


def read_text(path: Path, given: HashType | None = None) -> Iterator[Entry | Malformed]:
    by_length = {32: HashType.MD5, 40: HashType.SHA1, 64: given or HashType.SHA256}
    with path.open(encoding="utf-8", errors="replace") as stream:
        for line, raw in enumerate(stream, start=1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            if ":" in text:
                name, _, text = text.partition(":")
                kind = hash_type_of(name)
            else:
                text = text.split()[0]
                kind = by_length.get(len(text), given or HashType.OTHER)
            value = checked(kind, text)
            if value is None:
                yield Malformed(line, f"{text[:70]!r} is not a well-formed {kind.value} hash")
                continue
            yield Entry(entry_id=f"{kind.value}:{value}", hashes=[(kind, value)])
