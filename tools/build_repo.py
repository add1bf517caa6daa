"""Build the Kodi add-on repository users install Simkl Ratings Sync from.

`make repo` writes dist/repo/, the tree to publish (e.g. on GitHub Pages):

    addons.xml, addons.xml.gz, addons.xml.gz.sha256   the index Kodi downloads and verifies
    <id>/<id>-<version>.zip (+ .sha256)               what Kodi installs (datadir zip="true")
    <id>/addon.xml, <id>/<asset paths>                art shown before installing
    repository.simkl.ratings-<version>.zip, index.html  for "Install from zip file"

and dist/repository.simkl.ratings-<version>.zip, the repository add-on a user installs first.
The add-on zip is build_zip's (its allow-list of git-tracked files); the repository add-on's
files are REPO_ADDON_FILES, read the same way.
Kodi only finds the repository at the URL written into that add-on, so the base URL is chosen
at build time: SIMKL_REPO_URL (default: the project's GitHub Pages address). The committed
repository.simkl.ratings/addon.xml carries the default URL, which gets replaced.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import logging
import os
import pathlib
import shutil
import sys
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import build_zip

ROOT = build_zip.ROOT
identity = build_zip.identity  # (id, version) of an addon.xml
REPO_ADDON_ID = "repository.simkl.ratings"
REPO_ADDON_FILES = ("addon.xml", "icon.png", "fanart.jpg")
URL_ENV = "SIMKL_REPO_URL"
DEFAULT_URL = "https://simkl-ratings.github.io/script.simkl.ratings/"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
INDEX = "addons.xml"
# <info>, <checksum> and <datadir> of the one <dir>: each must be rewritten, or Kodi would
# look for the index or the zips somewhere else than where they are published.
URL_ELEMENTS = 3


@dataclass(frozen=True)
class RepoBuild:
    """What one build wrote: the publishable tree and the zips a user may install by hand."""

    repo_dir: pathlib.Path
    repository_zip: pathlib.Path
    addon_zips: tuple[pathlib.Path, ...]
    url: str


def base_url(value: str | None) -> str:
    """The repository's base URL, ending in '/' so Kodi joins '<id>/<id>-<ver>.zip' under it."""
    url = (value or DEFAULT_URL).strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{URL_ENV} must be an http(s) URL without query, got {url!r}")
    return url if url.endswith("/") else url + "/"


def repository_addon_xml(template: str, url: str) -> str:
    """The repository add-on's addon.xml pointing at ``url`` instead of the default URL."""
    if template.count(DEFAULT_URL) != URL_ELEMENTS:
        raise ValueError(f"expected {DEFAULT_URL} in <info>, <checksum> and <datadir>")
    text = template.replace(DEFAULT_URL, url)
    directory = ET.fromstring(text).find("./extension[@point='xbmc.addon.repository']/dir")
    if directory is None or not all(
        (directory.findtext(tag) or "").startswith(url) for tag in ("info", "checksum", "datadir")
    ):
        raise ValueError("the repository add-on must point <info>, <checksum>, <datadir> at url")
    return text


def write_addon_zip(files: Mapping[str, bytes], out_dir: pathlib.Path) -> pathlib.Path:
    """<id>-<version>.zip with every file under one <id>/ folder, as Kodi requires.

    Uses build_zip's writer, so modes are 0644 and timestamps fixed like the add-on zip.
    """
    addon_id, version = identity(files["addon.xml"])
    return build_zip.write_zip(out_dir / f"{addon_id}-{version}.zip", addon_id, files)


def folder_files(folder: pathlib.Path) -> dict[str, bytes]:
    """A folder's files, without caches and dotfiles: for add-ons that are not in git (the e2e
    harness's module add-ons). This project's two add-ons are read from git (build_zip)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        skipped = any(p.startswith(".") or p == "__pycache__" for p in rel.parts)
        if path.is_file() and not skipped and path.suffix not in (".pyc", ".pyo"):
            found[rel.as_posix()] = path.read_bytes()
    return found


def repository_addon_files(root: pathlib.Path, url: str) -> dict[str, bytes]:
    """The repository add-on as it ships: its folder's listed files, the URL filled in, the
    project LICENSE; read like the add-on's own files (tracked by git, regular, no symlink)."""
    sources = {f"{REPO_ADDON_ID}/{name}": name for name in REPO_ADDON_FILES}
    sources["LICENSE.txt"] = "LICENSE.txt"
    read = build_zip.read_tracked(root, sources)
    files = {name: read[path] for path, name in sources.items()}
    template = files["addon.xml"].decode("utf-8")
    files["addon.xml"] = repository_addon_xml(template, url).encode("utf-8")
    return files


def sha256_line(data: bytes, name: str) -> bytes:
    """`sha256sum` format: Kodi reads the digest up to the first space."""
    return f"{hashlib.sha256(data).hexdigest()}  {name}\n".encode()


def index_entry(addon_xml: bytes) -> str:
    """One add-on's <addon> element for addons.xml: its addon.xml minus the XML declaration."""
    text = addon_xml.decode("utf-8").strip()
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1].strip()
    return text


def publish(zips: Iterable[pathlib.Path], repo_dir: pathlib.Path) -> pathlib.Path:
    """Lay out the zips as a Kodi repository datadir and write its verified index.

    Returns the path of addons.xml.gz (the file the repository add-on's <info> names).
    """
    entries: dict[str, str] = {}
    for zip_path in zips:
        with zipfile.ZipFile(zip_path) as archive:
            top = archive.namelist()[0].split("/", 1)[0]
            addon_xml = archive.read(f"{top}/addon.xml")
            addon_id, version = identity(addon_xml)
            folder = repo_dir / addon_id
            folder.mkdir(parents=True, exist_ok=True)
            zip_name = f"{addon_id}-{version}.zip"
            data = zip_path.read_bytes()
            (folder / zip_name).write_bytes(data)
            (folder / f"{zip_name}.sha256").write_bytes(sha256_line(data, zip_name))
            (folder / "addon.xml").write_bytes(addon_xml)
            for asset in ET.fromstring(addon_xml).iterfind(".//assets/*"):
                if asset.text and asset.text.strip():
                    rel = asset.text.strip()
                    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                    (folder / rel).write_bytes(archive.read(f"{top}/{rel}"))
            entries[addon_id] = index_entry(addon_xml)
    index = XML_DECLARATION + "<addons>\n" + "\n".join(entries[k] for k in sorted(entries))
    index_bytes = (index + "\n</addons>\n").encode("utf-8")
    (repo_dir / INDEX).write_bytes(index_bytes)
    packed = gzip.compress(index_bytes, mtime=0)  # mtime 0: same tree, same bytes
    gz_path = repo_dir / f"{INDEX}.gz"
    gz_path.write_bytes(packed)
    (repo_dir / f"{INDEX}.gz.sha256").write_bytes(sha256_line(packed, gz_path.name))
    return gz_path


def landing_page(repository_zip: str) -> str:
    """index.html: lets a Kodi file source (or a browser) at the base URL find the zip."""
    link = html.escape(repository_zip)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        "<title>Simkl Ratings Sync repository</title></head>\n<body>\n"
        f'<p>Install in Kodi with "Install from zip file": <a href="{link}">{link}</a></p>\n'
        "</body></html>\n"
    )


def build(
    root: pathlib.Path = ROOT, dist: pathlib.Path | None = None, url: str | None = None
) -> RepoBuild:
    """Build both add-on zips and a fresh ``<dist>/repo`` for the given base URL."""
    url = base_url(url)
    dist = dist or root / "dist"
    addon_zip = build_zip.build(root, dist)
    repository_zip = write_addon_zip(repository_addon_files(root, url), dist)
    repo_dir = dist / "repo"
    if repo_dir.exists():
        shutil.rmtree(repo_dir)  # old versions must not linger in what gets published
    repo_dir.mkdir(parents=True)
    publish((addon_zip, repository_zip), repo_dir)
    shutil.copy2(repository_zip, repo_dir / repository_zip.name)
    (repo_dir / "index.html").write_text(landing_page(repository_zip.name), encoding="utf-8")
    return RepoBuild(repo_dir, repository_zip, (addon_zip, repository_zip), url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=pathlib.Path, default=ROOT / "dist", help="output folder")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(name)s: %(message)s")
    try:
        built = build(ROOT, args.dist, os.environ.get(URL_ENV))
    except build_zip.PackagingError as exc:
        print(f"build_repo: {exc}", file=sys.stderr)
        return 1
    for path in (built.repository_zip, built.repo_dir):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    print(f"base URL: {built.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
