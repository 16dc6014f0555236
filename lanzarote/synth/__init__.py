"""Synthetic CyberTipline data with ground truth, for tests, demos and benchmarks (`lanzarote synth`).

`generate(out, reports, seed)` writes, deterministically for a seed:

- `ncmec/NNNN/<id>.xml` — CyberTipline `report` documents valid against NCMEC's schema (the id is the file stem),
  and `ncmec/NNNN/<id>-f<k>.xml` — their `fileDetails` documents;
- `ncmec-layers.jsonl` — the clearing house's layer (geolocation, where it was sent) for each NCMEC report;
- `other/reports.jsonl` — native JSON reports from citizens, victims, social services, hotlines, foreign police;
- `ground-truth.jsonl` — per report: the true person, country and region, the signals planted, whether a child may
  be in danger now (`p1`), carrier-grade NAT, meme, scenario;
- `hashlists/synthetic-vics.json` — a Project VIC VICS list holding some of the reports' file hashes (MD5 exact and
  PDQ a few bits away; some with the victim identified);
- `priors.csv` — a unit's prior records (earlier cases) for some of the repeat offenders.

Every identity is fictional: example.org/com/net e-mail domains, fictional or test phone ranges, and real-country IP
addresses only where routing needs a real country.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lanzarote.synth.reports import BLOCK, Generated, ListEntry, Writer

CHUNK = 2_000

_writer: Writer | None = None


@dataclass(frozen=True)
class SynthSummary:
    reports: int
    files: int
    native: int
    list_entries: int
    out: Path


def _chunk(args: tuple[Path, int, int, int]) -> tuple[int, int, list[str], list[str], list[str], list[ListEntry],
                                                      list[str]]:
    out, seed, start, stop = args
    global _writer
    if _writer is None or _writer.seed != seed:
        _writer = Writer(seed)
    layers: list[str] = []
    natives: list[str] = []
    truths: list[str] = []
    entries: list[ListEntry] = []
    priors: list[str] = []
    files = 0
    made_dirs: set[Path] = set()
    for index in range(start, stop):
        g: Generated = _writer.generate(index)
        for rel, content in g.files.items():
            path = out / rel
            if path.parent not in made_dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(path.parent)
            path.write_bytes(content)
            if g.received_at is not None:
                stamp = g.received_at.timestamp()
                os.utime(path, (stamp, stamp))
            files += 1
        if g.layer:
            layers.append(g.layer)
        if g.native:
            natives.append(g.native)
        truths.append(g.truth)
        entries.extend(g.list_entries)
        priors.extend(g.prior)
    return stop - start, files, layers, natives, truths, entries, priors


def _tasks(out: Path, seed: int, reports: int) -> Iterator[tuple[Path, int, int, int]]:
    for start in range(0, reports, CHUNK):
        yield out, seed, start, min(start + CHUNK, reports)


def generate(out: Path, reports: int, seed: int, progress: Callable[[int], None] | None = None,
             workers: int | None = None) -> SynthSummary:
    """Write `reports` synthetic reports with their files, layers, ground truth, a VICS list and prior records."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "other").mkdir(exist_ok=True)
    (out / "hashlists").mkdir(exist_ok=True)
    total_files = natives_count = 0
    vics: list[ListEntry] = []
    with (
        (out / "ncmec-layers.jsonl").open("w") as layers_fh,
        (out / "other" / "reports.jsonl").open("w") as native_fh,
        (out / "ground-truth.jsonl").open("w") as truth_fh,
        (out / "priors.csv").open("w") as priors_fh,
    ):
        priors_fh.write("case_reference,offence,identifier_kind,identifier_value\n")
        processes = workers or max(1, multiprocessing.cpu_count())
        tasks = _tasks(out, seed, reports)
        if processes == 1 or reports <= CHUNK:
            results: Iterator[tuple[int, int, list[str], list[str], list[str], list[ListEntry], list[str]]] = (
                _chunk(t) for t in tasks)
            pool = None
        else:
            pool = multiprocessing.get_context("fork").Pool(processes)
            results = pool.imap(_chunk, tasks)
        try:
            for n, files, layers, natives, truths, entries, priors in results:
                total_files += files
                natives_count += len(natives)
                for lines, fh in ((layers, layers_fh), (natives, native_fh), (truths, truth_fh), (priors, priors_fh)):
                    if lines:
                        fh.write("\n".join(lines) + "\n")
                vics.extend(entries)
                if progress:
                    progress(n)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    _write_vics(out / "hashlists" / "synthetic-vics.json", vics, seed)
    return SynthSummary(reports=reports, files=total_files, native=natives_count, list_entries=len(vics), out=out)


def _write_vics(path: Path, entries: list[ListEntry], seed: int) -> None:
    """A Project VIC VICS (OData) list; PDQ, where known, in a `PDQ` field beside MD5/SHA1."""
    from lanzarote.synth.reports import viral_md5

    with path.open("w") as fh:
        fh.write('{"@odata.context": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media", "value": [\n')
        rows = [ListEntry(md5=viral_md5(seed, k), pdq=None, victim_identified=False, category=2, series=None)
                for k in range(5)] + entries
        for i, e in enumerate(rows):
            media_id = i + 1
            item = {"MediaID": media_id, "Category": e.category, "VictimIdentified": e.victim_identified,
                    "OffenderIdentified": False, "IsDistributed": True, "Series": e.series,
                    "Tags": ["synthetic"] + (["viral"] if e.category == 2 else []),
                    "MD5": e.md5, "SHA1": None, "PDQ": e.pdq,
                    "MediaFiles": [{"MD5": e.md5, "FileName": f"synthetic-{media_id}.jpg"}] if e.md5 else []}
            fh.write(json.dumps(item) + (",\n" if i < len(rows) - 1 else "\n"))
        fh.write("]}\n")


__all__ = ["BLOCK", "SynthSummary", "generate"]
