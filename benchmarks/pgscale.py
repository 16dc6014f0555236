"""A hub's year in PostgreSQL: a real processed store, its per-report costs, then the same store multiplied to millions.

    .venv/bin/python -m benchmarks.pgscale build --url postgresql+psycopg://postgres@127.0.0.1:5432/pgscale5m \
        --data /tmp/pgscale/synth60k          # `lanzarote synth --reports 60000 --seed 24 --out DIR` beforehand
    .venv/bin/python -m benchmarks.pgscale multiply --url ... --to 5000000
    .venv/bin/python -m benchmarks.pgscale sizes --url ...

`build` ingests and processes a `lanzarote synth` set with the real pipeline into an empty database and prints the
CPU and wall time a report of each (this process and its helpers; PostgreSQL's own CPU is measured from
`/proc` of the backends serving that database, beside). `multiply` copies that processed store inside PostgreSQL
(INSERT ... SELECT, one a table a round of `--per-round` copies, the originals crossed with the round's copy
numbers) until it holds `--to` reports: every copy shifts the source ids (and so the keys in every table
that names a report: versions, files, layers, state, identifiers, links, subjects) by a multiple of a stride, and
moves the received times so that the copies spread over one year; then ANALYZE. The multiplied store is therefore
not ingested: its rows are the processed rows of the real pipeline, repeated with other ids and times (the copies
of one report link to each other only as the original did). `sizes` prints each table's and index's size and the
bytes a report. `multiply` prints the database size and the free disk after every round, and stops past
`--limit-gb` or under `--min-free-gb` free.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text

from benchmarks.machine import describe

YEAR_START = "2026-01-01"


def _cpu() -> float:
    own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime


class ServerCpu:
    """CPU seconds the PostgreSQL backends serving one database spend while a phase runs: /proc is sampled every
    0.2 s for the processes whose title names the database (a backend's CPU is read last while it lives, so those
    that end with the phase count too). Other databases' work on a shared server is left out."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ServerCpu:
        self._sample()
        self.start = dict(self.seen)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def seconds(self) -> float:
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.seen.items())

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def _sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if not title.startswith("postgres: ") or f" {self.database} " not in title:
                    continue
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            self.seen[int(pid)] = (int(fields[11]) + int(fields[12])) / tick


def build(url: str, data: Path) -> None:
    os.environ["LANZAROTE_DATABASE_URL"] = url
    from lanzarote.pipeline.ingest import ingest
    from lanzarote.pipeline.process import prepare_demo, process
    from lanzarote.store.db import open_store

    engine = open_store(url)
    prepare_demo(engine, data)
    paths = [p for p in (data / "ncmec", data / "ncmec-layers.jsonl", data / "other") if p.exists()]
    database = str(engine.url.database)
    start, cpu = time.perf_counter(), _cpu()
    with ServerCpu(database) as server:
        ingested = ingest(engine, paths)
    ingest_s, ingest_cpu, ingest_server = time.perf_counter() - start, _cpu() - cpu, server.seconds
    start, cpu = time.perf_counter(), _cpu()
    with ServerCpu(database) as server:
        processed = process(engine)
    process_s, process_cpu, process_server = time.perf_counter() - start, _cpu() - cpu, server.seconds
    n, m = ingested.counts.new, processed.processed
    print(f"ingest: {n:,} reports ({ingested.counts.files:,} files, {ingested.counts.layers:,} layers) in "
          f"{ingest_s:,.1f} s = {n / ingest_s:,.0f}/s; CPU {ingest_cpu / n * 1e6:,.0f} us a report in Lanzarote's "
          f"processes, {ingest_server / n * 1e6:,.0f} us in PostgreSQL's")
    print(f"process: {m:,} reports in {process_s:,.1f} s = {m / process_s:,.0f}/s; CPU {process_cpu / m * 1e6:,.0f} "
          f"us a report in Lanzarote's processes, {process_server / m * 1e6:,.0f} us in PostgreSQL's")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    sizes(url)


# Each table that names a report, and how a copy rewrites its columns (`{c}` the column, `g.n` the copy's number from
# the round's generate_series, `:step` the interval one copy's times move by). Tables that name no report (users,
# hash lists, cases...) are not copied.
SUFFIX = "{c} || 'c' || g.n"
MOVED = "{c} + g.n * CAST(:step AS interval)"
COPIED: dict[str, dict[str, str]] = {
    "reports": {"report_key": SUFFIX, "source_id": SUFFIX, "received_at": MOVED, "ingested_at": MOVED,
                "document": "jsonb_set(jsonb_set({c}::jsonb, '{{source_id}}', to_jsonb(source_id || 'c' || g.n)), "
                            "'{{received_at}}', coalesce(to_jsonb(received_at + g.n * CAST(:step AS interval)), "
                            "'null'))::text"},
    "report_files": {"report_key": SUFFIX, "received_at": MOVED},
    "report_file_versions": {"report_key": SUFFIX, "received_at": MOVED},
    "clearing_house_layers": {"report_key": SUFFIX, "received_at": MOVED},
    "clearing_house_layer_versions": {"report_key": SUFFIX, "received_at": MOVED},
    "report_state": {"report_key": SUFFIX, "source_id": SUFFIX, "received_at": MOVED, "processed_at": MOVED,
                     "first_action_at": MOVED, "subject_id": SUFFIX,
                     "linked_reports": "regexp_replace({c}, '\"([^\"]+)\"', '\"\\1c' || g.n || '\"', 'g')"},
    "identifiers": {"report_key": SUFFIX, "value": SUFFIX, "account": SUFFIX, "at": MOVED},
    "links": {"report_a": SUFFIX, "report_b": SUFFIX,
              "identifiers": "regexp_replace({c}, '\"value\":\"([^\"]+)\"', '\"value\":\"\\1c' || g.n || '\"', "
                             "'g')"},
}
"""A copy of report K is K + 'c' + n: its versions, files, layers, state, identifiers and links name the copy; its
subject and its identifiers' values carry the same suffix (the copies of a subject's reports make a subject of
their own, and no identifier links a copy to another copy's reports), and its queue row's linked reports are the
copies of the original's. Received, ingested and processed times move by n × (a year / copies)."""


def _columns(conn: Connection, table: str) -> list[str]:
    return [r[0] for r in conn.execute(text(
        "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
        "AND table_schema = current_schema() ORDER BY ordinal_position"), {"t": table})]


def _droppable_indexes(conn: Connection) -> dict[str, str]:
    """The copied tables' indexes that back no constraint (name → definition): dropped while copying, made again
    after (a sorted build instead of millions of random insertions)."""
    rows = conn.execute(text("""
        SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(:tables) AND t.relnamespace = current_schema()::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"""), {"tables": list(COPIED)})
    # a partitioned table's index is printed ON ONLY the parent: made so, it would cover no partition
    return {str(name): str(definition).replace(" ON ONLY ", " ON ") for name, definition in rows}


def multiply(url: str, to: int, limit_gb: float, audit_entries: int, per_round: int = 10,
             min_free_gb: float = 15.0) -> None:
    """Copy the store's original reports (those without a copy suffix) until it holds `to` reports; then write
    `audit_entries` chained audit entries spread over the year; VACUUM ANALYZE."""
    from lanzarote.store import partitions

    engine = create_engine(url)
    with engine.connect() as conn:
        base = conn.execute(text("SELECT count(*) FROM report_state WHERE source_id !~ 'c[0-9]+$'")).scalar_one()
    copies = -(-to // base) - 1
    step = 365 * 86400 // (copies + 1)
    print(f"{base:,} original reports; {copies} copies make {base * (copies + 1):,}, each moved {step / 86400:.1f} "
          "days further", flush=True)
    with engine.begin() as conn:
        start = partitions.month_of(datetime.fromisoformat(YEAR_START))
        month = start
        for _ in range(14):  # the year and the month after it (copies' times run past the year's end a little)
            partitions.make_month(conn, partitions.PARTITIONED[0], month)
            partitions.make_month(conn, partitions.PARTITIONED[1], month)
            month = partitions.next_month(month)
        for table in COPIED:  # the originals, apart: every copy reads them, not the growing tables
            key = "report_a" if table == "links" else "report_key"
            conn.execute(text(f"CREATE UNLOGGED TABLE IF NOT EXISTS pgscale_original_{table} AS SELECT * FROM {table} "
                              f"WHERE {key} !~ 'c[0-9]+$'"))
        first = conn.execute(text("SELECT min(report_key) FROM pgscale_original_report_state")).scalar_one()
        indexes = _droppable_indexes(conn)
        for name in indexes:
            conn.execute(text(f"DROP INDEX {name}"))
        conn.execute(text("ALTER TABLE reports DISABLE TRIGGER reports_unique_across_partitions"))
    print(f"dropped {len(indexes)} indexes while copying: {', '.join(sorted(indexes))}", flush=True)
    try:
        # one INSERT ... SELECT a table a round, the originals crossed with the round's copy numbers (generate_series)
        for lo in range(1, copies + 1, per_round):
            hi = min(lo + per_round - 1, copies)
            with engine.connect() as conn:
                there = conn.execute(text("SELECT 1 FROM report_state WHERE report_key = :k"),
                                     {"k": f"{first}c{hi}"}).first()
            if there:
                print(f"copies {lo}-{hi}: there already")
                continue
            t0 = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL synchronous_commit = off"))
                for table, rewrites in COPIED.items():
                    columns = [c for c in _columns(conn, table) if c != "id"]
                    exprs = ", ".join(rewrites[c].format(c=c) if c in rewrites else c for c in columns)
                    conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {exprs} FROM "
                                      f"pgscale_original_{table} CROSS JOIN "
                                      "generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g(n)"),
                                 {"lo": lo, "hi": hi, "step": f"{step} seconds"})
            size = _database_bytes(engine)
            print(f"copies {lo}-{hi}/{copies}: {time.perf_counter() - t0:,.1f} s "
                  f"({(hi - lo + 1) * base / (time.perf_counter() - t0):,.0f} reports/s), database "
                  f"{size / 2**30:,.1f} GiB, disk free {shutil.disk_usage('/').free / 2**30:,.1f} GiB, "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            if size > limit_gb * 2**30:
                raise SystemExit(f"the database passed {limit_gb:g} GiB: stopped after copy {hi}")
            if shutil.disk_usage("/").free < min_free_gb * 2**30:
                raise SystemExit(f"under {min_free_gb:g} GiB free on the disk: stopped after copy {hi}")
    finally:
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE reports ENABLE TRIGGER reports_unique_across_partitions"))
            conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            for definition in indexes.values():
                conn.execute(text(definition))
            for table in COPIED:
                conn.execute(text(f"DROP TABLE pgscale_original_{table}"))
        print(f"indexes made again: {time.perf_counter() - t0:,.0f} s", flush=True)
    write_audit(engine, audit_entries, datetime.fromisoformat(YEAR_START).replace(tzinfo=UTC))
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"VACUUM ANALYZE: {time.perf_counter() - t0:,.0f} s")
    sizes(url)


def write_audit(engine: Engine, n: int, start: datetime) -> None:
    """`n` audit entries (reads and queue pages by 20 analysts), chained from the trail's head as `audit.record`
    chains them, written with COPY, their times spread over a year from `start`."""
    import psycopg

    from lanzarote.store import audit

    if n <= 0:
        return
    t0 = time.perf_counter()
    with engine.connect() as conn:
        last = conn.execute(text("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")).scalar()
        keys = [k for (k,) in conn.execute(text(
            "SELECT report_key FROM report_state TABLESAMPLE SYSTEM (1) LIMIT 100000"))]
    prev = last or audit.GENESIS
    step = 365 * 86400 / n
    conninfo = engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as pg, pg.cursor() as cur:
        # numbered by the sequence, in one transaction, chained here: the trigger's check of every entry against
        # every month (about 15 index look-ups each) is left out while they are written
        cur.execute("ALTER TABLE audit DISABLE TRIGGER audit_unique_across_partitions")
        with cur.copy("COPY audit (at, actor, action, target, detail, prev_hash, hash) FROM STDIN") as copy:
            for i in range(n):
                at = start + timedelta(seconds=i * step)
                actor = f"analyst{i % 20:02d}"
                if i % 2:
                    action, target, detail = "read", keys[i % len(keys)], "web"
                else:
                    action, target, detail = "list", "queue", "web 50 reports"
                digest = audit._digest(prev, audit._stamp(at), actor, action, target, detail)
                copy.write_row((at, actor, action, target, detail, prev, digest))
                prev = digest
        cur.execute("ALTER TABLE audit ENABLE TRIGGER audit_unique_across_partitions")
        pg.commit()
    print(f"audit: {n:,} chained entries in {time.perf_counter() - t0:,.0f} s", flush=True)


def _database_bytes(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def sizes(url: str) -> None:
    """Each table's heap and index bytes (partitions summed into their table), and the bytes a report."""
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM report_state")).scalar_one()
        rows = conn.execute(text("""
            SELECT coalesce(parent.relname, c.relname) AS name, sum(pg_table_size(c.oid)) AS heap,
                   sum(pg_indexes_size(c.oid)) AS indexes, sum(c.reltuples) AS rows
            FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
            LEFT JOIN pg_inherits i ON i.inhrelid = c.oid LEFT JOIN pg_class parent ON parent.oid = i.inhparent
            WHERE ns.nspname = current_schema() AND c.relkind = 'r'
            GROUP BY 1 ORDER BY sum(pg_total_relation_size(c.oid)) DESC""")).all()
        total = _database_bytes(engine)
    print(f"{n:,} reports; database {total / 2**30:,.2f} GiB = {total / max(n, 1):,.0f} bytes a report")
    for name, heap, indexes, count in rows[:14]:
        print(f"  {name:32} heap {heap / 2**20:9,.0f} MiB  indexes {indexes / 2**20:8,.0f} MiB  "
              f"rows {max(count, 0):12,.0f}  {(heap + indexes) / max(n, 1):8,.0f} B a report")
    print(describe())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", choices=["build", "multiply", "sizes"])
    parser.add_argument("--url", required=True, help="postgresql+psycopg://... of an empty database (build)")
    parser.add_argument("--data", type=Path, help="a `lanzarote synth` set (build)")
    parser.add_argument("--to", type=int, default=5_000_000, help="reports the multiplied store holds (multiply)")
    parser.add_argument("--limit-gb", type=float, default=38.0, help="stop multiplying past this database size")
    parser.add_argument("--per-round", type=int, default=10, help="copies made by one INSERT a table (multiply)")
    parser.add_argument("--min-free-gb", type=float, default=15.0, help="stop multiplying under this free disk")
    parser.add_argument("--audit", type=int, default=5_000_000, help="audit entries written after (multiply)")
    args = parser.parse_args()
    if args.phase == "build":
        if args.data is None:
            parser.error("build needs --data (a `lanzarote synth` set)")
        build(args.url, args.data)
    elif args.phase == "multiply":
        multiply(args.url, args.to, args.limit_gb, args.audit, args.per_round, args.min_free_gb)
    else:
        sizes(args.url)


if __name__ == "__main__":
    main()
