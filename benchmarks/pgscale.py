"""A hub's year in PostgreSQL: a real processed store, its per-report costs, then the same store multiplied to millions.

    .venv/bin/python -m benchmarks.pgscale build --url postgresql+psycopg://postgres@127.0.0.1:5432/pgscale5m \
        --data /tmp/pgscale/synth60k          # `lanzarote synth --reports 60000 --seed 24 --out DIR` beforehand
    .venv/bin/python -m benchmarks.pgscale multiply --url ... --to 5000000
    .venv/bin/python -m benchmarks.pgscale sizes --url ...

`build` ingests and processes a `lanzarote synth` set with the real pipeline into an empty database and prints the
CPU and wall time a report of each (this process and its helpers; PostgreSQL's own CPU is measured from
`/proc/PID/stat` of the server processes, beside). `multiply` copies that processed store inside PostgreSQL
(INSERT ... SELECT) until it holds `--to` reports: every copy shifts the source ids (and so the keys in every table
that names a report: versions, files, layers, state, identifiers, links, subjects) by a multiple of a stride, and
moves the received times so that the copies spread over one year; then ANALYZE. The multiplied store is therefore
not ingested: its rows are the processed rows of the real pipeline, repeated with other ids and times (the copies
of one report link to each other only as the original did). `sizes` prints each table's and index's size and the
bytes a report. Keep the disk under 40 GB: `multiply` prints the database size after every copy.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from benchmarks.machine import describe

STRIDE = 100_000_000
"""Copy n's source ids are the original's plus n × STRIDE (synthetic ids are 8 digits, so copies never collide)."""
YEAR_START = "2026-01-01"


def _cpu() -> float:
    own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime


def _server_cpu(engine: Engine) -> float:
    """CPU seconds (user + system) of every PostgreSQL server process on this host so far (clock ticks from
    /proc): the server's share of a phase is the difference, other databases' work included (a shared host)."""
    del engine
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        if name.startswith("postgres"):
            fields = stat[stat.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


def build(url: str, data: Path) -> None:
    os.environ["LANZAROTE_DATABASE_URL"] = url
    from lanzarote.pipeline.ingest import ingest
    from lanzarote.pipeline.process import prepare_demo, process
    from lanzarote.store.db import open_store

    engine = open_store(url)
    prepare_demo(engine, data)
    paths = [p for p in (data / "ncmec", data / "ncmec-layers.jsonl", data / "other") if p.exists()]
    start, cpu, server = time.perf_counter(), _cpu(), _server_cpu(engine)
    ingested = ingest(engine, paths)
    ingest_s, ingest_cpu, ingest_server = time.perf_counter() - start, _cpu() - cpu, _server_cpu(engine) - server
    start, cpu, server = time.perf_counter(), _cpu(), _server_cpu(engine)
    processed = process(engine)
    process_s, process_cpu, process_server = time.perf_counter() - start, _cpu() - cpu, _server_cpu(engine) - server
    n, m = ingested.counts.new, processed.processed
    print(f"ingest: {n:,} reports ({ingested.counts.files:,} files, {ingested.counts.layers:,} layers) in "
          f"{ingest_s:,.1f} s = {n / ingest_s:,.0f}/s; CPU {ingest_cpu / n * 1e6:,.0f} us a report in Lanzarote's "
          f"processes, {ingest_server / n * 1e6:,.0f} us in PostgreSQL's")
    print(f"process: {m:,} reports in {process_s:,.1f} s = {m / process_s:,.0f}/s; CPU {process_cpu / m * 1e6:,.0f} "
          f"us a report in Lanzarote's processes, {process_server / m * 1e6:,.0f} us in PostgreSQL's")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    sizes(url)


# Each table that names a report, and how a copy rewrites its columns: `{k}` shifts a report key, `{i}` a source id,
# `{t}` moves a time. Tables that do not name reports (users, hash lists, cases...) are not copied.
SHIFT_KEY = "split_part({c}, '/', 1) || '/' || (split_part({c}, '/', 2)::bigint + :shift)::text"
SHIFT_ID = "({c}::bigint + :shift)::text"
SHIFT_TIME = "{c} + :move"
COPIED: dict[str, dict[str, str]] = {
    "reports": {"report_key": SHIFT_KEY, "source_id": SHIFT_ID, "received_at": SHIFT_TIME,
                "ingested_at": SHIFT_TIME, "document": "replace({c}, '\"source_id\":\"' || source_id || '\"', "
                "'\"source_id\":\"' || (source_id::bigint + :shift)::text || '\"')"},
    "report_files": {"report_key": SHIFT_KEY, "received_at": SHIFT_TIME},
    "report_file_versions": {"report_key": SHIFT_KEY, "received_at": SHIFT_TIME},
    "clearing_house_layers": {"report_key": SHIFT_KEY, "received_at": SHIFT_TIME},
    "clearing_house_layer_versions": {"report_key": SHIFT_KEY, "received_at": SHIFT_TIME},
    "report_state": {"report_key": SHIFT_KEY, "source_id": SHIFT_ID, "received_at": SHIFT_TIME,
                     "processed_at": SHIFT_TIME, "subject_id": "{c} || '-c' || :copy",
                     "linked_reports": "NULL"},
    "identifiers": {"report_key": SHIFT_KEY, "at": SHIFT_TIME},
    "links": {"report_a": SHIFT_KEY, "report_b": SHIFT_KEY},
}
"""Copies keep every table consistent: a copy's report, files, layers, state, identifiers and links name the copy's
key; its subject is the original's with a suffix (its members are the copies of the original's members); its
`linked_reports` list (source ids shown on the queue) is left empty rather than pointing at originals."""


def _columns(engine: Engine, table: str) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
            "AND table_schema = current_schema() ORDER BY ordinal_position"), {"t": table})]


def _only_numeric_ids(engine: Engine) -> None:
    with engine.connect() as conn:
        bad = conn.execute(text("SELECT count(*) FROM report_state WHERE source_id !~ '^[0-9]{1,12}$'")).scalar_one()
    if bad:
        raise SystemExit(f"{bad} reports have non-numeric source ids: multiply needs the synthetic set's numeric ids")


def multiply(url: str, to: int, limit_gb: float) -> None:
    """Copy the store's original reports (those below STRIDE) until it holds `to` reports."""
    engine = create_engine(url)
    _only_numeric_ids(engine)
    with engine.connect() as conn:
        base = conn.execute(text(f"SELECT count(*) FROM report_state WHERE source_id::bigint < {STRIDE}")).scalar_one()
        have = conn.execute(text("SELECT count(*) FROM report_state")).scalar_one()
    copies = -(-to // base) - 1
    print(f"{base:,} original reports, {have:,} stored; {copies} copies make {base * (copies + 1):,}")
    spread = 365 * 86400 / (copies + 1)  # copy n's times move by n × spread seconds: the year filled evenly
    for copy in range(1, copies + 1):
        shift = copy * STRIDE
        with engine.connect() as conn:
            done = conn.execute(text("SELECT 1 FROM report_state WHERE report_key LIKE '%/' || :first LIMIT 1"),
                                {"first": str(shift + 10_000_000)}).first()
            exists = conn.execute(text("SELECT 1 FROM report_state WHERE source_id::bigint BETWEEN :a AND :b LIMIT 1"),
                                  {"a": shift, "b": shift + STRIDE - 1}).first()
        del done
        if exists:
            print(f"copy {copy}: there already")
            continue
        t0 = time.perf_counter()
        params = {"shift": shift, "move": f"{copy * spread:.0f} seconds", "copy": str(copy)}
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            for table, rewrites in COPIED.items():
                columns = [c for c in _columns(engine, table) if c != "id"]
                exprs = [rewrites[c].format(c=c) if c in rewrites else c for c in columns]
                where = {"links": "split_part(report_a, '/', 2)::bigint < :stride",
                         "reports": "source_id::bigint < :stride", "report_state": "source_id::bigint < :stride"}.get(
                    table, "split_part(report_key, '/', 2)::bigint < :stride")
                conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
                                  f"FROM {table} WHERE {where}").bindparams(**params, stride=STRIDE)
                             if ":move" in " ".join(exprs) or ":shift" in " ".join(exprs) or ":copy" in " ".join(exprs)
                             else text(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
                                       f"FROM {table} WHERE {where}").bindparams(stride=STRIDE))
        size = _database_bytes(engine)
        print(f"copy {copy}/{copies}: {time.perf_counter() - t0:,.0f} s, database {size / 2**30:,.1f} GiB, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        if size > limit_gb * 2**30:
            raise SystemExit(f"the database passed {limit_gb:g} GiB: stopped after copy {copy}")
    t0 = time.perf_counter()
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    print(f"VACUUM ANALYZE: {time.perf_counter() - t0:,.0f} s")
    sizes(url)


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
    parser.add_argument("--limit-gb", type=float, default=40.0, help="stop multiplying past this database size")
    args = parser.parse_args()
    if args.phase == "build":
        if args.data is None:
            parser.error("build needs --data (a `lanzarote synth` set)")
        build(args.url, args.data)
    elif args.phase == "multiply":
        multiply(args.url, args.to, args.limit_gb)
    else:
        sizes(args.url)


if __name__ == "__main__":
    main()
