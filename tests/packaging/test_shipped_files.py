"""What ships is an allow-list of git-tracked files (tools/build_zip.py SHIPPED): nothing
untracked, nothing outside the list, never through a symlink; in the add-on zip and in the
repository `make repo` publishes. Every test works on a throwaway clone of this tree."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import build_repo
import build_zip
import pytest

from .conftest import ROOT, commit_all, git

URL = "http://127.0.0.1:8123/kodi/"
MARKER = b"PLANTED-0f9c2e"  # in every planted file: no byte anyone builds may carry it
PLANTED = (
    "credentials.json",
    "resources/notes.txt",
    "resources/linked.txt",  # a symlink to a file outside the tree
    "lib/simkl_ratings/linked",  # a symlink to a folder outside the tree
)
# Tracked development files, one of each kind, that must never ship.
DEVELOPMENT = (
    ".gitattributes",
    ".ci/run",
    "Makefile",
    "README.md",
    "pyproject.toml",
    "repository.simkl.ratings/addon.xml",
    "tests/packaging/test_addon_zip.py",
    "tools/build_zip.py",
    "lib/simkl_ratings/cli/main.py",
)
REGULAR_0644 = 0o100644


def plant(tree: Path, outside: Path) -> None:
    """A developer's stray files: a credentials file, notes in a shipped folder, symlinks out."""
    outside.mkdir()
    (outside / "secret.txt").write_bytes(MARKER + b" lives outside the tree\n")
    (tree / "credentials.json").write_bytes(b'{"access_token": "simkl_at_' + MARKER + b'"}\n')
    (tree / "resources" / "notes.txt").write_bytes(b"test token " + MARKER + b"\n")
    (tree / "resources" / "linked.txt").symlink_to(outside / "secret.txt")
    (tree / "lib" / "simkl_ratings" / "linked").symlink_to(outside, target_is_directory=True)


def inner_names(zip_path: Path) -> set[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return {name.split("/", 1)[1] for name in archive.namelist()}


def everything_built(dist: Path) -> dict[str, bytes]:
    """Every file below ``dist`` and every entry of every zip there, by path."""
    found = {}
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        found[str(path)] = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    found[f"{path}!{info.filename}"] = archive.read(info)
    return found


def allowed(name: str) -> bool:
    """The allow-list, read independently of build_zip's matcher."""
    path = PurePosixPath(name)

    def inside(roots: tuple[str, ...]) -> bool:
        return any(path == PurePosixPath(r) or PurePosixPath(r) in path.parents for r in roots)

    hidden = any(p.startswith(".") or p == "__pycache__" for p in path.parts)
    return inside(build_zip.SHIPPED) and not inside(build_zip.NEVER_SHIPPED) and not hidden


def test_untracked_files_and_symlinks_ship_neither_in_the_zip_nor_in_the_repository(
    clone: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("SIMKL_CLIENT_ID", raising=False)
    plant(clone, tmp_path / "outside")
    untracked = git(clone, "ls-files", "--others", "--exclude-standard", "--directory").split()
    assert {name.rstrip("/") for name in untracked} == set(PLANTED)  # git sees them, unignored
    zip_path = build_zip.build(clone, tmp_path / "zip")
    repo = build_repo.build(clone, tmp_path / "repo", URL)
    names = inner_names(zip_path)
    assert "addon.xml" in names and "resources/settings.xml" in names
    for planted in PLANTED:
        assert not any(n == planted or n.startswith(planted + "/") for n in names), planted
    built = {**everything_built(tmp_path / "zip"), **everything_built(tmp_path / "repo")}
    assert [where for where, data in built.items() if MARKER in data] == []
    assert [where for where in built if any(p in where for p in PLANTED)] == []
    published = repo.repo_dir / "script.simkl.ratings" / zip_path.name
    assert published.read_bytes() == zip_path.read_bytes()  # make repo publishes make zip's


def test_the_shipped_set_is_the_allow_list_applied_to_the_tracked_files(
    clone: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("SIMKL_CLIENT_ID", raising=False)
    committed_elsewhere = ("TODO.txt", "scripts/release.sh", "lib/helper.py", "docs/token.txt")
    for name in committed_elsewhere:  # tracked, but no part of the add-on
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_bytes(MARKER)
    commit_all(clone, "files outside the allow-list")
    tracked = set(git(clone, "ls-files", "-z").split("\0")) - {""}
    assert {*DEVELOPMENT, *committed_elsewhere} <= tracked  # each kind is there to be left out
    names = inner_names(build_zip.build(clone, tmp_path))
    assert names == {name for name in tracked if allowed(name)}
    assert names.isdisjoint({*DEVELOPMENT, *committed_elsewhere})
    assert not [n for n in names if n.split("/")[0] in ("tests", "tools", ".ci")]
    assert not [n for n in names if n.startswith("lib/simkl_ratings/cli/")]
    repo = build_repo.build(clone, tmp_path / "dist", URL)
    (main_zip,) = repo.repo_dir.glob("script.simkl.ratings/*.zip")
    assert inner_names(main_zip) == names


def test_the_allow_list_names_no_development_path():
    for entry in build_zip.SHIPPED:
        assert not entry.startswith("."), entry
        assert entry.split("/")[0] not in ("tests", "tools", "repository.simkl.ratings"), entry
        assert entry not in ("lib", "Makefile", "pyproject.toml") and not entry.endswith(".md")
    assert [d for d in DEVELOPMENT if build_zip.is_shipped(d)] == []


def test_git_archive_leaves_out_what_the_zip_leaves_out(clone: Path, tmp_path: Path):
    """.gitattributes (export-ignore) says the same as SHIPPED: a new part of the add-on needs
    its line there too, or `git archive` users get a different add-on."""
    tar_path = tmp_path / "archive.tar"
    git(clone, "archive", "--format=tar", "-o", str(tar_path), "HEAD")
    with tarfile.open(tar_path) as archive:
        archived = sorted(m.name for m in archive.getmembers() if not m.isdir())
    assert archived == build_zip.shipped_files(clone), "update .gitattributes to match SHIPPED"


def _committed_symlink(tree: Path, outside: Path) -> str:
    (tree / "resources" / "linked.png").symlink_to(outside / "secret.txt")
    commit_all(tree, "a symlink")
    return "resources/linked.png"


def _file_replaced_by_symlink(tree: Path, outside: Path) -> str:
    (tree / "resources" / "settings.xml").unlink()
    (tree / "resources" / "settings.xml").symlink_to(outside / "secret.txt")
    return "resources/settings.xml"


def _folder_replaced_by_symlink(tree: Path, outside: Path) -> str:
    (tree / "resources" / "language").rename(outside / "language")
    (tree / "resources" / "language").symlink_to(outside / "language", target_is_directory=True)
    return "resources/language"


@pytest.mark.parametrize(
    "make_link", [_committed_symlink, _file_replaced_by_symlink, _folder_replaced_by_symlink]
)
def test_a_tracked_symlink_on_the_way_to_a_shipped_file_is_refused_with_its_name(
    clone: Path, tmp_path: Path, make_link
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(MARKER)
    link = make_link(clone, outside)
    for build in (
        lambda: build_zip.build(clone, tmp_path / "zip"),
        lambda: build_repo.build(clone, tmp_path / "repo", URL),
    ):
        with pytest.raises(build_zip.PackagingError, match=rf"{link} is a symlink"):
            build()
    assert not (tmp_path / "zip").exists()  # nothing half-built is left to publish
    assert not (tmp_path / "repo" / "repo").exists()


def test_make_zip_and_make_repo_refuse_a_symlink_in_words_without_a_traceback(
    clone: Path, tmp_path: Path
):
    (tmp_path / "secret.txt").write_bytes(MARKER)
    (clone / "resources" / "linked.png").symlink_to(tmp_path / "secret.txt")
    git(clone, "add", "resources/linked.png")  # tracked once added, committed or not
    for tool, args in (("build_zip.py", []), ("build_repo.py", ["--dist", str(tmp_path / "d")])):
        done = subprocess.run(
            [sys.executable, str(clone / "tools" / tool), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1, tool
        assert "refusing to ship resources/linked.png: resources/linked.png is a symlink" in (
            done.stderr
        )
        assert "Traceback" not in done.stderr
    assert not (clone / "dist").exists()


def test_an_uncommitted_edit_ships_as_in_the_work_tree_and_is_named_in_a_warning(
    clone: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.WARNING, logger="build_zip"):
        build_zip.build(clone, tmp_path / "clean")
    assert caplog.messages == []  # a clean tree builds without a word
    edited = (clone / "default.py").read_bytes() + b"# work in progress\n"
    (clone / "default.py").write_bytes(edited)
    (clone / "Makefile").write_bytes(b"# not shipped, so not named\n")
    (clone / "resources" / "new.txt").write_bytes(b"added, not committed\n")
    git(clone, "add", "resources/new.txt")
    with caplog.at_level(logging.WARNING, logger="build_zip"):
        built = build_zip.build(clone, tmp_path / "dirty")
    with zipfile.ZipFile(built) as archive:
        assert archive.read("script.simkl.ratings/default.py") == edited
        assert archive.read("script.simkl.ratings/resources/new.txt") == b"added, not committed\n"
    (message,) = caplog.messages
    assert message.endswith("not committed: default.py, resources/new.txt")


def test_no_shipped_file_keeps_an_executable_bit(clone: Path, tmp_path: Path):
    for name in ("default.py", "service.py", "resources/settings.xml"):
        os.chmod(clone / name, 0o755)
    commit_all(clone, "executable")
    with zipfile.ZipFile(build_zip.build(clone, tmp_path)) as archive:
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert set(modes.values()) == {REGULAR_0644}


def test_the_real_tree_ships_what_its_clone_ships(committed_copy: Path, tmp_path: Path):
    """The clone the tests use is this tree (so what they prove holds for `make zip` here)."""
    here = build_zip.build(ROOT, tmp_path / "here")
    there = build_zip.build(committed_copy, tmp_path / "there")
    assert here.read_bytes() == there.read_bytes()


def test_the_repository_add_on_ships_only_tracked_regular_files_too(clone: Path):
    git(clone, "rm", "-q", "--cached", "repository.simkl.ratings/icon.png")  # still on disk
    with pytest.raises(build_zip.PackagingError, match=r"not tracked by git.*icon\.png"):
        build_repo.repository_addon_files(clone, URL)
    git(clone, "add", "repository.simkl.ratings/icon.png")
    (clone / "repository.simkl.ratings" / "fanart.jpg").unlink()
    (clone / "repository.simkl.ratings" / "fanart.jpg").symlink_to(clone / "resources/fanart.jpg")
    with pytest.raises(build_zip.PackagingError, match=r"fanart\.jpg is a symlink"):
        build_repo.repository_addon_files(clone, URL)
