"""The command-line runner is a pip package of its own: `pip install .` gives the
`simkl-ratings-sync` command, and none of it reaches Kodi (neither the zip nor an import)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import build_zip
import pytest

from .conftest import ROOT

LIB = ROOT / "lib" / "simkl_ratings"
CLI = LIB / "cli"


def test_the_addon_zip_holds_no_cli_module(tmp_path: Path):
    with zipfile.ZipFile(build_zip.build(ROOT, tmp_path)) as archive:
        names = archive.namelist()
    assert any(name.endswith("simkl_ratings/core/sync/run.py") for name in names)
    assert [name for name in names if "/simkl_ratings/cli" in name] == []
    assert sorted(p.name for p in CLI.glob("*.py"))  # there is something to leave out


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            found.add("." * node.level + module)
    return found


def test_neither_the_core_nor_the_kodi_shell_imports_the_runner():
    for path in [*LIB.glob("core/**/*.py"), *LIB.glob("kodi/*.py"), *ROOT.glob("*.py")]:
        for name in _imports(path):
            assert "cli" not in name.split("."), f"{path} imports {name}"


def test_the_runner_needs_nothing_kodi_would_have_to_install():
    """The runner imports the stdlib, requests and the package itself (pyqrcode only through
    core/qr.py, optionally); addon.xml requires of Kodi what it always required."""
    third_party = set()
    for path in CLI.glob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if name.startswith(".") or top in sys.stdlib_module_names:
                continue
            third_party.add(top)
    assert third_party <= {"requests"}
    addon = ET.parse(ROOT / "addon.xml").getroot()
    required = {i.get("addon") for i in addon.iter("import") if i.get("optional") != "true"}
    assert required == {"xbmc.python", "script.module.requests", "script.module.kodi-six"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip install .` would install, built from a copy of the tree (setuptools
    leaves build/ and egg-info behind, which must neither dirty nor feed the next build)."""
    source = tmp_path_factory.mktemp("source")
    shutil.copy(ROOT / "pyproject.toml", source)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "lib", source / "lib", ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("*.whl")
    return found


def test_pip_install_gives_the_simkl_ratings_sync_command(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        text = archive.read(entry_points).decode()
    assert "simkl-ratings-sync = simkl_ratings.cli.main:entry" in text
    assert "simkl_ratings/cli/main.py" in names
    assert "simkl_ratings/core/sync/run.py" in names
    assert not [n for n in names if n.startswith(("tests/", "tools/", "simkl_ratings/kodi/"))]
