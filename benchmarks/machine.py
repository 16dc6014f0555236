"""Describe the machine a benchmark ran on, so that every printed figure says where it was measured."""

from __future__ import annotations

import os
import platform
import resource
import sys


def describe() -> str:
    """One line: CPU model, cores, memory, Python, load average at the time of the run."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"machine: {cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, Python {sys.version.split()[0]}, "
            f"{platform.system()} {platform.release()}, load average {load}")


def peak_rss_mib() -> float:
    """Peak resident memory of this process and its finished children, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024
