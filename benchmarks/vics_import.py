"""Import of a 1 M-entry VICS JSON list: entries/s, peak memory, then the load time of a matcher over it.

Run: .venv/bin/python -m benchmarks.vics_import [--entries 1000000]
The list is generated in a temporary folder under /tmp (a third of the entries carry a PDQ hash) and deleted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.machine import describe, peak_rss_mib
from lanzarote.pipeline.settings import hash_library


def write_vics(path: Path, entries: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    md5 = rng.integers(0, 256, size=(entries, 16), dtype=np.uint8)
    pdq = rng.integers(0, 256, size=(entries, 32), dtype=np.uint8)
    with path.open("w") as f:
        f.write('{"@odata.context": "http://example.org/ProjectVic/DataModels/1.3.xml#Media", "value": [\n')
        for i in range(entries):
            entry = {
                "MediaID": i + 1, "Category": int(i % 4), "VictimIdentified": bool(i % 5 == 0),
                "OffenderIdentified": False, "IsDistributed": True, "Series": f"series-{i % 997}" if i % 3 else None,
                "Tags": ["synthetic"], "MD5": md5[i].tobytes().hex(), "SHA1": None,
                "PDQ": pdq[i].tobytes().hex() if i % 3 == 0 else None,
                "MediaFiles": [{"MD5": md5[i].tobytes().hex(), "FileName": f"synthetic-{i}.jpg"}],
            }
            f.write(("," if i else "") + json.dumps(entry) + "\n")
        f.write("]}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        path = Path(tmp) / "vics.json"
        t = time.perf_counter()
        write_vics(path, args.entries)
        print(f"wrote {args.entries:,} entries ({path.stat().st_size / 2**20:,.0f} MiB) in "
              f"{time.perf_counter() - t:.1f} s")
        library = hash_library(Path(tmp) / "hashlists")
        t = time.perf_counter()
        summary = library.import_list(path, "bench", "vics")
        elapsed = time.perf_counter() - t
        print(f"import: {summary.read:,} entries in {elapsed:.1f} s = {summary.read / elapsed:,.0f} entries/s "
              f"(malformed {summary.malformed})")
        t = time.perf_counter()
        matcher = library.matcher()
        print(f"matcher load: {time.perf_counter() - t:.2f} s for {len(matcher.lists)} list")
    print(describe())
    print(f"peak RSS {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
