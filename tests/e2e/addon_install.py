"""Installing add-ons into a test Kodi the way a user ends up with them.

A user installs a zip (one top folder named after the add-on id) and Kodi pulls
``script.module.requests`` / ``script.module.kodi-six`` from the official repository (and, when
present there, the optional ``script.module.pyqrcode`` for the sign-in QR code). Offline we
build those module add-ons locally: requests and its dependencies in the versions the official
``script.module.requests`` 2.31.0 bundles, installed from PyPI once into the test venv as pure
Python wheels that every Kodi from 19 (Python 3.8) to 21 (Python 3.13) imports; pyqrcode (PyPI
``PyQRCode``, pure Python) is copied from the Python running the tests; kodi-six is a tiny
Python 3 shim (it is not on PyPI).
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REQUESTS_MODULE_ID = "script.module.requests"
KODI_SIX_MODULE_ID = "script.module.kodi-six"
PYQRCODE_MODULE_ID = "script.module.pyqrcode"
REQUESTS_PACKAGES = ("requests", "urllib3", "idna", "certifi", "charset_normalizer")
# Not the test venv's own copies: urllib3 2.x needs Python 3.10 at import (``bytes | str`` at
# module level), so Kodi 19 (Python 3.9 on Debian 11) could not import it.
REQUESTS_PINS = (
    "requests==2.31.0",
    "urllib3==1.26.20",
    "charset-normalizer==3.3.2",
    "idna==3.7",
    "certifi==2024.7.4",
)


@dataclass(frozen=True)
class InstalledAddon:
    """An add-on installed from a zip and enabled in a test Kodi."""

    addon_id: str
    zip_path: Path
    profile_dir: Path


class AddonZipError(ValueError):
    """The zip does not have the structure Kodi's 'Install from zip' accepts."""


def zip_addon_id(zip_path: Path) -> str:
    """Return the add-on id of a zip whose single top folder is ``<id>/`` with ``addon.xml``."""
    with zipfile.ZipFile(zip_path) as zf:
        names = [n for n in zf.namelist() if n.strip("/")]
        tops = {PurePosixPath(n).parts[0] for n in names}
        if len(tops) != 1:
            raise AddonZipError(f"{zip_path}: expected one top folder, found {sorted(tops)}")
        top = tops.pop()
        try:
            root = ET.fromstring(zf.read(f"{top}/addon.xml"))
        except KeyError:
            raise AddonZipError(f"{zip_path}: no {top}/addon.xml") from None
    if root.get("id") != top:
        raise AddonZipError(f"{zip_path}: folder {top!r} != addon id {root.get('id')!r}")
    return top


def extract_addon_zip(zip_path: Path, addons_dir: Path) -> Path:
    """Replace ``addons/<id>`` with the zip's content (as Kodi does on install/update)."""
    addon_id = zip_addon_id(zip_path)
    target = addons_dir / addon_id
    if target.exists():
        shutil.rmtree(target)
    addons_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as zf:
        for member in zf.infolist():
            dest = (addons_dir / member.filename).resolve()
            if not dest.is_relative_to(addons_dir.resolve()):
                raise AddonZipError(f"{zip_path}: unsafe member {member.filename!r}")
        zf.extractall(addons_dir)
    return target


def module_addon_xml(addon_id: str, name: str, version: str, summary: str) -> str:
    """addon.xml of a Python module add-on whose ``lib`` Kodi appends to ``sys.path``."""
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<addon id="{addon_id}" name="{name}" version="{version}" provider-name="e2e-harness">
  <requires>
    <import addon="xbmc.python" version="3.0.0"/>
  </requires>
  <extension point="xbmc.python.module" library="lib"/>
  <extension point="xbmc.addon.metadata">
    <summary lang="en_GB">{summary}</summary>
    <description lang="en_GB">Built offline by the e2e test harness.</description>
    <platform>all</platform>
  </extension>
</addon>
"""


def kodi_requests_packages(cache: Path | None = None) -> Path:
    """A folder with ``REQUESTS_PINS`` installed as pure-Python wheels (for Python 3.8 and
    later), made once per venv with pip; reused while the pins stay the same.

    Suites on several Kodis may start side by side on one venv: each installs into a folder of
    its own and renames it into place, and whichever comes second uses the first one's."""
    key = hashlib.sha256("\n".join(REQUESTS_PINS).encode()).hexdigest()[:12]
    folder = (cache or Path(sys.prefix) / "kodi-modules") / key
    if (folder / ".complete").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=folder.parent))
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-compile", "--target", str(partial), "--only-binary=:all:", "--implementation", "py",
        "--python-version", "3.8", "--platform", "any", *REQUESTS_PINS,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise RuntimeError(f"pip could not fetch {REQUESTS_PINS}:\n{result.stderr[-2000:]}")
    (partial / ".complete").write_text("\n".join(REQUESTS_PINS), encoding="utf-8")
    if folder.is_dir() and not (folder / ".complete").is_file():
        shutil.rmtree(folder, ignore_errors=True)  # left by an interrupted run of old
    try:
        partial.rename(folder)
    except OSError:  # another run put its complete copy there first
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def build_requests_module(dest: Path, version: str = "2.31.0") -> Path:
    """``script.module.requests`` with requests + urllib3/idna/certifi/charset_normalizer."""
    root = dest / REQUESTS_MODULE_ID
    if root.exists():
        shutil.rmtree(root)
    lib = root / "lib"
    lib.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    packages = kodi_requests_packages()
    for name in REQUESTS_PACKAGES:
        shutil.copytree(packages / name, lib / name, ignore=ignore)
    xml = module_addon_xml(REQUESTS_MODULE_ID, "requests", version, "Python HTTP for Humans")
    (root / "addon.xml").write_text(xml, encoding="utf-8")
    return root


KODI_SIX_INIT = '''"""Python 3 shim of kodi-six: the real wrappers are no-ops on Python 3."""

import xbmc  # noqa: F401
import xbmcaddon  # noqa: F401
import xbmcgui  # noqa: F401
import xbmcplugin  # noqa: F401
import xbmcvfs  # noqa: F401
'''

KODI_SIX_UTILS = '''"""Identity py2_encode/py2_decode, as kodi-six behaves on Python 3."""


def py2_encode(s, encoding="utf-8", errors="strict"):
    return s


def py2_decode(s, encoding="utf-8", errors="strict"):
    return s
'''


def build_kodi_six_module(dest: Path, version: str = "0.1.3") -> Path:
    """``script.module.kodi-six`` as a minimal Python 3 shim."""
    root = dest / KODI_SIX_MODULE_ID
    if root.exists():
        shutil.rmtree(root)
    pkg = root / "lib" / "kodi_six"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(KODI_SIX_INIT, encoding="utf-8")
    (pkg / "utils.py").write_text(KODI_SIX_UTILS, encoding="utf-8")
    xml = module_addon_xml(KODI_SIX_MODULE_ID, "Kodi Six", version, "Kodi-six Python 3 shim")
    (root / "addon.xml").write_text(xml, encoding="utf-8")
    return root


def package_dir(name: str) -> Path:
    """Location of an importable package in the Python running the tests."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{name} must be installed in the test venv (pip install {name})")
    return Path(next(iter(spec.submodule_search_locations)))


def build_pyqrcode_module(dest: Path, version: str = "1.2.1") -> Path:
    """``script.module.pyqrcode``: the pure-Python pyqrcode package, as Kodi's repository has it."""
    root = dest / PYQRCODE_MODULE_ID
    if root.exists():
        shutil.rmtree(root)
    lib = root / "lib"
    lib.mkdir(parents=True)
    shutil.copytree(
        package_dir("pyqrcode"), lib / "pyqrcode", ignore=shutil.ignore_patterns("__pycache__")
    )
    xml = module_addon_xml(PYQRCODE_MODULE_ID, "pyqrcode", version, "QR code generator")
    (root / "addon.xml").write_text(xml, encoding="utf-8")
    return root


def build_module_addons(dest: Path, *, qr: bool = True) -> list[str]:
    """Create the module add-ons under ``dest`` (normally Kodi's ``addons`` folder);
    ``qr=False`` leaves out the optional QR module, as on a Kodi without it."""
    build_requests_module(dest)
    build_kodi_six_module(dest)
    if not qr:
        return [REQUESTS_MODULE_ID, KODI_SIX_MODULE_ID]
    build_pyqrcode_module(dest)
    return [REQUESTS_MODULE_ID, KODI_SIX_MODULE_ID, PYQRCODE_MODULE_ID]


def _setting_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def settings_xml(values: Mapping[str, object]) -> str:
    """Kodi 19+ add-on settings file (``<settings version="2">``)."""
    root = ET.Element("settings", version="2")
    for key, value in values.items():
        ET.SubElement(root, "setting", id=key).text = _setting_text(value)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def write_addon_settings(userdata: Path, addon_id: str, values: Mapping[str, object]) -> Path:
    """Write ``userdata/addon_data/<id>/settings.xml``; Kodi must not be running."""
    path = userdata / "addon_data" / addon_id / "settings.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(settings_xml(values), encoding="utf-8")
    return path


def addon_xml_version(addon_dir: Path) -> str:
    """Version attribute of an installed add-on."""
    return ET.parse(addon_dir / "addon.xml").getroot().get("version", "")
