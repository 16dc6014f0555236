"""Dependencies point one way: analysis stages load without the store, the web stack or the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

STAGES = ["lanzarote.model", "lanzarote.intake", "lanzarote.media", "lanzarote.linking", "lanzarote.routing",
          "lanzarote.triage"]
FORBIDDEN = ["sqlalchemy", "fastapi", "typer", "lanzarote.store", "lanzarote.api", "lanzarote.web", "lanzarote.cli"]


@pytest.mark.parametrize("stage", STAGES)
def test_stage_imports_nothing_above_it(stage: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({stage!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{stage} pulls in {out}"
