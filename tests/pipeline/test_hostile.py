"""The hostile corpus through the command line, on both engines: every valid report stored, every hostile document
quarantined with a reason, nothing lost, no crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from lanzarote.cli import app
from lanzarote.store import schema
from lanzarote.store.db import session
from lanzarote.store.quarantine import entries
from lanzarote.store.reports import count_reports
from tests.hostile import CORPUS_SETTINGS, Corpus, hostile_of, write_corpus


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Corpus:
    for name, value in CORPUS_SETTINGS.items():
        monkeypatch.setenv(name, value)
    return write_corpus(tmp_path / "corpus")


def assert_every_document_accounted_for(engine: Engine, corpus: Corpus) -> None:
    """Valid stored, hostile quarantined with a reason, no valid document quarantined, no time from the future."""
    with session(engine) as s:
        stored = count_reports(s)
        quarantined = entries(s)
        latest_received = s.execute(select(func.max(schema.report_state.c.received_at))).scalar_one()
    owners = {row.location: hostile_of(row.location, corpus) for row in quarantined}
    assert [loc for loc, owner in owners.items() if owner is None] == [], "valid documents were quarantined"
    assert sorted(set(corpus.hostile) - set(owners.values())) == [], "hostile documents were not quarantined"
    assert all(len(row.reason) > 20 for row in quarantined)
    assert stored == corpus.valid_reports
    assert latest_received.replace(tzinfo=UTC) < datetime.now(UTC) + timedelta(days=1)


def test_the_corpus_is_big_enough_to_mean_something(corpus: Corpus) -> None:
    assert len(corpus.hostile) >= 200 and corpus.valid_reports >= 1000


def test_hostile_documents_are_quarantined_and_valid_ones_stored_through_the_cli(
        engine: Engine, corpus: Corpus) -> None:
    result = CliRunner().invoke(app, ["ingest", str(corpus.folder), "--json"])
    assert result.exit_code == 0, result.output
    assert_every_document_accounted_for(engine, corpus)
    again = CliRunner().invoke(app, ["ingest", str(corpus.folder), "--json"])  # nothing new, nothing lost
    assert again.exit_code == 0, again.output
    assert_every_document_accounted_for(engine, corpus)
