"""Two nodes in one test: the hub (sender) and the Spanish unit (recipient), each with its own store, data folder
and signing key, and each trusting the other's key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lanzarote.model.report import Address, Email, IncidentType, Party, PartyRole, Report
from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import process
from lanzarote.service import packages
from lanzarote.store import access
from lanzarote.store.db import open_store, session
from tests.coordination.fixtures import reports

PASSWORD = "correct horse battery"


class Nodes:
    def __init__(self, hub: Engine, spain: Engine, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hub, self.spain, self.root, self.mp = hub, spain, root, monkeypatch

    @contextmanager
    def at(self, node: str) -> Iterator[Engine]:
        """Act as `node` (HUB or ES): its data folder, its key, its agency."""
        self.mp.setenv("LANZAROTE_DATA_DIR", str(self.root / node))
        self.mp.setenv("LANZAROTE_NODE_AGENCY", node)
        engine = self.hub if node == "HUB" else self.spain
        self.mp.setenv("LANZAROTE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        yield engine


def _take_in(engine: Engine, folder: Path, found: list[Report]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "reports.jsonl"
    path.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in found))
    ingest(engine, [path], workers=1)
    process(engine, workers=1)


def make_nodes(hub: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Nodes:
    """The hub holds the fixture subject; Spain holds an earlier citizen report on the same e-mail address."""
    spain = open_store(f"sqlite:///{tmp_path / 'spain.db'}")
    nodes = Nodes(hub, spain, tmp_path, monkeypatch)
    now = datetime.now(UTC)
    with nodes.at("HUB"):
        _take_in(hub, tmp_path / "in-hub", [r for r, _ in reports().values()])
        with session(hub) as s:
            access.add_agency(s, "ES", "Spanish central cybercrime unit (fictional)", "national_unit", "ES")
            access.add_user(s, "hub-analyst", PASSWORD, "analyst", access.HUB, now)
            access.add_user(s, "hub-admin", PASSWORD, "administrator", access.HUB, now)
        hub_id = packages.identity()
    with nodes.at("ES"):
        earlier = Report(source="citizen", source_id="ES-2026-0042", incident_type=IncidentType.ONLINE_ENTICEMENT,
                         parties=(Party(role=PartyRole.REPORTED, emails=(Email(address="c.ejemplo@example.org"),),
                                        addresses=(Address(city="Madrid", postal_code="28001", country="ES"),)),))
        _take_in(spain, tmp_path / "in-es", [earlier])
        with session(spain) as s:
            access.add_agency(s, "ES", "Spanish central cybercrime unit (fictional)", "national_unit", "ES")
            access.add_user(s, "es-analyst", PASSWORD, "analyst", "ES", now)
            access.add_user(s, "es-admin", PASSWORD, "administrator", "ES", now)
        es_id = packages.identity()
        with session(spain) as s:
            packages.add_partner(s, access.active_user(s, "es-admin"), hub_id["agency"], hub_id["public_key"])  # type: ignore[arg-type]
    with nodes.at("HUB"), session(hub) as s:
        packages.add_partner(s, access.active_user(s, "hub-admin"), es_id["agency"], es_id["public_key"])  # type: ignore[arg-type]
    return nodes
