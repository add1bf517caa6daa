"""Build the installable add-on zip: dist/<id>-<version>.zip with one top folder <id>/.

What ships is an allow-list, SHIPPED below, applied to the files git tracks (`git ls-files`):
an untracked file never ships whatever its name or place (a stray credentials.json, notes, a
test token), and no tracked file outside the list does either (tests, tools, CI, the
command-line runner). The files are read as they are in the work tree, so `make zip` and the
real-Kodi tests install what a developer is editing; the build warns, naming them, when shipped
files differ from the last commit. Every shipped path must be a regular file reached without a
symlink: a symlink anywhere on the way is refused with its name, never followed (it could
point outside the tree). Modes are 0644 and timestamps fixed, so the same tree gives the same
zip. SIMKL_CLIENT_ID, when set, is packed as resources/packaging.json (the add-on's built-in
client_id; the setting overrides it).
"""

from __future__ import annotations

import json
import logging
import os
import pathlib
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping

ROOT = pathlib.Path(__file__).resolve().parent.parent
STAMP = (2024, 1, 1, 0, 0, 0)
LOG = logging.getLogger("build_zip")

# The add-on as Kodi runs it, and nothing else: these top-level files and folders of the tree
# (a folder ships every file git tracks below it). A new part of the add-on (a context-menu
# entry file, a folder of screenshots outside resources/) is added here, and let back in for
# `git archive` in .gitattributes; tests/packaging/test_shipped_files.py checks they agree.
SHIPPED = (
    "addon.xml",
    "default.py",
    "service.py",
    "LICENSE.txt",
    "changelog.txt",
    "resources",
    "lib/simkl_ratings",
)
# Inside a shipped folder, never: the command-line runner, installed with pip, not in Kodi.
NEVER_SHIPPED = ("lib/simkl_ratings/cli",)
PACKAGING_JSON = "resources/packaging.json"


class PackagingError(Exception):
    """The tree cannot be packed as it is; the message says which file and why."""


def _within(name: str, paths: Iterable[str]) -> bool:
    return any(name == path or name.startswith(path + "/") for path in paths)


def is_shipped(name: str) -> bool:
    """Whether a tracked path (relative, '/'-separated) belongs in the add-on zip."""
    parts = name.split("/")
    return (
        _within(name, SHIPPED)
        and not _within(name, NEVER_SHIPPED)
        and not any(part.startswith(".") or part == "__pycache__" for part in parts)
        and not name.endswith((".pyc", ".pyo"))
    )


def _git(root: pathlib.Path, *args: str) -> list[str]:
    """A git command's NUL-separated output in ``root``."""
    try:
        done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise PackagingError(
            f"git {args[0]} failed in {root}: {os.fsdecode(detail).strip() or exc}"
        ) from exc
    return [entry for entry in os.fsdecode(done.stdout).split("\0") if entry]


def tracked_files(root: pathlib.Path) -> list[str]:
    """Every path git tracks under ``root`` (the index: a file is tracked once `git add`ed)."""
    return sorted(_git(root, "ls-files", "-z"))


def shipped_files(root: pathlib.Path) -> list[str]:
    """The tracked paths the allow-list lets through, minus those deleted in the work tree."""
    return [
        name for name in tracked_files(root) if is_shipped(name) and os.path.lexists(root / name)
    ]


def uncommitted(root: pathlib.Path) -> list[str]:
    """Shipped paths whose work-tree or staged content differs from the last commit."""
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames")
    return sorted(name for name in (entry[3:] for entry in status) if is_shipped(name))


def read_regular(root: pathlib.Path, name: str) -> bytes:
    """The bytes of ``root/name``: a regular file inside the tree, reached without a symlink."""
    parts = name.split("/")
    if name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise PackagingError(f"refusing to ship {name!r}: not a plain path inside the tree")
    path = root
    for part in parts:
        path = path / part
        if path.is_symlink():
            where = path.relative_to(root).as_posix()
            raise PackagingError(
                f"refusing to ship {name}: {where} is a symlink (to {os.readlink(path)}); "
                "the add-on ships regular files only, so put the file itself there"
            )
    mode = path.lstat().st_mode
    if not stat.S_ISREG(mode):
        raise PackagingError(f"refusing to ship {name}: not a regular file")
    return path.read_bytes()


def read_tracked(root: pathlib.Path, names: Iterable[str]) -> dict[str, bytes]:
    """Named files that git tracks, read as regular files (see read_regular); an untracked name
    is refused, so nothing that was never committed or added can ship."""
    names = list(names)
    tracked = set(tracked_files(root))
    missing = [name for name in names if name not in tracked]
    if missing:
        raise PackagingError(f"not tracked by git, so never shipped: {', '.join(missing)}")
    return {name: read_regular(root, name) for name in names}


def identity(addon_xml: bytes) -> tuple[str, str]:
    """(id, version) of an addon.xml: they name the zip and its top folder."""
    addon = ET.fromstring(addon_xml)
    return addon.get("id", ""), addon.get("version", "")


def addon_identity(root: pathlib.Path) -> tuple[str, str]:
    return identity(read_regular(root, "addon.xml"))


def addon_files(root: pathlib.Path) -> dict[str, bytes]:
    """What the add-on zip holds, by path below its top folder."""
    files = {name: read_regular(root, name) for name in shipped_files(root)}
    client_id = os.environ.get("SIMKL_CLIENT_ID", "").strip()
    if client_id:
        packaging = json.dumps({"client_id": client_id}, indent=1) + "\n"
        files[PACKAGING_JSON] = packaging.encode()
    return files


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, STAMP)
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def write_zip(target: pathlib.Path, top: str, files: Mapping[str, bytes]) -> pathlib.Path:
    """A zip of ``files`` under one ``top/`` folder, in name order, 0644, fixed timestamps."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as archive:
        for name in sorted(files):
            _add(archive, f"{top}/{name}", files[name])
    return target


def build(root: pathlib.Path = ROOT, out_dir: pathlib.Path | None = None) -> pathlib.Path:
    files = addon_files(root)
    if "addon.xml" not in files:
        raise PackagingError(f"no addon.xml tracked by git in {root}")
    addon_id, version = identity(files["addon.xml"])
    changed = uncommitted(root)
    if changed:
        LOG.warning(
            "the zip holds the work tree's version of files not committed: %s", ", ".join(changed)
        )
    target = (out_dir or root / "dist") / f"{addon_id}-{version}.zip"
    return write_zip(target, addon_id, files)


def main() -> int:
    logging.basicConfig(format="%(name)s: %(message)s")
    try:
        path = build()
    except PackagingError as exc:
        print(f"build_zip: {exc}", file=sys.stderr)
        return 1
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
