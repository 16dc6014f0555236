"""Three deconfliction nodes on loopback in one test: two units (DE, ES) and the hub, each a real HTTP server
(uvicorn in a thread, a free port) over its own SQLite store and data folder, each trusting the others' keys as an
administrator would install them; every byte between them can be captured at the one transport function."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

from lanzarote.coordination.deconfliction import transport
from lanzarote.model.report import Report
from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import process
from lanzarote.service import deconfliction as service
from lanzarote.service.actors import system_actor
from lanzarote.store import access
from lanzarote.store.db import open_store, session
from lanzarote.web.app import create_app
from tests.web.test_browser import free_port

PASSWORD = "correct horse battery"


@dataclass
class Node:
    agency: str
    engine: Engine
    data: Path
    port: int
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = uvicorn.Server(uvicorn.Config(create_app(self.engine, "test-" + self.agency),
                                                    host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started, f"{self.agency}'s server did not start"

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=10)
            self.server = self.thread = None


@dataclass
class Capture:
    """Every request and answer between the nodes, as bytes."""

    exchanges: list[tuple[str, bytes, bytes]] = field(default_factory=list)

    @property
    def everything(self) -> bytes:
        return b"\n".join(url.encode() + b"\n" + sent + b"\n" + got for url, sent, got in self.exchanges)


class Three:
    def __init__(self, nodes: dict[str, Node], monkeypatch: pytest.MonkeyPatch) -> None:
        self.nodes, self.mp = nodes, monkeypatch

    def __getitem__(self, agency: str) -> Node:
        return self.nodes[agency]

    @contextmanager
    def at(self, agency: str) -> Iterator[Engine]:
        node = self.nodes[agency]
        self.mp.setenv("LANZAROTE_DATA_DIR", str(node.data))
        self.mp.setenv("LANZAROTE_DATABASE_URL", node.engine.url.render_as_string(hide_password=False))
        yield node.engine

    def take_in(self, agency: str, found: list[Report]) -> None:
        """Ingest and process reports at a node, as its intake would."""
        node = self.nodes[agency]
        with self.at(agency):
            folder = node.data / f"in-{len(list(node.data.glob('in-*')))}"
            folder.mkdir(parents=True)
            path = folder / "reports.jsonl"
            path.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in found))
            ingest(node.engine, [path], workers=1)
            process(node.engine, workers=1)

    def sync(self, *agencies: str) -> list[service.SyncSummary]:
        return [service.sync(self.nodes[a].engine) for a in agencies or tuple(self.nodes)]

    def until(self, done: Callable[[], bool], seconds: float = 10.0) -> float:
        """Run sync rounds at every node until `done()`; returns the seconds it took."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            self.sync()
            if done():
                return time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"not done after {seconds} s")

    def hits(self, agency: str) -> list[service.HitView]:
        with session(self.nodes[agency].engine) as s:
            return service.hits(s, access.active_user(s, f"{agency.lower()}-analyst"), "test")  # type: ignore[arg-type]

    @contextmanager
    def captured(self) -> Iterator[Capture]:
        capture = Capture()
        real = transport.SEND

        def wrapped(url: str, body: bytes, timeout: float) -> transport.Answer:
            answer = real(url, body, timeout)
            capture.exchanges.append((url, body, answer.body))
            return answer

        self.mp.setattr(transport, "SEND", wrapped)
        try:
            yield capture
        finally:
            self.mp.setattr(transport, "SEND", real)


AGENCIES = {"DE": "German federal unit (fictional)", "ES": "Spanish central cybercrime unit (fictional)"}


@contextmanager
def three_nodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Three]:
    monkeypatch.setenv("LANZAROTE_DECONFLICTION_RETRY_SECONDS", "0.05")
    monkeypatch.setenv("LANZAROTE_DECONFLICTION_RETRY_MAX_SECONDS", "0.2")
    monkeypatch.setenv("LANZAROTE_DECONFLICTION_TIMEOUT_SECONDS", "3")
    monkeypatch.delenv("LANZAROTE_NODE_KEY_FILE", raising=False)
    nodes = {a: Node(a, open_store(f"sqlite:///{tmp_path / (a.lower() + '.db')}"), tmp_path / a, free_port())
             for a in ("HUB", "DE", "ES")}
    three = Three(nodes, monkeypatch)
    now = datetime.now(UTC)
    ids = {}
    for agency, node in nodes.items():
        with three.at(agency), session(node.engine) as s:
            for code, name in AGENCIES.items():
                access.add_agency(s, code, name, "national_unit", code)
            who = access.HUB if agency == "HUB" else agency
            access.add_user(s, f"{agency.lower()}-analyst", PASSWORD, "analyst", who, now)
            ids[agency] = service.init_node(s, system_actor("test"), agency, node.url,
                                            "hub" if agency == "HUB" else "unit")
    for agency, node in nodes.items():
        with three.at(agency), session(node.engine) as s:
            for other, found in ids.items():
                if other != agency and (agency == "HUB" or other == "HUB"):
                    service.add_peer(s, system_actor("test"), other, found["url"], found["public_key"],
                                     found["role"])
    for node in nodes.values():
        node.start()
    try:
        yield three
    finally:
        for node in nodes.values():
            node.stop()
            node.engine.dispose()
