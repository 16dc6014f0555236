"""`hashes import|lists|remove|rematch`, `match FILE...` and `scan DIR --out RESULT`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lanzarote import config
from lanzarote.cli.app import app, console, open_engine, progress, status

if TYPE_CHECKING:
    from lanzarote.media.library import HashLibrary

hashes_app = typer.Typer(help="Hash lists: import, update, list, remove, and re-match stored reports.",
                         no_args_is_help=True)
app.add_typer(hashes_app, name="hashes")


def _library() -> HashLibrary:
    from lanzarote.service.processing import hash_library

    return hash_library()


@hashes_app.command("import")
def import_list(
    file: Annotated[Path, typer.Argument(help="The list file.")],
    list_name: Annotated[str, typer.Option("--list", help="Name of the list (an existing name updates it).")],
    fmt: Annotated[str, typer.Option("--format", help="vics, ncmec, te or text.")],
    allow: Annotated[bool, typer.Option("--allow", help="An allow list: its matches suppress others.")] = False,
    threshold: Annotated[int | None, typer.Option(help="PDQ distance for this list (default: pdq_threshold).")] = None,
    source: Annotated[str | None, typer.Option(help="Who the list comes from.")] = None,
    hash_type: Annotated[str | None, typer.Option(help="text lists: type of 64-digit lines (pdq or sha256).")] = None,
    remove_entries: Annotated[bool, typer.Option(help="Remove the file's entries from the list instead.")] = False,
    categories: Annotated[str | None, typer.Option(help="Category scheme, e.g. industry or uk-caid.")] = None,
    then_rematch: Annotated[bool, typer.Option("--rematch", help="Re-match the stored reports afterwards.")] = False,
) -> None:
    """Import a hash list, or update one (entries imported again replace the old ones)."""
    with progress(f"importing {file.name}", None) as advance:
        summary = _library().import_list(file, list_name, fmt, allow, advance, threshold=threshold, source=source,
                                         hash_type=hash_type, remove_entries=remove_entries, categories=categories)
    for problem in summary.problems[:20]:
        status.print(f"[yellow]malformed[/] {problem}")
    console.print(
        f"{summary.name} v{summary.version}: read {summary.read:,}, added {summary.added:,}, "
        f"replaced {summary.replaced:,}, removed {summary.removed:,}, malformed {summary.malformed:,}."
        + ("" if then_rematch else " Run `lanzarote hashes rematch` so stored reports see the change.")
    )
    if then_rematch:
        rematch()


@hashes_app.command("lists")
def lists(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The installed hash lists."""
    infos = _library().lists()
    if as_json:
        typer.echo(json.dumps([i.model_dump(mode="json") for i in infos]))
        return
    table = Table("name", "source", "format", "allow", "PDQ threshold", "categories", "entries", "malformed",
                  "version", "updated")
    for i in infos:
        table.add_row(i.name, i.source, i.format, "yes" if i.allow else "", str(i.threshold), i.categories,
                      f"{i.entries:,}", f"{i.malformed:,}", str(i.version), i.updated_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)


@hashes_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The list to delete.")]) -> None:
    """Delete a hash list."""
    _library().remove(name)
    console.print(f"removed {name}. Run `lanzarote hashes rematch` so stored reports see the change.")


@hashes_app.command("rematch")
def rematch() -> None:
    """Match every stored report again (after lists were imported, updated or removed)."""
    from lanzarote.cli.app import actor
    from lanzarote.service import processing, session

    engine = open_engine()
    with session(engine) as s:
        user = actor(s)
    with progress("re-matching", None) as advance:
        summary = processing.process(engine, user, True, progress=advance)
    console.print(f"re-matched {summary.processed:,} reports")


@app.command("match")
def match(
    files: Annotated[list[Path], typer.Argument(help="Files to look up.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Hash files and look them up in the installed lists (nothing is copied or shown)."""
    from lanzarote.errors import NotFound
    from lanzarote.media.hashing import hash_file

    matcher = _library().matcher()
    for path in files:
        if not path.is_file():
            raise NotFound(f"{path}: no such file")
        hashed = hash_file(path)
        verdict = matcher.file_verdict(str(path), hashed)
        if as_json:
            typer.echo(json.dumps({"path": str(path), "verdict": verdict.verdict.value, "md5": hashed.md5,
                                   "pdq": hashed.pdq, "pdq_quality": hashed.pdq_quality, "error": hashed.error,
                                   "matches": [m.model_dump(mode="json") for m in verdict.matches]}))
            continue
        console.print(f"{path}: [bold]{verdict.verdict.value}[/]" + (f" ({hashed.error})" if hashed.error else ""))
        for m in verdict.matches:
            flags = [f for f, on in (("allow-listed", m.suppressed_by_allow_list), ("FLOOD", m.flood_flagged)) if on]
            console.print(f"  {m.list_name}:{m.entry_id} {m.hash_type.value} distance {m.distance} "
                          f"category {m.category} victim identified {m.victim_identified} series {m.series} "
                          + " ".join(flags))


@app.command("scan")
def scan(
    directory: Annotated[Path, typer.Argument(help="Folder (or zip archive) to scan.")],
    out: Annotated[Path, typer.Option(help="JSON Lines result file; the summary goes beside it.")],
    workers: Annotated[int, typer.Option(help="Processes (0: one per core).")] = 0,
) -> None:
    """Hash and match every image and video under a folder, inside zip archives too."""
    from lanzarote.errors import NotFound
    from lanzarote.media.scan import scan as run
    from lanzarote.media.scan import summary_path
    from lanzarote.service.processing import scan_limits

    if not directory.exists():
        raise NotFound(f"{directory}: no such folder")
    matcher = _library().matcher()
    with progress(f"scanning {directory}", None) as advance:
        summary = run(directory, out, matcher, scan_limits(), workers or config.workers(), advance)
    console.print(f"{summary.files:,} files: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary.verdicts.items()))
                  + f"; victim identified {summary.victim_identified:,}; flood-flagged {summary.flood_flagged:,}; "
                  f"not media {summary.skipped_not_media:,}")
    if summary.categories:
        console.print("per category: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary.categories.items())))
    for path in summary.unreadable[:20]:
        status.print(f"[yellow]unreadable[/] {path}")
    console.print(f"results in {out}, summary in {summary_path(out)}")
