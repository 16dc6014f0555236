"""The hash lists a unit has installed, persisted under one folder, and the matcher built from them.

Each list lives in its own sub-folder: `list.json` (name, source, format, allow list or not, PDQ threshold, counts,
version), `columns.json` (per row: entry id, category, victim identified, series, distributed), `alive.npy` (rows
removed by updates are cleared, never rewritten), sorted exact-hash keys per type (`exact-md5.npy` + rows), and the
PDQ index (`pdq/`, see `pdq_index`). Updating a list appends rows; an entry imported again replaces its old rows.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from lanzarote.errors import InputRejected, NotFound
from lanzarote.media import categories as category_schemes
from lanzarote.media.formats import FORMATS, Entry, Malformed, read
from lanzarote.media.hashing import FileHashes
from lanzarote.media.pdq_index import MAX_THRESHOLD, PdqIndex, hashes_from_hex
from lanzarote.model.media import FileVerdict, HashMatch, HashType, Verdict
from lanzarote.model.report import Report

EXACT_TYPES: dict[HashType, int] = {HashType.MD5: 16, HashType.SHA1: 20, HashType.SHA256: 32}
FLOOD_MATCHES = 50
"""A list entry matching more files than this in one run is flood-flagged (a list error or a benign viral image)."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_COLUMNS = ("entry_id", "category", "victim_identified", "series", "distributed")
_PROGRESS_EVERY = 10_000
_PROBLEMS_KEPT = 1000


class ListInfo(BaseModel):
    """What `hashes lists` shows about one installed list."""

    model_config = ConfigDict(frozen=True)

    name: str
    source: str
    format: str
    allow: bool = False
    threshold: int
    entries: int = 0
    """Live rows (one per entry and hash set)."""
    malformed: int = 0
    categories: str = "as-written"
    """The category scheme (see `categories.yaml`) the list's categories are read with."""
    categories_version: str | None = None
    version: int = 1
    imported_at: datetime
    updated_at: datetime


class ImportSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    read: int
    added: int
    replaced: int
    removed: int
    malformed: int
    problems: tuple[str, ...] = ()
    """'line N: reason' for the first malformed lines (all are counted)."""
    version: int


@dataclass
class _Rows:
    """A list's rows in memory while importing."""

    columns: dict[str, list[Any]]
    alive: npt.NDArray[np.uint8]
    by_id: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> _Rows:
        if not (folder / "columns.json").exists():
            return cls({c: [] for c in _COLUMNS}, np.zeros(0, dtype=np.uint8))
        columns = json.loads((folder / "columns.json").read_text())
        alive = np.array(np.load(folder / "alive.npy", allow_pickle=False), copy=True)
        return cls(columns, alive)

    def index_ids(self) -> None:
        self.by_id = {}
        for row, entry_id in enumerate(self.columns["entry_id"]):
            if self.alive[row]:
                self.by_id.setdefault(entry_id, []).append(row)


def _slug_ok(name: str) -> str:
    if not _NAME.match(name):
        raise InputRejected(f"list name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return name


@dataclass(frozen=True)
class MatchSettings:
    """How hashes match; built from the settings by whoever runs the stage (`lanzarote.pipeline.settings`)."""

    pdq_threshold: int
    """PDQ Hamming distance of a match for a list imported without its own threshold."""
    pdq_min_quality: int
    """PDQ hashes (and video frames) of lower quality never match."""
    vpdq_match_fraction: float
    """Share of a video's usable frames that must match for a vPDQ match."""


class HashLibrary:
    """Installed hash lists under `directory` (the data folder's `hashlists/`), matched as `settings` say."""

    def __init__(self, directory: Path, settings: MatchSettings) -> None:
        self.directory = directory
        self.settings = settings

    def lists(self) -> list[ListInfo]:
        if not self.directory.exists():
            return []
        infos = [ListInfo.model_validate_json(p.read_text()) for p in sorted(self.directory.glob("*/list.json"))]
        return sorted(infos, key=lambda i: i.name)

    def info(self, name: str) -> ListInfo:
        path = self.directory / _slug_ok(name) / "list.json"
        if not path.exists():
            raise NotFound(f"no hash list named {name!r}")
        return ListInfo.model_validate_json(path.read_text())

    def remove(self, name: str) -> None:
        folder = self.directory / _slug_ok(name)
        if not (folder / "list.json").exists():
            raise NotFound(f"no hash list named {name!r}")
        shutil.rmtree(folder)

    def import_list(self, path: Path, name: str, fmt: str, allow: bool = False,
                    progress: Callable[[int], None] | None = None, *, threshold: int | None = None,
                    source: str | None = None, hash_type: str | None = None,
                    remove_entries: bool = False, categories: str | None = None) -> ImportSummary:
        """Import (or update) list `name` from `path`. With `remove_entries`, the file's entries are removed instead."""
        if fmt not in FORMATS:
            raise InputRejected(f"unknown list format {fmt!r}; use one of {', '.join(FORMATS)}")
        if not path.is_file():
            raise NotFound(f"{path}: no such file")
        if threshold is not None and not 0 <= threshold <= MAX_THRESHOLD:
            raise InputRejected(f"PDQ threshold must be between 0 and {MAX_THRESHOLD}")
        folder = self.directory / _slug_ok(name)
        now = datetime.now(UTC)
        old = self.info(name) if (folder / "list.json").exists() else None
        if old is None and remove_entries:
            raise NotFound(f"no hash list named {name!r}")
        scheme_name = categories or (old.categories if old else category_schemes.AS_WRITTEN)
        schemes = category_schemes.load()
        schemes.get(scheme_name)  # an unknown scheme is refused before anything is written
        rows = _Rows.load(folder)
        rows.index_ids()
        counts = {"read": 0, "added": 0, "replaced": 0, "removed": 0, "malformed": 0}
        problems: list[str] = []
        new_hashes: dict[HashType, list[tuple[str, int]]] = {t: [] for t in (*EXACT_TYPES, HashType.PDQ,
                                                                             HashType.VPDQ)}
        dead: list[int] = []
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "opaque.jsonl").open("a", encoding="utf-8") as opaque:
            for item in read(path, fmt, hash_type):
                if isinstance(item, Malformed):
                    counts["malformed"] += 1
                    if len(problems) < _PROBLEMS_KEPT:
                        problems.append(f"line {item.line}: {item.reason}")
                    continue
                counts["read"] += 1
                if progress is not None and counts["read"] % _PROGRESS_EVERY == 0:
                    progress(_PROGRESS_EVERY)
                previous = rows.by_id.pop(item.entry_id, None)
                if previous:
                    dead.extend(previous)
                    counts["removed" if remove_entries else "replaced"] += 1
                if remove_entries:
                    continue
                self._append(rows, item, new_hashes, opaque)
                counts["added"] += 0 if previous else 1
        if progress is not None:
            progress(counts["read"] % _PROGRESS_EVERY)
        self._store(folder, rows, new_hashes, dead)
        if threshold is None:
            threshold = old.threshold if old else self.settings.pdq_threshold
        info = ListInfo(
            name=name, source=source or (old.source if old else path.name), format=fmt,
            allow=allow if old is None else (old.allow or allow),
            threshold=threshold, categories=scheme_name, categories_version=schemes.version,
            entries=int(rows.alive.sum()), malformed=(old.malformed if old else 0) + counts["malformed"],
            version=(old.version + 1) if old else 1, imported_at=old.imported_at if old else now, updated_at=now,
        )
        tmp = folder / "list.json.tmp"
        tmp.write_text(info.model_dump_json(indent=1))
        tmp.replace(folder / "list.json")
        return ImportSummary(name=name, problems=tuple(problems), version=info.version, **counts)

    @staticmethod
    def _append(rows: _Rows, entry: Entry, new_hashes: dict[HashType, list[tuple[str, int]]], opaque: Any) -> None:
        row = len(rows.columns["entry_id"])
        rows.columns["entry_id"].append(entry.entry_id)
        rows.columns["category"].append(entry.category)
        rows.columns["victim_identified"].append(entry.victim_identified)
        rows.columns["series"].append(entry.series)
        rows.columns["distributed"].append(entry.distributed)
        for kind, value in entry.hashes:
            if kind in new_hashes:
                new_hashes[kind].append((value, row))
        if entry.opaque or entry.tags:
            opaque.write(json.dumps({"row": row, "tags": entry.tags, **entry.opaque}) + "\n")

    @staticmethod
    def _store(folder: Path, rows: _Rows, new_hashes: dict[HashType, list[tuple[str, int]]],
               dead: list[int]) -> None:
        total = len(rows.columns["entry_id"])
        alive = np.ones(total, dtype=np.uint8)
        alive[: len(rows.alive)] = rows.alive
        if dead:
            alive[np.asarray(dead, dtype=np.int64)] = 0
        rows.alive = alive
        for kind, width in EXACT_TYPES.items():
            keys_path, rows_path = folder / f"exact-{kind.value}.npy", folder / f"exact-{kind.value}-rows.npy"
            keys = np.load(keys_path, allow_pickle=False) if keys_path.exists() else np.zeros(0, dtype=f"S{width}")
            key_rows = np.load(rows_path, allow_pickle=False) if rows_path.exists() else np.zeros(0, dtype=np.int64)
            added = new_hashes[kind]
            if added:
                fresh = np.frombuffer(bytes.fromhex("".join(v for v, _ in added)), dtype=f"S{width}")
                keys = np.concatenate([keys, fresh])
                key_rows = np.concatenate([key_rows, np.array([r for _, r in added], dtype=np.int64)])
            live = alive[key_rows] == 1
            keys, key_rows = keys[live], key_rows[live]
            order = np.argsort(keys, kind="stable")
            np.save(keys_path, keys[order], allow_pickle=False)
            np.save(rows_path, key_rows[order], allow_pickle=False)
        for kind, sub in ((HashType.PDQ, "pdq"), (HashType.VPDQ, "vpdq")):
            index = PdqIndex(folder / sub)
            if dead:
                index.remove(np.asarray(dead, dtype=np.int64))
            # a vPDQ value is its frames joined by commas: each frame is indexed with the entry's row
            frames = [(f, r) for v, r in new_hashes[kind] if alive[r] for f in v.split(",")]
            if frames:
                index.add(hashes_from_hex([f for f, _ in frames]), np.array([r for _, r in frames], dtype=np.int64))
        tmp = folder / "columns.json.tmp"
        tmp.write_text(json.dumps(rows.columns, separators=(",", ":")))
        tmp.replace(folder / "columns.json")
        np.save(folder / "alive.npy", alive, allow_pickle=False)

    def matcher(self) -> Matcher:
        """A matcher over every installed list, its kernels ready (see `Matcher.warm`); a list whose files are as
        a matcher before in this process found them is the one loaded then (reading a list of 70,000 entries again
        cost each run about half a second)."""
        matcher = Matcher([_loaded(self.directory / info.name, info, _files_of(self.directory / info.name))
                           for info in self.lists()], self.settings)
        matcher.warm()
        return matcher


def _files_of(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file of a list's folder with its size and time of change: a list changed in any way differs here."""
    stats = ((p, p.stat()) for p in folder.rglob("*") if p.is_file())
    return tuple(sorted((str(p.relative_to(folder)), st.st_size, st.st_mtime_ns) for p, st in stats))


@functools.lru_cache(maxsize=8)
def _loaded(folder: Path, info: ListInfo, files: tuple[tuple[str, int, int], ...]) -> _LoadedList:
    """The list in `folder` as `info` and its `files` describe it (remembered: a loaded list is never changed, only
    its matches made are remembered beside it)."""
    return _LoadedList.load(folder, info)


MATCHES_KEPT = 100_000
"""The most matches a loaded list remembers (some 50 MB)."""


@dataclass
class _LoadedList:
    info: ListInfo
    columns: dict[str, list[Any]]
    alive: npt.NDArray[np.uint8]
    exact: dict[HashType, tuple[npt.NDArray[Any], npt.NDArray[np.int64]]]
    pdq: PdqIndex
    vpdq: PdqIndex
    scheme: category_schemes.Scheme
    made: dict[tuple[int, HashType, int], HashMatch] = field(default_factory=dict, repr=False)
    """Matches already made, by row, hash type and distance: known material comes back in report after report, and
    a match is immutable (the rows do not change while the list is loaded). Forgotten when it holds MATCHES_KEPT."""

    @classmethod
    def load(cls, folder: Path, info: ListInfo) -> _LoadedList:
        rows = _Rows.load(folder)
        exact = {kind: (np.load(folder / f"exact-{kind.value}.npy", allow_pickle=False),
                        np.load(folder / f"exact-{kind.value}-rows.npy", allow_pickle=False))
                 for kind in EXACT_TYPES if (folder / f"exact-{kind.value}.npy").exists()}
        scheme = category_schemes.load().get(info.categories)
        return cls(info, rows.columns, rows.alive, exact, PdqIndex(folder / "pdq"), PdqIndex(folder / "vpdq"), scheme)

    def live(self, row: int) -> bool:
        """Is the row in the list? (Rows past the end belong to an import that was interrupted: ignored.)"""
        return row < len(self.alive) and bool(self.alive[row])

    def match_of(self, row: int, kind: HashType, distance: int) -> HashMatch:
        made = self.made.get((row, kind, distance))
        if made is not None:
            return made
        if len(self.made) >= MATCHES_KEPT:
            self.made.clear()
        c = self.columns
        category, non_pertinent = self.scheme.reading(c["category"][row])
        made = self.made[row, kind, distance] = HashMatch(
            list_name=self.info.name, entry_id=c["entry_id"][row], hash_type=kind, distance=distance,
            category=category, victim_identified=c["victim_identified"][row], series=c["series"][row],
            distributed=c["distributed"][row], suppressed_by_allow_list=non_pertinent,
        )
        return made


@dataclass
class FileQuery:
    """The hashes of one file to look up: exact digests and PDQ hashes (with the type they came from)."""

    file_id: str
    exact: list[tuple[HashType, str]] = field(default_factory=list)
    pdq: list[tuple[str, HashType]] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)
    """A video's distinct good frame PDQs, matched against listed videos as a whole (vPDQ)."""

    @property
    def usable(self) -> bool:
        return bool(self.exact or self.pdq or self.frames)


def query_of_hashes(file_id: str, hashes: FileHashes, min_quality: int) -> FileQuery:
    """A lookup for a hashed file: its digests, its dihedral PDQs (if good enough) and its video frames' PDQs."""
    query = FileQuery(file_id, exact=[(HashType.MD5, hashes.md5), (HashType.SHA1, hashes.sha1),
                                      (HashType.SHA256, hashes.sha256)])
    if hashes.pdq is not None and (hashes.pdq_quality or 0) >= min_quality:
        query.pdq.extend((h, HashType.PDQ) for h in (hashes.dihedral or (hashes.pdq,)))
    frames = dict.fromkeys(f.pdq for f in hashes.vpdq if f.quality >= min_quality)
    query.pdq.extend((h, HashType.VPDQ) for h in frames)
    query.frames = list(frames)
    return query


def query_of_report_file(file_id: str, given: Iterable[tuple[str, str]]) -> FileQuery:
    """A lookup from the hashes a provider gave (type strings case-insensitive; malformed values ignored)."""
    from lanzarote.media.formats import checked, hash_type_of

    query = FileQuery(file_id)
    for type_name, value in given:
        kind = hash_type_of(type_name)
        normal = checked(kind, value)
        if normal is None:
            continue
        if kind is HashType.PDQ:
            query.pdq.append((normal, HashType.PDQ))
        elif kind is HashType.VPDQ:
            query.frames.extend(f for f in normal.split(",") if f not in query.frames)
        elif kind in EXACT_TYPES:
            query.exact.append((kind, normal))
    return query


class Matcher:
    """Looks files up in every installed list at once; batches go through numpy and the PDQ index together."""

    def __init__(self, lists: Sequence[_LoadedList], settings: MatchSettings) -> None:
        self.lists = list(lists)
        self.min_quality = settings.pdq_min_quality
        self.video_fraction = settings.vpdq_match_fraction
        self._trusted: dict[tuple[str, str], set[tuple[str, str]]] = {}
        """Per list entry, the files whose match is trusted (at most FLOOD_MATCHES)."""
        self._scanned = itertools.count()

    def report_verdicts(self, report: Report) -> tuple[FileVerdict, ...]:
        queries = [query_of_report_file(f.file_id, ((h.type, h.value) for h in f.hashes)) for f in report.files]
        return tuple(self.verdicts(queries))

    def batch_report_verdicts(self, reports: Sequence[Report]) -> list[tuple[FileVerdict, ...]]:
        """`report_verdicts` for many reports in one pass (one index search for all their PDQ hashes)."""
        return [tuple(self.flag_floods(v)) for v in self.batch_report_matches(reports)]

    def batch_report_matches(self, reports: Sequence[Report]) -> list[tuple[FileVerdict, ...]]:
        """What the lists say of every file of these reports, before flood flags (`flag_floods` adds them, in the
        order the files are met: a helper process can look files up while another counts)."""
        queries = [query_of_report_file(f.file_id, ((h.type, h.value) for h in f.hashes))
                   for r in reports for f in r.files]
        flat = iter(self._looked_up(queries))
        return [tuple(next(flat) for _ in r.files) for r in reports]

    def warm(self) -> None:
        """Look one hash up in every list: numba loads the index kernels from its cache on their first call, and a
        helper process forked after this inherits them (each examiner loaded them again every run, a seventh of
        its work on a batch of 2,000 reports). Nothing is counted."""
        zero = "0" * 64
        self._looked_up([FileQuery("warm", pdq=[(zero, HashType.PDQ), (zero, HashType.VPDQ)], frames=[zero])])

    def trust_counted(self, counted: Iterable[tuple[str, str, str, str]]) -> None:
        """Count the files of reports settled before this run whose match was trusted then: (report key, file id,
        list name, entry id), as the store keeps them beside the verdicts. The count goes on where the last run left
        it, so how the work was split into runs (one run, or one killed and run again) changes no flag."""
        for owner, file_id, list_name, entry_id in counted:
            trusted = self._trusted.setdefault((list_name, entry_id), set())
            if len(trusted) < FLOOD_MATCHES:
                trusted.add((owner, file_id))

    def flag_floods(self, verdicts: Sequence[FileVerdict], owner: str | None = None) -> list[FileVerdict]:
        """Count each list entry's matching files; past FLOOD_MATCHES a match is flagged, not trusted.

        With an `owner` (a report's key) a file is counted once, named by the owner and its file id: a report settled
        twice keeps its flags, and the first FLOOD_MATCHES files an entry matches stay trusted however often they are
        seen again. Without one (a scan), every file given is a new one."""
        out = []
        for verdict in verdicts:
            matches, flagged = [], False
            for match in verdict.matches:
                trusted = self._trusted.setdefault((match.list_name, match.entry_id), set())
                file = (owner, verdict.file_id) if owner is not None else ("", str(next(self._scanned)))
                if file not in trusted and len(trusted) < FLOOD_MATCHES:
                    trusted.add(file)
                if file not in trusted:
                    match, flagged = match.model_copy(update={"flood_flagged": True}), True
                matches.append(match)
            out.append(verdict.model_copy(update={"matches": tuple(matches)}) if flagged else verdict)
        return out

    def file_verdict(self, file_id: str, hashes: FileHashes) -> FileVerdict:
        return self.verdicts([query_of_hashes(file_id, hashes, self.min_quality)])[0]

    def verdicts(self, queries: Sequence[FileQuery]) -> list[FileVerdict]:
        return self.flag_floods(self._looked_up(queries))

    def _looked_up(self, queries: Sequence[FileQuery]) -> list[FileVerdict]:
        found: list[dict[tuple[int, str], HashMatch]] = [{} for _ in queries]
        if self.lists:
            for li, loaded in enumerate(self.lists):
                self._exact(li, loaded, queries, found)
                self._pdq(li, loaded, queries, found)
                self._videos(li, loaded, queries, found)
        return [self._verdict(q, f) for q, f in zip(queries, found, strict=True)]

    def _keep(self, found: dict[tuple[int, str], HashMatch], li: int, match: HashMatch) -> None:
        key = (li, match.entry_id)
        old = found.get(key)
        if old is None or match.distance < old.distance:
            found[key] = match

    def _exact(self, li: int, loaded: _LoadedList, queries: Sequence[FileQuery],
               found: list[dict[tuple[int, str], HashMatch]]) -> None:
        for kind, (keys, key_rows) in loaded.exact.items():
            if len(keys) == 0:
                continue
            owners = [(qi, v) for qi, q in enumerate(queries) for k, v in q.exact if k is kind]
            if not owners:
                continue
            values = np.frombuffer(bytes.fromhex("".join(v for _, v in owners)), dtype=keys.dtype)
            left = np.searchsorted(keys, values, side="left")
            right = np.searchsorted(keys, values, side="right")
            for i in np.flatnonzero(right > left):
                qi = owners[i][0]
                for row in key_rows[left[i]:right[i]].tolist():
                    if loaded.live(row):
                        self._keep(found[qi], li, loaded.match_of(row, kind, 0))

    def _pdq(self, li: int, loaded: _LoadedList, queries: Sequence[FileQuery],
             found: list[dict[tuple[int, str], HashMatch]]) -> None:
        owners = [(qi, h, via) for qi, q in enumerate(queries) for h, via in q.pdq]
        if not owners or not loaded.pdq.segments:
            return
        rows_q, refs, dist = loaded.pdq.search(hashes_from_hex([h for _, h, _ in owners]), loaded.info.threshold)
        for i, row, d in zip(rows_q.tolist(), refs.tolist(), dist.tolist(), strict=True):
            qi, _, via = owners[i]
            if loaded.live(row):
                self._keep(found[qi], li, loaded.match_of(row, via, d))

    def _videos(self, li: int, loaded: _LoadedList, queries: Sequence[FileQuery],
                found: list[dict[tuple[int, str], HashMatch]]) -> None:
        """vPDQ: a listed video matches when at least `vpdq_match_fraction` of the query's frames match its frames."""
        owners = [(qi, fi) for qi, q in enumerate(queries) for fi in range(len(q.frames))]
        if not owners or not loaded.vpdq.segments:
            return
        hexes = [queries[qi].frames[fi] for qi, fi in owners]
        rows_q, refs, dist = loaded.vpdq.search(hashes_from_hex(hexes), loaded.info.threshold)
        hits: dict[tuple[int, int], dict[int, int]] = {}
        for i, row, d in zip(rows_q.tolist(), refs.tolist(), dist.tolist(), strict=True):
            qi, fi = owners[i]
            frames = hits.setdefault((qi, row), {})
            frames[fi] = min(d, frames.get(fi, d))
        for (qi, row), frames in hits.items():
            if loaded.live(row) and len(frames) >= self.video_fraction * len(queries[qi].frames):
                self._keep(found[qi], li, loaded.match_of(row, HashType.VPDQ, min(frames.values())))

    def _verdict(self, query: FileQuery, found: dict[tuple[int, str], HashMatch]) -> FileVerdict:
        if not self.lists or not query.usable:
            return FileVerdict(file_id=query.file_id, verdict=Verdict.NOT_MATCHED)
        allowed = any(self.lists[li].info.allow or m.suppressed_by_allow_list for (li, _), m in found.items())
        matches: list[HashMatch] = []
        for _, match in sorted(found.items(), key=lambda kv: (kv[1].distance, kv[0])):
            matches.append(match.model_copy(update={"suppressed_by_allow_list": True}) if allowed else match)
        if not matches:
            verdict = Verdict.UNKNOWN
        elif allowed or any(m.distance == 0 for m in matches):
            verdict = Verdict.KNOWN
        else:
            verdict = Verdict.NEAR_KNOWN
        return FileVerdict(file_id=query.file_id, verdict=verdict, matches=tuple(matches))
