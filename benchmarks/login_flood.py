"""Pages under a login flood: queue and report p95 for analysts while attackers send wrong passwords.

    .venv/bin/python -m benchmarks.login_flood --reports 100000 --users 20 --attackers 50 --seconds 30

Loopback only, bounded in count and time: the store is loaded as in `benchmarks/web_latency.py` (PostgreSQL from
LANZAROTE_TEST_POSTGRES_URL, a schema of its own, dropped afterwards), `lanzarote serve` runs in its own process
(its default workers), `--users` analysts click through queue and report pages (`--think` seconds between clicks)
while `--attackers` clients post wrong passwords to `/api/v1/login` as fast as they are answered, each for user
names of its own and the analysts' (at most `--attempts` each). Prints p50/p95/p99 per page, the attackers' answers
by status, the server's peak memory and the machine. Target (issue 17): pages p95 < 150 ms for 20 analysts while 50
clients flood the login.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
import time

import httpx

from benchmarks.machine import describe
from benchmarks.web_latency import analysts, loaded_keys, served


async def attackers(base_url: str, count: int, attempts: int, seconds: float) -> collections.Counter[int]:
    """`count` clients posting wrong passwords, each until `attempts` or `seconds` run out: answers by status."""
    answers: collections.Counter[int] = collections.Counter()
    stop = time.monotonic() + seconds

    async def attacker(n: int) -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            for i in range(attempts):
                if time.monotonic() >= stop:
                    return
                name = "bench" if i % 2 else f"guess-{n}-{i}"
                response = await client.post("/api/v1/login", data={"username": name, "password": f"wrong {i}"})
                answers[response.status_code] += 1

    await asyncio.gather(*(attacker(n) for n in range(count)))
    return answers


def server_rss_mib(pid: int) -> float:
    """Resident memory of the server and its worker processes now, in MiB."""
    total = 0
    for child in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{child}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


async def flood(base_url: str, cookies: dict[str, str], args: argparse.Namespace, pid: int
                ) -> tuple[dict[str, list[float]], collections.Counter[int], float]:
    peak = [server_rss_mib(pid)]

    async def watch() -> None:
        while True:
            peak[0] = max(peak[0], server_rss_mib(pid))
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch())
    timings, answers = await asyncio.gather(
        analysts(base_url, cookies, args.users, args.seconds, args.think, loaded_keys(args.reports)),
        attackers(base_url, args.attackers, args.attempts, args.seconds))
    watcher.cancel()
    return timings, answers, peak[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--attackers", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=200, help="Most login attempts per attacker")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--think", type=float, default=1.0, help="Seconds an analyst looks at a page (mean)")
    args = parser.parse_args()
    with served(args.reports) as (base_url, cookies, pid):
        idle = server_rss_mib(pid)
        timings, answers, peak = asyncio.run(flood(base_url, cookies, args, pid))
        for kind, values in timings.items():
            q = statistics.quantiles(values, n=100)
            print(f"{kind} page: {len(values):,} requests, p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, "
                  f"p99 {q[98]:.0f} ms ({args.users} analysts thinking {args.think:g} s, {args.reports:,} reports "
                  f"in PostgreSQL, {args.attackers} attackers)")
        print("attackers' answers: " + ", ".join(f"{n:,} × {status}" for status, n in sorted(answers.items())))
        print(f"server memory: {idle:,.0f} MiB idle, {peak:,.0f} MiB at most under the flood")
        print(describe())


if __name__ == "__main__":
    main()
