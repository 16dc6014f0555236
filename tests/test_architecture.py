"""Dependencies point one way: analysis stages load without the store, the web stack or the CLI; the faces reach
the store only through the use cases."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

STAGES = ["lanzarote.model", "lanzarote.intake", "lanzarote.media", "lanzarote.linking", "lanzarote.routing",
          "lanzarote.triage", "lanzarote.coordination.knowledge",
          "lanzarote.coordination.packages", "lanzarote.coordination.deconfliction", "lanzarote.takedown"]
FORBIDDEN = ["sqlalchemy", "fastapi", "typer", "lanzarote.store", "lanzarote.api", "lanzarote.web", "lanzarote.cli",
             "lanzarote.config"]
"""`lanzarote.config` too: a stage is handed its settings as typed values (`lanzarote.pipeline.settings`)."""


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


FACES = ["api", "web", "cli"]
PACKAGE = Path(__file__).parents[1] / "lanzarote"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


@pytest.mark.parametrize("face", FACES)
def test_faces_go_through_the_use_cases_not_the_store(face: str) -> None:
    """The CLI, the API and the web reach the store only through `lanzarote.service`, where need-to-know and the
    audit are applied once."""
    offenders = sorted(
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in (PACKAGE / face).rglob("*.py")
        for name in _imports(path)
        if name == "lanzarote.store" or name.startswith(("lanzarote.store.", "lanzarote.pipeline"))
    )
    assert offenders == []


@pytest.mark.parametrize("stage", STAGES)
def test_stages_take_their_settings_as_arguments_not_from_the_configuration(stage: str) -> None:
    """Not even inside a function (which the import test above would not see): whoever runs a stage builds its
    settings from the configuration (`lanzarote.pipeline.settings`) and hands them in."""
    folder = PACKAGE.parent / Path(*stage.split("."))
    offenders = sorted(f"{path.relative_to(PACKAGE)}" for path in folder.rglob("*.py")
                       if "lanzarote.config" in _imports(path))
    assert offenders == []
