"""tools/addon_check.py: kodi-addon-checker offline, failing on problems and matrix warnings."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

try:
    import addon_check
    from kodi_addon_checker import check_addon, check_url
    from kodi_addon_checker.record import PROBLEM, WARNING
except ImportError as exc:  # an old .venv: fail with the fix, never skip
    pytest.fail(f"{exc}: kodi-addon-checker is missing, run `rm -rf .venv && make test`")

MAIN_ID = "script.simkl.ratings"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both zips as `make zip` / `make repo` build them, by add-on id."""
    zips = addon_check.built_zips(tmp_path_factory.mktemp("zips"))
    return {z.name.rsplit("-", 1)[0]: z for z in zips}


def rezip(
    source: Path,
    target: Path,
    drop: tuple[str, ...] = (),
    add: Mapping[str, bytes] | None = None,
    edit: Callable[[str], str] | None = None,
) -> Path:
    """A copy of an add-on zip with files dropped, added, or addon.xml edited."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        top = old.namelist()[0].split("/", 1)[0]
        for info in old.infolist():
            if info.filename.split("/", 1)[1] in drop:
                continue
            data = old.read(info)
            if edit is not None and info.filename == f"{top}/addon.xml":
                data = edit(data.decode()).encode()
            new.writestr(info, data)
        for name, data in (add or {}).items():
            new.writestr(f"{top}/{name}", data)
    return target


def run(zip_path: Path, branch: str) -> addon_check.Outcome:
    (outcome,) = addon_check.check([zip_path], [branch], online_urls=False, verbose=False)
    return outcome


def messages(outcome: addon_check.Outcome, level: str) -> str:
    return "\n".join(str(r.message) for r in outcome.records[:-1] if r.log_level == level)


def test_the_shipped_add_ons_pass_cleanly_on_matrix(
    shipped: dict[str, Path], capsys: pytest.CaptureFixture[str]
):
    outcomes = addon_check.check(list(shipped.values()), ["matrix"], False, False)
    assert [(o.addon_id, o.failed) for o in outcomes] == [(i, False) for i in shipped]
    for outcome in outcomes:
        assert outcome.count(PROBLEM) == outcome.count(WARNING) == 0
        assert "no problems and no warnings" in outcome.closing_line
    printed = capsys.readouterr().out
    assert all(f"matrix {addon_id}: INFO: We found no problems" in printed for addon_id in shipped)


def test_a_missing_license_is_a_problem(shipped: dict[str, Path], tmp_path: Path):
    broken = rezip(shipped[MAIN_ID], tmp_path / f"{MAIN_ID}.zip", drop=("LICENSE.txt",))
    outcome = run(broken, "nexus")
    assert outcome.failed
    assert "LICENSE" in messages(outcome, PROBLEM)


def test_a_warning_fails_matrix_but_not_the_later_branches(
    shipped: dict[str, Path], tmp_path: Path
):
    stray = rezip(shipped[MAIN_ID], tmp_path / f"{MAIN_ID}.zip", add={"notes.bak": b"x"})
    matrix = run(stray, "matrix")
    assert (matrix.count(PROBLEM), matrix.failed) == (0, True)
    assert "notes.bak" in messages(matrix, WARNING)
    nexus = run(stray, "nexus")
    assert nexus.count(WARNING) >= 1 and not nexus.failed


def test_a_dependency_the_official_repository_lacks_is_a_problem(
    shipped: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(addon_check, "MIRROR_MODULES", {"script.module.kodi-six": "0.1.3"})
    outcome = run(shipped[MAIN_ID], "matrix")
    assert outcome.failed
    assert "script.module.requests is not available" in messages(outcome, PROBLEM)


def test_a_malformed_metadata_url_is_a_warning_offline(shipped: dict[str, Path], tmp_path: Path):
    def plain_http(xml: str) -> str:
        return xml.replace("<source>https://", "<source>http://")

    edited = rezip(shipped[MAIN_ID], tmp_path / f"{MAIN_ID}.zip", edit=plain_http)
    outcome = run(edited, "matrix")
    assert outcome.failed
    assert "<source>" in messages(outcome, WARNING)


def test_main_exits_non_zero_on_failure_and_restores_the_checker(
    shipped: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    original = check_addon.ROOT_URL, check_url.check_url
    broken = rezip(shipped[MAIN_ID], tmp_path / f"{MAIN_ID}.zip", drop=("LICENSE.txt",))
    assert addon_check.main([str(broken), "--branch", "matrix"]) == 1
    assert f"failed for {MAIN_ID} on matrix" in capsys.readouterr().out
    assert addon_check.main([str(shipped[MAIN_ID]), "--branch", "matrix"]) == 0
    assert (check_addon.ROOT_URL, check_url.check_url) == original


def test_every_branch_from_matrix_to_piers_has_no_problem(shipped: dict[str, Path]):
    """`make check` and CI run Kodi 19 to 22. On nexus and later the checker advises
    xbmc.python 3.0.1, which Kodi 19 cannot install: that one warning is the price of matrix."""
    assert addon_check.BRANCHES == ("matrix", "nexus", "omega", "piers")
    outcomes = addon_check.check(list(shipped.values()), addon_check.BRANCHES, False, False)
    assert len(outcomes) == 2 * 4
    for outcome in outcomes:
        assert outcome.count(PROBLEM) == 0, (outcome.addon_id, outcome.branch)
        assert not outcome.failed
        warnings = messages(outcome, WARNING).splitlines()
        advised = f"For {outcome.branch} it is advised to set xbmc.python version to 3.0.1"
        expected = [advised] if outcome.addon_id == MAIN_ID and outcome.branch != "matrix" else []
        assert warnings == expected, (outcome.addon_id, outcome.branch)
