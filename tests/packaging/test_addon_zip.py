"""The add-on zip holds what Kodi needs to run the add-on and nothing of the development tree."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath

import build_zip
import pytest

from .conftest import ROOT

ADDON_ID, VERSION = build_zip.addon_identity(ROOT)
DEV_ONLY_DIRS = {"tests", "tools", "docs", ".ci", "repository.simkl.ratings", "dist", ".venv"}
CLI_PACKAGE = "lib/simkl_ratings/cli"  # the command-line runner: pip only, never in Kodi
DEV_ONLY_FILES = {"Makefile", "pyproject.toml", ".gitattributes", ".gitignore"}
REGULAR_0644 = 0o100644


@pytest.fixture(scope="module")
def addon_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_zip.build(ROOT, tmp_path_factory.mktemp("dist"))


def inner_names(zip_path: Path) -> list[str]:
    """Entry names below the top folder."""
    with zipfile.ZipFile(zip_path) as archive:
        return [name.split("/", 1)[1] for name in archive.namelist()]


def test_the_zip_is_named_and_folded_as_kodi_requires(addon_zip: Path):
    assert addon_zip.name == f"{ADDON_ID}-{VERSION}.zip"
    with zipfile.ZipFile(addon_zip) as archive:
        assert {name.split("/", 1)[0] for name in archive.namelist()} == {ADDON_ID}
        assert ET.fromstring(archive.read(f"{ADDON_ID}/addon.xml")).get("id") == ADDON_ID


def test_every_entry_is_a_plain_file_without_executable_bits_or_varying_timestamps(
    addon_zip: Path,
):
    with zipfile.ZipFile(addon_zip) as archive:
        for info in archive.infolist():
            assert info.external_attr >> 16 == REGULAR_0644, info.filename
            assert info.date_time == build_zip.STAMP, info.filename


def test_nothing_from_development_ships(addon_zip: Path):
    for name in inner_names(addon_zip):
        parts = PurePosixPath(name).parts
        assert parts[0] not in DEV_ONLY_DIRS, name
        assert name not in DEV_ONLY_FILES, name
        assert not name.endswith((".md", ".pyc", ".pyo")), name
        assert not any(p.startswith(".") or p == "__pycache__" for p in parts), name


def test_everything_the_add_on_needs_ships(addon_zip: Path):
    names = set(inner_names(addon_zip))
    addon = ET.parse(ROOT / "addon.xml").getroot()
    needed = {"addon.xml", "LICENSE.txt", "resources/settings.xml"}
    needed |= {e.get("library") for e in addon.iter("extension") if e.get("library")}
    needed |= {a.text for a in addon.iterfind(".//assets/*") if a.text}
    tracked = subprocess.run(
        ["git", "ls-files", "lib", "resources"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    needed |= {
        line
        for line in tracked.splitlines()
        if (ROOT / line).is_file() and not line.startswith(CLI_PACKAGE + "/")
    }
    assert needed - names == set()


def test_the_same_tree_gives_the_same_bytes(addon_zip: Path, tmp_path: Path):
    assert build_zip.build(ROOT, tmp_path).read_bytes() == addon_zip.read_bytes()


@pytest.fixture
def scratch_tree(tmp_path: Path) -> Path:
    """A small git work tree, everything added (tracked), with one file of each kind."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in (".gitattributes", ".gitignore", "addon.xml"):
        shutil.copy(ROOT / name, tree / name)
    files = {
        "default.py": "print('entry')\n",
        "lib/simkl_ratings/mod.py": "VALUE = 1\n",
        "lib/simkl_ratings/__pycache__/mod.cpython-311.pyc": "compiled",
        "lib/simkl_ratings/cli/main.py": "",
        "lib/other/mod.py": "",
        "resources/settings.xml": "<settings/>\n",
        "resources/.DS_Store": "",
        "tests/test_x.py": "",
        "tools/build.py": "",
        ".ci/run": "",
        "Makefile": "",
        "pyproject.toml": "",
        "README.md": "",
        "repository.simkl.ratings/addon.xml": "<addon/>\n",
    }
    for name, text in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    (tree / "default.py").chmod(0o755)
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    subprocess.run(["git", "add", "-f", "lib/simkl_ratings/__pycache__"], cwd=tree, check=True)
    return tree


def test_only_add_on_files_ship_and_never_with_an_executable_bit(
    scratch_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("SIMKL_CLIENT_ID", raising=False)
    built = build_zip.build(scratch_tree, tmp_path / "out")
    assert sorted(inner_names(built)) == [
        "addon.xml",
        "default.py",
        "lib/simkl_ratings/mod.py",
        "resources/settings.xml",
    ]
    with zipfile.ZipFile(built) as archive:
        assert archive.getinfo(f"{ADDON_ID}/default.py").external_attr >> 16 == REGULAR_0644


def test_a_client_id_from_the_environment_ships_as_packaging_json(
    scratch_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SIMKL_CLIENT_ID", "abc123")
    built = build_zip.build(scratch_tree, tmp_path / "out")
    with zipfile.ZipFile(built) as archive:
        packed = archive.read(f"{ADDON_ID}/resources/packaging.json").decode()
    assert '"client_id": "abc123"' in packed
