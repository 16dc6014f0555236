"""Person matching with Splink (DuckDB) over many person records: time and peak memory.

    .venv/bin/python -m benchmarks.persons --records 1000000

Records are fictional people (names from short lists, birth dates, cities, postal codes, screen names); about 5 %
of them appear a second time with a variation (upper-case surname, another e-mail), which is what suggestions should
find. Prints the time, the number of suggestions, how many are right, and peak RSS.
"""

from __future__ import annotations

import argparse
import random
import time

from benchmarks.machine import describe, peak_rss_mib


def records(n: int, seed: int) -> tuple[list[object], set[tuple[str, str]]]:
    from lanzarote.linking.persons import PersonRecord

    rng = random.Random(seed)
    first = ["anna", "lukas", "marie", "jonas", "lea", "paul", "emma", "felix", "lucia", "hugo", "jade", "arthur",
             "sofia", "mateo", "louise", "gabriel", "ida", "noah", "freja", "william"]
    last = ["beispiel", "muster", "probst", "fiktiv", "ejemplo", "prueba", "exemple", "essai", "sample", "testmann",
            "voorbeeld", "esempio", "prova", "eksempel", "exempel", "przyklad"]
    cities = [(f"city{i}", f"{10000 + i * 37:05d}") for i in range(400)]
    out: list[object] = []
    twins: set[tuple[str, str]] = set()
    for i in range(n):
        city, postcode = rng.choice(cities)
        rec = PersonRecord(unique_id=f"r/{i}#0", report_key=f"r/{i}", first_name=rng.choice(first),
                           surname=rng.choice(last), dob=f"{rng.randint(1950, 2008)}-{rng.randint(1, 12):02d}-"
                           f"{rng.randint(1, 28):02d}", city=city, postcode=postcode,
                           screen_name=f"user{rng.getrandbits(40):x}")
        out.append(rec)
        if rng.random() < 0.05:
            twin = PersonRecord(unique_id=f"t/{i}#0", report_key=f"t/{i}", first_name=rec.first_name,
                                surname=rec.surname, dob=rec.dob, city=rec.city, postcode=rec.postcode,
                                screen_name=None)
            out.append(twin)
            twins.add(tuple(sorted((rec.report_key, twin.report_key))))  # type: ignore[arg-type]
    return out, twins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    from lanzarote.linking.persons import suggest

    people, twins = records(args.records, 1)
    start = time.perf_counter()
    found = suggest(people, {})  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    right = sum(1 for s in found if (s.report_a, s.report_b) in twins)
    print(f"Splink person matching over {len(people):,} records: {seconds:,.1f} s, {len(found):,} suggestions, "
          f"{right:,} of them true pairs ({len(twins):,} planted)")
    print(f"peak RSS: {peak_rss_mib():,.0f} MiB")
    print(describe())


if __name__ == "__main__":
    main()
