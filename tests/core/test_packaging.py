"""A newcomer's first `make run` screen: no packaging deprecations, no compiler chatter."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_licence_is_an_spdx_expression_not_a_table() -> None:
    """setuptools deprecates `license = { text = ... }` and warns on every install."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "AGPL-3.0-or-later"
    requires = project["build-system"]["requires"]
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r[12:]) >= 77 for r in requires)


def _makefile_recipe(target_pattern: str) -> str:
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith(target_pattern)))
    return lines[start + 1].strip().lstrip("@")


def test_catalogue_compilation_prints_nothing(tmp_path: Path) -> None:
    recipe = _makefile_recipe("%.mo: %.po")
    po = ROOT / "app" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    command = (
        recipe.replace("$(BIN)", str(BIN))
        .replace("$<", str(po))
        .replace("$@", str(tmp_path / "m.mo"))
    )
    done = subprocess.run(command, shell=True, capture_output=True, text=True, check=True)
    assert (tmp_path / "m.mo").stat().st_size > 1000
    assert done.stdout == "" and done.stderr == ""


def test_project_install_is_quiet_but_keeps_errors() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -qq -e '.[dev]'" in makefile
    assert "2>/dev/null" not in makefile  # errors are never hidden
