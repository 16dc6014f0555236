"""Subjects: the connected parts of the link graph — the person or group behind a set of reports."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from lanzarote.model.linking import Link


def subject_id_for(report_key: str) -> str:
    """A stable id for a subject founded by this report (the same inputs always give the same ids)."""
    return "S-" + hashlib.sha256(report_key.encode()).hexdigest()[:10].upper()


def assign_subjects(
    links: Sequence[Link],
    existing: Mapping[str, str | None],
    members: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, str]:
    """A subject id for every report the links touch, and for every member of a subject they merge.

    A component is named after its smallest report key, whatever subjects its reports had before: the name is a
    function of the link graph alone, so the same store gets the same subjects however its reports were batched
    (a subject keeps its id as reports join it, until a report with a smaller key does).
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for link in links:
        union(link.report_a, link.report_b)
    # reports already in a subject pull that subject's other members into the component
    for key in list(parent):
        subject = existing.get(key)
        if subject and members:
            for other in members.get(subject, ()):
                union(key, other)
    components: dict[str, list[str]] = {}
    for key in list(parent):
        components.setdefault(find(key), []).append(key)
    result: dict[str, str] = {}
    for keys in components.values():
        subject = subject_id_for(min(keys))
        for key in keys:
            result[key] = subject
    return result
