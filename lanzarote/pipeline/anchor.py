"""The audit chain's head, anchored outside the database: signed checkpoints that `verify` compares the table with.

A chain of hashes finds an entry edited or deleted in the middle, but not the last entries deleted, nor every
entry rewritten with its hashes recomputed: what is left still verifies. So each `audit verify`, `ingest` and
`process` appends a checkpoint (how many entries, the last one's id and hash, when) to a file beside the data
folder, signed with HMAC-SHA256 under a key of its own. Both are created 0600 in a folder 0700; neither is in the
database, so whoever can edit the database can neither cut the trail nor rewrite it without `verify` saying so.

A checkpoint is written only over a chain found intact (a new one must never bless a tampered trail). Entries
written after the last checkpoint are protected from the next one on: run `lanzarote audit verify` on a schedule.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine

from lanzarote import config
from lanzarote.store import audit
from lanzarote.store.db import session


class Checkpoint(NamedTuple):
    head: audit.Head
    at: str


def folder() -> Path:
    """The folder of the key and the checkpoints (made 0700)."""
    configured = str(config.get("audit_anchor_dir"))
    path = Path(configured) if configured else config.data_dir() / "audit-anchor"
    config.private_dir(path)
    return path


def _key(where: Path) -> bytes:
    path = where / "checkpoint.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        try:
            config.write_private(path, key.hex().encode(), exclusive=True)
        except FileExistsError:  # another process made it first: use theirs
            return bytes.fromhex(path.read_text().strip())
        return key


def _store(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _mac(key: bytes, store: str, head: audit.Head, at: str) -> str:
    body = json.dumps([store, head.entries, head.last_id, head.hash, at]).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def latest(engine: Engine) -> tuple[Checkpoint | None, list[str]]:
    """The newest checkpoint of this store, and the checkpoint lines that are not signed with the key."""
    where = folder()
    path = where / "checkpoints.jsonl"
    if not path.exists():
        return None, []
    key, store = _key(where), _store(engine)
    found: Checkpoint | None = None
    problems = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            data = json.loads(line)
            head = audit.Head(int(data["entries"]), int(data["last_id"]), str(data["hash"]))
            at, mac, of = str(data["at"]), str(data["mac"]), str(data["store"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"checkpoint line {number} cannot be read: the checkpoint file was damaged")
            continue
        if of != store:
            continue
        if not hmac.compare_digest(mac, _mac(key, store, head, at)):
            problems.append(f"checkpoint line {number} does not carry the key's signature: the file was edited")
            continue
        found = Checkpoint(head, at)
    return found, problems


def _append(engine: Engine, head: audit.Head) -> None:
    where = folder()
    at = datetime.now(UTC).isoformat(timespec="seconds")
    store = _store(engine)
    line = json.dumps({"store": store, "entries": head.entries, "last_id": head.last_id, "hash": head.hash, "at": at,
                       "mac": _mac(_key(where), store, head, at)})
    config.write_private(where / "checkpoints.jsonl", (line + "\n").encode(), append=True)


def verify(engine: Engine) -> list[str]:
    """Every fault of the trail: the chain recomputed in full, then compared with the newest checkpoint; when it
    is intact, a checkpoint of its head now. Empty: intact."""
    checkpoint, problems = latest(engine)
    with session(engine) as s:
        problems += audit.verify(s)
        if checkpoint:
            problems += audit.against(s, checkpoint.head, checkpoint.at)
        head = audit.head(s)
    if not problems:
        _append(engine, head)
    return problems


def checkpoint(engine: Engine) -> list[str]:
    """Anchor the head after work that wrote to the store (ingest, process): only what was written since the last
    checkpoint is read. Returns the faults found instead, and then anchors nothing."""
    previous, problems = latest(engine)
    with session(engine) as s:
        if previous:
            problems += audit.against(s, previous.head, previous.at)
        problems += audit.verify(s, previous.head if previous and not problems else None)
        head = audit.head(s)
    if not problems:
        _append(engine, head)
    return problems
