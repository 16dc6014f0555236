"""Person matching with Splink (DuckDB) over many person records: time, peak memory and quality.

    .venv/bin/python -m benchmarks.persons --records 1000000 [--memory-mib 1024]

Records are fictional people (names from short lists, birth dates, cities, postal codes, screen names), made one at
a time as matching reads them; about 5 % of them appear a second time without their screen name (the same name,
birth date and address in another report), which is what suggestions should find. Prints the time (wall and CPU,
records made on the fly included), records per second, the suggestions' precision and recall against the planted
pairs (and how many wrong ones are two made people alike in everything a planted pair shares: with names from
short lists such pairs grow with the square of the records, about 200 at 1 M and 20,000 at 10 M, and bound the
precision against the planted pairs to about 96 % at 10 M), and the process's peak RSS, DuckDB's memory included
(it runs inside the process).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.machine import describe, peak_rss_mib
from lanzarote import config
from lanzarote.linking.persons import PersonRecord, suggest

FIRST = ["anna", "lukas", "marie", "jonas", "lea", "paul", "emma", "felix", "lucia", "hugo", "jade", "arthur",
         "sofia", "mateo", "louise", "gabriel", "ida", "noah", "freja", "william"]
LAST = ["beispiel", "muster", "probst", "fiktiv", "ejemplo", "prueba", "exemple", "essai", "sample", "testmann",
        "voorbeeld", "esempio", "prova", "eksempel", "exempel", "przyklad"]
ALIKE = {"first_name", "surname", "dob", "city", "postcode"}
"""What a planted pair agrees on: two made people who agree on all of it cannot be told apart from one."""
CITIES = [(f"city{i}", f"{10000 + i * 37:05d}") for i in range(400)]


class People:
    """`n` fictional people and their planted twins, made lazily; counts the records and twins it made."""

    def __init__(self, n: int, seed: int) -> None:
        self.n, self.seed, self.records, self.twins = n, seed, 0, 0

    def __iter__(self) -> Iterator[PersonRecord]:
        rng = random.Random(self.seed)
        for i in range(self.n):
            city, postcode = rng.choice(CITIES)
            rec = PersonRecord(unique_id=f"r/{i}#0", report_key=f"r/{i}", first_name=rng.choice(FIRST),
                               surname=rng.choice(LAST), dob=f"{rng.randint(1950, 2008)}-{rng.randint(1, 12):02d}-"
                               f"{rng.randint(1, 28):02d}", city=city, postcode=postcode,
                               screen_name=f"user{rng.getrandbits(40):x}")
            self.records += 1
            yield rec
            if rng.random() < 0.05:
                self.records += 1
                self.twins += 1
                yield PersonRecord(unique_id=f"t/{i}#0", report_key=f"t/{i}", first_name=rec.first_name,
                                   surname=rec.surname, dob=rec.dob, city=rec.city, postcode=rec.postcode,
                                   screen_name=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--memory-mib", type=int, default=int(config.get("person_matching_memory_mib")))
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()),
                        help="where DuckDB's working folder goes (it spills there)")
    args = parser.parse_args()

    people = People(args.records, 1)
    found = right = alike = 0
    start, cpu = time.perf_counter(), time.process_time()
    for s in suggest(people, {}, folder=args.folder, memory_mib=args.memory_mib):
        found += 1
        planted = s.report_a.startswith("r/") and s.report_b == "t/" + s.report_a[2:]
        right += planted
        alike += not planted and {e.split(":")[0] for e in s.evidence} >= ALIKE
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"Splink person matching over {people.records:,} records (DuckDB memory limit {args.memory_mib:,} MiB): "
          f"{seconds:,.1f} s wall, {cpu:,.1f} s CPU, {people.records / seconds:,.0f} records/s")
    print(f"{found:,} suggestions, {right:,} of them planted pairs ({people.twins:,} planted): "
          f"precision {right / max(found, 1):.2%}, recall {right / max(people.twins, 1):.2%}")
    print(f"{alike:,} of the {found - right:,} others are two people alike in all a planted pair shares (name, "
          f"birth date, city, postal code): nothing in the data tells them apart; precision counting them as right "
          f"{(right + alike) / max(found, 1):.2%}")
    print(f"peak RSS: {peak_rss_mib():,.0f} MiB (the whole process, DuckDB included)")
    print(describe())


if __name__ == "__main__":
    main()
