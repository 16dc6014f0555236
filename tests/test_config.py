"""Settings: every one documented, read from the environment, a bad value is one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanzarote import config
from lanzarote.errors import ConfigurationError

DOCS = Path(__file__).parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text()
    missing = [s.env for s in config.SETTINGS if f"`{s.env}`" not in text]
    assert missing == []


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANZAROTE_BATCH_SIZE", "17")
    assert config.get("batch_size") == 17
    monkeypatch.setenv("LANZAROTE_BATCH_SIZE", "many")
    with pytest.raises(ConfigurationError, match="LANZAROTE_BATCH_SIZE"):
        config.get("batch_size")
