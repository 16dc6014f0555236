"""Where person matching computes: DuckDB embedded (the default) or Spark in local mode (global re-runs).

Each engine takes the person records a batch at a time into a table named `person_records` inside a working
folder, keeps to a memory limit (spilling to that folder past it), gives Splink its database API and streams back the
rows of a query.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import fields
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from lanzarote.errors import ConfigurationError

if TYPE_CHECKING:
    from lanzarote.linking.persons import PersonRecord

ENGINES = ("duckdb", "spark")
LOAD_BATCH = 50_000
"""Records handed to the engine at a time."""
FETCH = 10_000
"""Result rows read from the engine at a time."""


class Engine(Protocol):
    db_api: Any

    def load(self, records: Iterable[PersonRecord]) -> int:
        """Copy the records into `person_records`; returns how many."""

    def rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        """The rows of a query, read a few thousand at a time."""

    def close(self) -> None: ...


def engine(name: str, work: Path, memory_mib: int) -> Engine:
    """The engine called `name`, working in `work` within `memory_mib` MiB."""
    if name == "duckdb":
        return DuckDBEngine(work, memory_mib)
    if name == "spark":
        return SparkEngine(work, memory_mib)
    raise ConfigurationError(f"person matching engine {name!r} is unknown: use one of {', '.join(ENGINES)}")


def _batches(records: Iterable[PersonRecord]) -> Iterator[Any]:
    """The records as Arrow tables of LOAD_BATCH rows, every field a string column."""
    import pyarrow as pa

    from lanzarote.linking.persons import PersonRecord

    names = [f.name for f in fields(PersonRecord)]
    schema = pa.schema([(name, pa.string()) for name in names])
    it = iter(records)
    while batch := list(islice(it, LOAD_BATCH)):
        yield pa.table([[getattr(r, name) for r in batch] for name in names], schema=schema)


class DuckDBEngine:
    def __init__(self, work: Path, memory_mib: int) -> None:
        import duckdb
        from splink import DuckDBAPI

        self.con = duckdb.connect(str(work / "persons.duckdb"))
        self.con.execute(f"set memory_limit = '{int(memory_mib)}MiB'")
        self.con.execute(f"set temp_directory = '{work / 'spill'}'")
        self.con.execute("set preserve_insertion_order = false")
        self.db_api = DuckDBAPI(self.con)

    def load(self, records: Iterable[PersonRecord]) -> int:
        count = 0
        for batch in _batches(records):
            self.con.register("person_batch", batch)
            if count == 0:
                self.con.execute("create table person_records as select * from person_batch")
            else:
                self.con.execute("insert into person_records select * from person_batch")
            self.con.unregister("person_batch")
            count += batch.num_rows
        return count

    def rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        cursor = self.con.execute(sql)
        while chunk := cursor.fetchmany(FETCH):
            yield from chunk

    def close(self) -> None:
        self.con.close()


class SparkEngine:
    """Spark in local mode, on all cores; the driver's heap is the memory limit, and shuffles spill to `work`."""

    def __init__(self, work: Path, memory_mib: int) -> None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # local mode talks to itself on loopback only
        from pyspark.sql import SparkSession
        from splink.backends.spark import SparkAPI, similarity_jar_location

        self.work = work
        self.spark = (SparkSession.builder.master("local[*]").appName("lanzarote-persons")
                      .config("spark.driver.memory", f"{int(memory_mib)}m")
                      .config("spark.local.dir", str(work / "spill"))
                      .config("spark.sql.warehouse.dir", str(work / "warehouse"))
                      .config("spark.sql.shuffle.partitions", "8")
                      .config("spark.ui.enabled", "false")
                      .config("spark.driver.host", "127.0.0.1")
                      .config("spark.driver.bindAddress", "127.0.0.1")
                      .config("spark.jars", similarity_jar_location())
                      .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")
        self.spark.sparkContext.setCheckpointDir(str(work / "checkpoints"))
        self.db_api = SparkAPI(spark_session=self.spark, num_partitions_on_repartition=8)  # type: ignore[no-untyped-call]

    def load(self, records: Iterable[PersonRecord]) -> int:
        import pyarrow.parquet as pq

        folder = self.work / "records"
        folder.mkdir()
        count = 0
        for n, batch in enumerate(_batches(records)):
            pq.write_table(batch, folder / f"{n:06d}.parquet")
            count += batch.num_rows
        if count:
            self.spark.read.parquet(str(folder)).createOrReplaceTempView("person_records")
        return count

    def rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        for row in self.spark.sql(sql).toLocalIterator(prefetchPartitions=True):
            yield tuple(row)

    def close(self) -> None:
        self.spark.stop()
