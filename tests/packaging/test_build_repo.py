"""tools/build_repo.py: the repository tree Kodi reads, and the repository add-on users install."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import build_repo
import build_zip
import pytest

from tests.images import PNG_RGB, jpeg_size, png_size

from .conftest import ROOT

URL = "http://127.0.0.1:8123/kodi/"
MAIN_ID, MAIN_VERSION = build_zip.addon_identity(ROOT)
REPO_ID = build_repo.REPO_ADDON_ID
REPO_VERSION = build_repo.identity((ROOT / REPO_ID / "addon.xml").read_bytes())[1]
VERSIONS = {MAIN_ID: MAIN_VERSION, REPO_ID: REPO_VERSION}
REGULAR_0644 = 0o100644


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> build_repo.RepoBuild:
    return build_repo.build(ROOT, tmp_path_factory.mktemp("dist"), URL)


def zip_addon_xml(zip_path: Path) -> ET.Element:
    with zipfile.ZipFile(zip_path) as archive:
        top = archive.namelist()[0].split("/", 1)[0]
        return ET.fromstring(archive.read(f"{top}/addon.xml"))


def repo_dir_element(addon: ET.Element) -> ET.Element:
    found = addon.find("./extension[@point='xbmc.addon.repository']/dir")
    assert found is not None
    return found


def test_addons_xml_lists_both_add_ons_with_their_versions(built: build_repo.RepoBuild):
    data = (built.repo_dir / "addons.xml").read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    index = ET.fromstring(data)
    assert index.tag == "addons"
    assert {a.get("id"): a.get("version") for a in index.findall("addon")} == VERSIONS


def test_each_index_entry_is_the_addon_xml_that_ships_in_its_zip(built: build_repo.RepoBuild):
    index = ET.fromstring((built.repo_dir / "addons.xml").read_bytes())
    for entry in index.findall("addon"):
        addon_id, version = entry.get("id"), entry.get("version")
        shipped = zip_addon_xml(built.repo_dir / addon_id / f"{addon_id}-{version}.zip")
        entry.tail = None  # the newline between entries
        assert ET.tostring(entry) == ET.tostring(shipped), addon_id


def test_the_checksum_kodi_verifies_matches_the_gzipped_index(built: build_repo.RepoBuild):
    packed = (built.repo_dir / "addons.xml.gz").read_bytes()
    assert gzip.decompress(packed) == (built.repo_dir / "addons.xml").read_bytes()
    digest, name = (built.repo_dir / "addons.xml.gz.sha256").read_text().split()
    assert (digest, name) == (hashlib.sha256(packed).hexdigest(), "addons.xml.gz")


def test_zips_sit_where_kodi_looks_for_them_with_their_hashes(built: build_repo.RepoBuild):
    for addon_id, version in VERSIONS.items():
        zip_path = built.repo_dir / addon_id / f"{addon_id}-{version}.zip"
        digest, name = Path(f"{zip_path}.sha256").read_text().split()
        assert (digest, name) == (hashlib.sha256(zip_path.read_bytes()).hexdigest(), zip_path.name)
    assert {p.name for p in built.addon_zips} == {f"{i}-{v}.zip" for i, v in VERSIONS.items()}
    for dist_zip in built.addon_zips:
        addon_id = dist_zip.name.rsplit("-", 1)[0]
        assert (built.repo_dir / addon_id / dist_zip.name).read_bytes() == dist_zip.read_bytes()


def test_every_zip_has_one_top_folder_named_as_its_id_and_no_executable_bits(
    built: build_repo.RepoBuild,
):
    zips = [*built.repo_dir.rglob("*.zip"), *built.addon_zips]
    assert len(zips) == 5  # two in the datadir, one landing copy, two in dist
    for zip_path in zips:
        with zipfile.ZipFile(zip_path) as archive:
            tops = {name.split("/", 1)[0] for name in archive.namelist()}
            assert tops == {zip_addon_xml(zip_path).get("id")}, zip_path
            for info in archive.infolist():
                assert info.external_attr >> 16 == REGULAR_0644, (zip_path.name, info.filename)


def test_art_and_addon_xml_are_published_at_their_asset_paths(built: build_repo.RepoBuild):
    for addon_id, version in VERSIONS.items():
        folder = built.repo_dir / addon_id
        with zipfile.ZipFile(folder / f"{addon_id}-{version}.zip") as archive:
            addon = ET.fromstring(archive.read(f"{addon_id}/addon.xml"))
            assets = [a.text for a in addon.iterfind(".//assets/*") if a.text]
            assert {"icon", "fanart"} <= {a.tag for a in addon.iterfind(".//assets/*")}
            for rel in [*assets, "addon.xml"]:
                assert (folder / rel).read_bytes() == archive.read(f"{addon_id}/{rel}"), rel


def test_the_repository_add_on_points_at_the_build_url(built: build_repo.RepoBuild):
    directory = repo_dir_element(zip_addon_xml(built.repository_zip))
    assert directory.attrib == {}  # no minversion/maxversion: the checker rejects them on nexus+
    assert directory.findtext("info") == URL + "addons.xml.gz"
    checksum = directory.find("checksum")
    assert checksum is not None and checksum.get("verify") == "sha256"
    assert checksum.text == URL + "addons.xml.gz.sha256"
    datadir = directory.find("datadir")
    assert datadir is not None and (datadir.text, datadir.get("zip")) == (URL, "true")
    assert directory.findtext("hashes") == "sha256"
    for tag in ("info", "checksum"):
        assert (built.repo_dir / directory.findtext(tag).removeprefix(URL)).is_file()


def test_the_repository_add_on_ships_its_art_and_license_only(built: build_repo.RepoBuild):
    with zipfile.ZipFile(built.repository_zip) as archive:
        names = {name.split("/", 1)[1] for name in archive.namelist()}
        assert archive.read(f"{REPO_ID}/LICENSE.txt") == (ROOT / "LICENSE.txt").read_bytes()
    assert names == {*build_repo.REPO_ADDON_FILES, "LICENSE.txt"}
    assert built.repository_zip.parent != built.repo_dir  # the install zip sits beside repo/


def test_nothing_in_the_repository_add_on_folder_is_left_unshipped():
    present = {p.name for p in (ROOT / REPO_ID).iterdir()}
    assert present == set(build_repo.REPO_ADDON_FILES)


def test_the_repository_add_on_art_meets_kodi_rules():
    assert png_size(ROOT / REPO_ID / "icon.png") == (256, 256, PNG_RGB)
    fanart = ROOT / REPO_ID / "fanart.jpg"
    assert fanart.stat().st_size < 1_000_000
    assert jpeg_size(fanart) == (1920, 1080)


def test_a_landing_page_links_the_repository_zip(built: build_repo.RepoBuild):
    page = (built.repo_dir / "index.html").read_text()
    assert f'href="{built.repository_zip.name}"' in page
    assert (built.repo_dir / built.repository_zip.name).read_bytes() == (
        built.repository_zip.read_bytes()
    )


def published(repo_dir: Path) -> list[Path]:
    return sorted(p.relative_to(repo_dir) for p in repo_dir.rglob("*") if p.is_file())


def test_the_same_tree_gives_the_same_repository(built: build_repo.RepoBuild, tmp_path: Path):
    again = build_repo.build(ROOT, tmp_path, URL)
    files = published(built.repo_dir)
    assert files == published(again.repo_dir)
    for rel in files:
        assert (again.repo_dir / rel).read_bytes() == (built.repo_dir / rel).read_bytes(), rel


def run_build_repo(dist: Path, url: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != build_repo.URL_ENV}
    if url is not None:
        env[build_repo.URL_ENV] = url
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_repo.py"), "--dist", str(dist)],
        env=env,
        capture_output=True,
        check=True,
        text=True,
    )
    return done.stdout


def built_info_url(dist: Path) -> str:
    zip_path = next(dist.glob(f"{REPO_ID}-*.zip"))
    return repo_dir_element(zip_addon_xml(zip_path)).findtext("info") or ""


def test_the_base_url_comes_from_simkl_repo_url(tmp_path: Path):
    out = run_build_repo(tmp_path, "https://example.org/kodi")  # a missing slash is added
    assert built_info_url(tmp_path) == "https://example.org/kodi/addons.xml.gz"
    assert "base URL: https://example.org/kodi/" in out


def test_without_simkl_repo_url_the_default_address_is_used(tmp_path: Path):
    run_build_repo(tmp_path, None)
    assert built_info_url(tmp_path) == build_repo.DEFAULT_URL + "addons.xml.gz"


@pytest.mark.parametrize(
    "bad", ["ftp://example.org/kodi/", "example.org/kodi", "https://example.org/k?x=1", "https://"]
)
def test_a_url_kodi_cannot_use_is_refused(bad: str):
    with pytest.raises(ValueError, match=build_repo.URL_ENV):
        build_repo.base_url(bad)


def test_a_template_without_the_default_url_is_refused():
    with pytest.raises(ValueError, match="expected"):
        build_repo.repository_addon_xml("<addon/>", URL)
