"""Settings: one table drives the environment variables, the docs and their test.

Each setting is read from `LANZAROTE_<NAME>` in the environment, else its default. `docs/configuration.md` lists
them all; a test fails when a setting is undocumented.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lanzarote.errors import ConfigurationError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"LANZAROTE_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "sqlite:///lanzarote.db", "SQLAlchemy URL of the store (SQLite file or PostgreSQL)."),
    Setting("data_dir", ".lanzarote", "Folder for indexes and other files that live beside the database."),
    Setting("batch_size", 2000, "Reports per committed batch during processing."),
    Setting("ingest_batch", 1000, "Documents each ingest reader reads and commits at a time."),
    Setting("partition_months_ahead", 3, "PostgreSQL: months ahead of the present whose partitions of reports and "
            "the audit trail exist (made when a store opens and an ingest starts; docs/scale.md)."),
    Setting("workers", 0, "Processes for parsing and hashing; 0 means one per core."),
    Setting(
        "cybertipline_xsd",
        "",
        "Path of NCMEC's cyber_tipline.xsd; empty means ../shared/data/cybertipline/ beside the repository.",
    ),
    Setting("max_document_bytes", 50_000_000, "Largest single report document accepted (bytes)."),
    Setting("max_archive_bytes", 2_000_000_000, "Largest total uncompressed size of a zip archive (bytes)."),
    Setting("max_archive_ratio", 200, "Largest compression ratio of a zip entry before it counts as a zip bomb."),
    Setting("max_files_per_report", 5000, "A report with more files than this is quarantined (docs/security.md)."),
    Setting("max_future_minutes", 1440, "How far past the present a report's received or incident time may lie "
            "(clocks and zones differ) before the report is quarantined as implausible."),
    Setting("pdq_threshold", 31, "Default PDQ Hamming distance for a match (a list may set its own)."),
    Setting("pdq_min_quality", 50, "PDQ hashes of lower quality never match."),
    Setting("vpdq_match_fraction", 0.8, "Share of a video's frames that must match for a vPDQ match."),
    Setting("ip_link_window_minutes", 60, "An IP address links two reports only within this many minutes."),
    Setting("person_matching_memory_mib", 1024, "Memory (MiB) person matching's engine may use; past it the engine "
            "spills to a temporary folder in the data folder."),
    Setting("person_matching_engine", "duckdb", "Where person matching computes: `duckdb` (embedded) or `spark` "
            "(local mode, for global re-runs; needs the `spark` extra and a Java 17)."),
    Setting("identifier_fanout_limit", 50, "An identifier seen in more reports than this stops linking."),
    Setting("host", "127.0.0.1", "Address the web app listens on."),
    Setting("port", 8000, "Port the web app listens on."),
    Setting("secret_key", "", "Key that signs the forms' CSRF tokens and the device cookies, and from which the key "
            "sealing the second factors' secrets is derived; empty means secret.key in the data folder (made 0600 on "
            "first use). Changing it makes every enrolled second factor unreadable."),
    Setting("audit_anchor_dir", "", "Folder of the audit trail's checkpoint key and checkpoints, outside the "
            "database (made 0700); empty means audit-anchor/ in the data folder."),
    Setting("clearing_house_sources", "ncmec", "Sources (comma-separated) whose reports may come with a clearing-house "
            "layer or as a provider's report: an upload may send them only for a source its agency owns."),
    Setting("knowledge_dir", "", "Folder of the country knowledge base (one YAML file per state and sources.yaml); "
            "empty means the one shipped with the package."),
    Setting("login_free_attempts", 5, "Failed logins per account and per client address before each further "
            "attempt waits 1, 2, 4… seconds (docs/security.md)."),
    Setting("login_max_delay_seconds", 60, "The longest wait between attempts after failed logins: the owner waits at "
            "most this long, then the right password works."),
    Setting("login_refusal_pause_seconds", 2.0, "How long a login refused for too many failures waits before its "
            "answer (429), holding no thread: a client that retries as soon as it is answered is slowed to this pace."),
    Setting("trusted_proxies", "", "Addresses or networks (comma-separated, e.g. 10.0.0.5,192.0.2.0/28) of reverse "
            "proxies whose X-Forwarded-For names the client; empty: the peer's own address, never the header."),
    Setting("password_hash_concurrency", 2, "Argon2 checks run at once per server process (64 MiB each, at low CPU "
            "priority); further logins queue for a slot."),
    Setting("api_token_days", 90, "Days an API token works after it was made."),
    Setting("second_factor_roles", "administrator", "Roles (comma-separated) that must log in with a TOTP code; "
            "other users may enrol one too; `none`: nobody must."),
    Setting("web_workers", 2, "Server processes of `lanzarote serve` (one per core is a good start)."),
    Setting("clock_warning_shares", "0.5,0.8", "Shares of a legal clock (comma-separated, between 0 and 1) at which "
            "a request is flagged before its last day ('due') and its end ('overdue')."),
    Setting("chase_days", 30, "A request without a deadline (mutual legal assistance) is due to be chased this many "
            "days after it was sent or last chased."),
    Setting("preservation_warning_days", 7, "The queue shows, above everything else, the preservations of P1 cases "
            "that end within this many days (or are overdue)."),
    Setting("node_agency", "HUB", "The agency this node signs intelligence packages as (its name in partners' lists)."),
    Setting("node_key_file", "", "This node's Ed25519 signing key (made 0600 on first use); empty means "
            "node-key in the data folder."),
    Setting("deconfliction_rate_limit", 200_000, "Identifiers (blinded points) the hub evaluates per agency per "
            "window; past it a query is refused and audited, so the hub is no guessing oracle."),
    Setting("deconfliction_rate_window_seconds", 3600, "The hub's rate-limit window (seconds)."),
    Setting("deconfliction_batch", 20_000, "Identifiers a unit blinds and sends to the hub at a time."),
    Setting("deconfliction_timeout_seconds", 10.0, "How long a node waits for a peer's answer before it counts as "
            "down (the message stays queued)."),
    Setting("deconfliction_retry_seconds", 2.0, "The first wait before a failed peer is tried again; it doubles "
            "with each failure in a row."),
    Setting("deconfliction_retry_max_seconds", 300.0, "The longest wait between tries of a failed peer."),
    Setting("deconfliction_sync_seconds", 2.0, "How often `lanzarote node sync --watch` runs a round."),
    Setting("deconfliction_name_threshold", 0.85, "Dice similarity of two names' encodings (CLKs) from which the hub "
            "suggests them to both agencies (a suggestion, never a hit)."),
    Setting("takedown_dns", "off", "`on`: look up the address of a reported URL's host in DNS when the hotline gave "
            "none (the URL itself is never fetched); `off`: hosting is resolved from what the hotline and the unit's "
            "network table say only."),
    Setting("takedown_members_file", "", "The list of INHOPE member hotlines notices are routed to (YAML); empty "
            "means the one shipped with the package."),
    Setting("takedown_batch", 5000, "URL reports read, or routed, and committed at a time."),
    Setting("feedback_reminder_days", 90, "Days after a package was sent before the ledger reminds the sender to "
            "ask its recipient for feedback."),
    Setting("operation_centre_refresh_seconds", 5, "How often the coordination centre's board of an action day "
            "asks for the states' latest results (seconds)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> Any:
    """The value of a setting, from the environment or its default, converted to the default's type."""
    setting = _BY_NAME[name]
    raw = os.environ.get(setting.env)
    if raw is None or raw == "":
        return setting.default
    kind = type(setting.default)
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{setting.env}={raw!r} is not a valid {kind.__name__}: {setting.help}") from exc


def data_dir() -> Path:
    """The data folder (uploads, indexes, keys), made readable by its owner only."""
    return private_dir(Path(get("data_dir")))


def secret_key() -> str:
    """The configured secret key, else the one kept in `secret.key` in the data folder (made on first use, 0600):
    every server process and every restart signs and seals with the same key."""
    configured = str(get("secret_key"))
    if configured:
        return configured
    path = data_dir() / "secret.key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        try:
            write_private(path, key.encode(), exclusive=True)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_text().strip()
        return key


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner may list or enter (0700), made if missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes, *, exclusive: bool = False, append: bool = False) -> None:
    """Write `data` to a file only its owner may read (0600), whatever the umask; `exclusive`: only if it does not
    exist yet (FileExistsError otherwise); `append`: at its end."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0) | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def workers() -> int:
    n = int(get("workers"))
    return n if n > 0 else max(1, os.cpu_count() or 1)

