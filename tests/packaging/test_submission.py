"""tools/submission.py (`make submission`): the folder a pull request to xbmc/repo-scripts adds."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import build_zip
import pytest
import submission


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_the_folder_holds_exactly_the_shipped_files_at_the_addon_xml_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("SIMKL_CLIENT_ID", raising=False)
    assert submission.main(tmp_path / "out") == 0
    addon_id, version = build_zip.addon_identity(build_zip.ROOT)
    folder = tmp_path / "out" / addon_id
    assert [p.name for p in (tmp_path / "out").iterdir()] == [addon_id]
    with zipfile.ZipFile(build_zip.build(build_zip.ROOT, tmp_path / "zip")) as archive:
        shipped = {n.split("/", 1)[1] for n in archive.namelist() if not n.endswith("/")}
    assert tree(folder) == shipped
    assert not any(name.startswith(("tests/", "tools/", "docs/", ".")) for name in shipped)
    assert "resources/packaging.json" not in shipped  # no client ID unless one is given
    assert f'version="{version}"' in (folder / "addon.xml").read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    assert "matrix script.simkl.ratings: INFO: We found no problems and no warnings" in printed
    assert f'git commit -m "[{addon_id}] {version}"' in printed
    assert "pull request against matrix" in printed
    assert "no Simkl client ID is built in" in printed


def test_a_given_client_id_is_built_in_and_an_older_folder_is_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    stale = tmp_path / "out" / "script.simkl.ratings" / "stale.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("from an older submission")
    monkeypatch.setenv("SIMKL_CLIENT_ID", "registered-app-id")
    assert submission.main(tmp_path / "out") == 0
    folder = stale.parent
    assert not stale.exists()
    packaging = json.loads((folder / "resources" / "packaging.json").read_text())
    assert packaging == {"client_id": "registered-app-id"}
    assert "no Simkl client ID" not in capsys.readouterr().out


def test_nothing_is_written_when_the_checker_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(submission.addon_check, "MIRROR_MODULES", {})  # no requests upstream
    assert submission.main(tmp_path / "out") == 1
    assert not (tmp_path / "out").exists()
    assert "nothing written" in capsys.readouterr().out
