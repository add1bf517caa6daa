"""Build the installable add-on zip: dist/<id>-<version>.zip with one top folder <id>/.

Files come from git (tracked files, as they are in the work tree) minus everything marked
`export-ignore` in .gitattributes, so tests, CI and tooling never ship. Modes are 0644 and
timestamps fixed, so the same tree gives the same zip. SIMKL_CLIENT_ID, when set, is packed as
resources/packaging.json (the add-on's built-in client_id; the setting overrides it).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
STAMP = (2024, 1, 1, 0, 0, 0)


def addon_identity(root: pathlib.Path) -> tuple[str, str]:
    addon = ET.parse(root / "addon.xml").getroot()
    return addon.get("id"), addon.get("version")


def shipped_files(root: pathlib.Path) -> list[str]:
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    files = sorted(f for f in listed if f and (root / f).is_file())
    attrs = (
        subprocess.run(
            ["git", "check-attr", "-z", "export-ignore", "--stdin"],
            cwd=root,
            check=True,
            capture_output=True,
            input="\0".join(files).encode(),
        )
        .stdout.decode()
        .split("\0")
    )
    ignored = {attrs[i] for i in range(0, len(attrs) - 2, 3) if attrs[i + 2] == "set"}
    return [f for f in files if f not in ignored and "__pycache__" not in f]


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, STAMP)
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build(root: pathlib.Path = ROOT, out_dir: pathlib.Path | None = None) -> pathlib.Path:
    addon_id, version = addon_identity(root)
    out_dir = out_dir or root / "dist"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{addon_id}-{version}.zip"
    client_id = os.environ.get("SIMKL_CLIENT_ID", "").strip()
    with zipfile.ZipFile(target, "w") as archive:
        for name in shipped_files(root):
            _add(archive, f"{addon_id}/{name}", (root / name).read_bytes())
        if client_id:
            packaging = json.dumps({"client_id": client_id}, indent=1) + "\n"
            _add(archive, f"{addon_id}/resources/packaging.json", packaging.encode())
    return target


if __name__ == "__main__":
    path = build()
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    sys.exit(0)
