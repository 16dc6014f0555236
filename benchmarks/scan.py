"""`scan` of a folder of generated images: files/s, against the floor of only decoding the same images.

Run: .venv/bin/python -m benchmarks.scan [--images 10000] [--workers 0]
Images (benign noise-and-gradient pictures, 1024x768, 90 % JPEG and 10 % PNG) are generated under /tmp and deleted
afterwards. The
floor decodes every file with Pillow (`Image.load`) on the same number of processes; the scan reads, digests
(MD5, SHA-1, SHA-256), decodes, computes PDQ with its 8 dihedral variants, and matches against a list.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.machine import describe, peak_rss_mib
from lanzarote import config
from lanzarote.media.scan import scan
from lanzarote.pipeline.settings import hash_library, scan_limits


def make_images(folder: Path, count: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:768, 0:1024]
    noise = rng.integers(0, 40, size=(768, 1024, 3))
    for i in range(count):
        base = (xx * rng.uniform(0.1, 0.5) + yy * rng.uniform(0.1, 0.5)) % 256
        shift = int(rng.integers(0, 700))
        pixels = np.clip(base[:, :, None] + np.roll(noise, shift, axis=1), 0, 255).astype(np.uint8)
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        image = Image.fromarray(pixels)
        if i % 10 == 0:
            image.save(sub / f"img{i:06d}.png", compress_level=1)
        else:
            image.save(sub / f"img{i:06d}.jpg", quality=85)


def _decode(path: Path) -> int:
    with Image.open(path) as image:
        image.load()
        return image.size[0]


def decode_floor(files: list[Path], workers: int) -> float:
    t = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        for _ in pool.map(_decode, files, chunksize=16):
            pass
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    workers = args.workers or config.workers()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        root = Path(tmp) / "seized"
        root.mkdir()
        t = time.perf_counter()
        make_images(root, args.images)
        files = sorted(p for p in root.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in files)
        print(f"generated {len(files):,} images ({size / 2**20:,.0f} MiB) in {time.perf_counter() - t:.1f} s")
        lists = Path(tmp) / "lists"
        (Path(tmp) / "te.csv").write_text("".join(f"{i:064x},e{i}\n" for i in range(1, 1001)))
        library = hash_library(lists)
        library.import_list(Path(tmp) / "te.csv", "bench", "te")
        matcher = library.matcher()
        floor = decode_floor(files, workers)
        print(f"decode only (Pillow, {workers} processes): {len(files) / floor:,.0f} files/s")
        t = time.perf_counter()
        summary = scan(root, Path(tmp) / "result.jsonl", matcher, scan_limits(), workers)
        elapsed = time.perf_counter() - t
        print(f"scan ({workers} processes): {summary.files / elapsed:,.0f} files/s; {elapsed / floor:.2f}x the "
              f"decode-only time; verdicts {dict(summary.verdicts)}")
    print(describe())
    print(f"peak RSS {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
