"""A user installs Simkl Ratings Sync from its repository, through Kodi's add-on manager.

A fresh Kodi of its own (no module add-ons) gets two repositories, both served on 127.0.0.1:

- repository.simkl.ratings, built by tools/build_repo.py with SIMKL_REPO_URL set to its server:
  what `make repo` publishes and users add;
- a stand-in for Kodi's official repository with script.module.requests and
  script.module.kodi-six, zipped from the harness's module add-on folders.

Why the stand-in takes the official id and an ``https://mirrors.kodi.tv@127.0.0.1`` address:
Kodi 20 takes a third-party add-on's dependencies only from the official repository or from
the add-on's own repository (CAddonRepos::FindDependency), and it counts an add-on as official
only when it comes from repository.xbmc.org at a path starting with https://mirrors.kodi.tv.
From any other second repository the install stops at "failed to find dependency
script.module.requests". The "mirrors.kodi.tv@" user part keeps the connection on 127.0.0.1;
a throwaway certificate (openssl), trusted through advancedsettings' <catrustfile>, carries TLS.
Debian's Kodi ships no repository.xbmc.org, so nothing real is replaced.

The repository add-ons are extracted into addons/ before Kodi starts and enabled ("Install from
zip file" does that and then refreshes the repositories; the UpdateAddonRepos builtin, the
add-on browser's "Check for updates", stands in for the refresh). Then the
InstallAddon(script.simkl.ratings) builtin opens Kodi's "Add-on required" question, and the
test moves the focus to Yes and presses OK over JSON-RPC, as a remote would.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.simkl_sandbox import SimklSandbox

from . import addon_install
from .addon_driver import CLIENT_ID, AddonDriver
from .conftest import REPO_ROOT, require_kodi
from .kodi_harness import KodiInstance, KodiRpcError, wait_for

sys.path.insert(0, str(REPO_ROOT / "tools"))
import build_repo  # tools/ is not a package

ADDON_ID = "script.simkl.ratings"
MODULES = {"script.module.requests": "2.31.0", "script.module.kodi-six": "0.1.3"}
OFFICIAL_ID = "repository.xbmc.org"
OFFICIAL_ORIGIN = "mirrors.kodi.tv"  # the host Kodi's official-repository check looks for
HELPER_ID = "script.e2e.builtin"
ACCOUNT = REPO_ROOT / "tests" / "sandbox" / "fixtures" / "sample_account.json"

HELPER_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<addon id="{HELPER_ID}" name="E2E builtin" version="1.0.0" provider-name="e2e-harness">
  <requires><import addon="xbmc.python" version="3.0.0"/></requires>
  <extension point="xbmc.python.script" library="default.py"/>
  <extension point="xbmc.addon.metadata">
    <summary lang="en_GB">Runs the builtin given as its argument</summary>
    <platform>all</platform>
  </extension>
</addon>
"""
# JSON-RPC has no call for builtins such as InstallAddon; a script add-on can run any of them.
HELPER_PY = "import sys\n\nimport xbmc\n\nxbmc.executebuiltin(sys.argv[1])\n"

STANDIN_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<addon id="{id}" name="Kodi Add-on repository (local stand-in)" version="1.0.0"
       provider-name="e2e-harness">
  <extension point="xbmc.addon.repository" name="Kodi Add-on repository (local stand-in)">
    <dir>
      <info>{url}addons.xml.gz</info>
      <checksum verify="sha256">{url}addons.xml.gz.sha256</checksum>
      <datadir zip="true">{url}</datadir>
      <hashes>sha256</hashes>
    </dir>
  </extension>
  <extension point="xbmc.addon.metadata">
    <summary lang="en_GB">Module add-ons, served on 127.0.0.1 for the e2e test</summary>
    <platform>all</platform>
  </extension>
</addon>
"""


@dataclass
class Served:
    """A folder served over HTTP(S) on 127.0.0.1, with the paths Kodi asked for."""

    folder: Path
    url: str = ""
    paths: list[str] = field(default_factory=list)


@contextlib.contextmanager
def serve(folder: Path, tls: ssl.SSLContext | None = None, user: str = "") -> Iterator[Served]:
    """Serve ``folder`` on a free port in a thread; ``user`` goes before the host in the URL."""
    served = Served(folder)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            served.paths.append(self.path)

    folder.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
    )
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme, at = ("https", f"{user}@" if user else "") if tls else ("http", "")
    served.url = f"{scheme}://{at}127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def loopback_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A throwaway self-signed certificate for 127.0.0.1: the server context and the cert."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed for the TLS stand-in: apt-get install openssl")
    cert, key = folder / "loopback.pem", folder / "loopback.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


def trust_certificate(kodi: KodiInstance, cert: Path) -> None:
    """Kodi's curl verifies https against this file instead of the system bundle. The file is
    copied into Kodi's own folder: a Kodi in a chroot sees only that one (on /dev/shm)."""
    cert = Path(shutil.copy2(cert, kodi.workdir / cert.name))
    path = kodi.userdata / "advancedsettings.xml"
    text = path.read_text(encoding="utf-8")
    network = f"<network><catrustfile>{cert}</catrustfile></network>"
    path.write_text(text.replace("</advancedsettings>", network + "</advancedsettings>"))


def build_our_repository(dist: Path, url: str) -> Path:
    """`make repo` into ``dist`` with SIMKL_REPO_URL=url; returns the repository add-on zip."""
    env = {**os.environ, build_repo.URL_ENV: url}
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "tools" / "build_repo.py"), "--dist", str(dist)],
        check=True, capture_output=True, env=env, timeout=120,
    )  # fmt: skip
    return next(dist.glob(f"{build_repo.REPO_ADDON_ID}-*.zip"))


def build_official_standin(work: Path, repo_dir: Path, url: str) -> Path:
    """The module add-ons and the stand-in repository add-on, published into ``repo_dir``."""
    sources = work / "module-src"
    zips = [
        build_repo.write_addon_zip(build_repo.folder_files(sources / module), work / "zips")
        for module in addon_install.build_module_addons(sources)
    ]
    xml = STANDIN_XML.format(id=OFFICIAL_ID, url=url)
    standin = build_repo.write_addon_zip({"addon.xml": xml.encode()}, work / "zips")
    build_repo.publish([*zips, standin], repo_dir)
    return standin


def helper_addon_zip(work: Path) -> Path:
    files = {"addon.xml": HELPER_XML.encode(), "default.py": HELPER_PY.encode()}
    return build_repo.write_addon_zip(files, work)


def available_addons(kodi: KodiInstance) -> dict[str, str]:
    """Add-ons the enabled repositories offer and that are not installed: id -> version."""
    reply = kodi.call("Addons.GetAddons", {"installed": False, "properties": ["version"]})
    return {a["addonid"]: a["version"] for a in reply.get("addons", [])}


def installed_details(kodi: KodiInstance, addon_id: str) -> dict[str, Any] | None:
    try:
        return kodi.addon_details(addon_id)
    except KodiRpcError:
        return None  # not installed (yet)


def origins(kodi: KodiInstance) -> dict[str, str]:
    """Which repository Kodi recorded each installed add-on as coming from (Addons33.db)."""
    database = next(kodi.database_dir.glob("Addons*.db"))
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return dict(db.execute("SELECT addonID, origin FROM installed").fetchall())


def offers_everything(kodi: KodiInstance) -> dict[str, str] | None:
    """The repositories' offer once both were read: our add-on and the two modules."""
    offered = available_addons(kodi)
    return offered if {ADDON_ID, *MODULES} <= set(offered) else None


def test_a_user_installs_the_add_on_from_the_repository(tmp_path: Path, test_output: Path):
    require_kodi()
    began = time.monotonic()
    timings: dict[str, float] = {}
    version = build_repo.identity((REPO_ROOT / "addon.xml").read_bytes())[1]
    tls, cert = loopback_tls(tmp_path)
    with contextlib.ExitStack() as stack:
        ours = stack.enter_context(serve(tmp_path / "ours" / "repo"))
        official = stack.enter_context(
            serve(tmp_path / "official" / "repo", tls, user=OFFICIAL_ORIGIN)
        )
        sandbox = stack.enter_context(SimklSandbox.from_fixture(ACCOUNT, client_ids=(CLIENT_ID,)))
        repository_zip = build_our_repository(tmp_path / "ours", ours.url)
        standin_zip = build_official_standin(tmp_path / "official", official.folder, official.url)
        kodi = KodiInstance(debug_log=True)  # debug: the log names each dependency's repository
        stack.callback(shutil.rmtree, kodi.workdir, ignore_errors=True)
        stack.callback(save_log, kodi, test_output / "kodi.log")
        stack.callback(kodi.stop)
        trust_certificate(kodi, cert)
        for zip_path in (repository_zip, standin_zip, helper_addon_zip(tmp_path)):
            addon_install.extract_addon_zip(zip_path, kodi.addons_dir)
        kodi.write_addon_settings(
            ADDON_ID,
            {"api_url": sandbox.url, "client_id": CLIENT_ID, "debug": True, "notify": False,
             "sync_on_start": True, "startup_delay": 1, "sync_interval": 0},
        )  # fmt: skip
        AddonDriver(kodi).seed_token(sandbox.issue_token())
        timings["built"] = time.monotonic() - began

        kodi.start()
        kodi.enable_addons([build_repo.REPO_ADDON_ID, OFFICIAL_ID, HELPER_ID])
        assert not any((kodi.addons_dir / module).exists() for module in MODULES)
        kodi.execute_addon(HELPER_ID, ["UpdateAddonRepos"])  # "Check for updates"
        offered = wait_for(lambda: offers_everything(kodi), 30, message="repositories not read")
        assert offered[ADDON_ID] == version
        assert {m: offered[m] for m in MODULES} == MODULES
        timings["repositories_read"] = time.monotonic() - began

        kodi.execute_addon(HELPER_ID, [f"InstallAddon({ADDON_ID})"])
        wait_for(kodi.yesno_open, timeout=20, message="no install question")
        question = kodi.info_labels(["Control.GetLabel(1)", "Control.GetLabel(9)"])
        assert "Simkl Ratings Sync" in question["Control.GetLabel(9)"], question
        kodi.answer_yes(test_output / "install-confirmation.png")

        details = wait_for(lambda: installed_details(kodi, ADDON_ID), timeout=60)
        timings["installed"] = time.monotonic() - began
        assert (details["version"], details["enabled"], details["broken"]) == (version, True, False)
        for module, module_version in MODULES.items():
            got = installed_details(kodi, module) or {}
            assert (got.get("version"), got.get("enabled")) == (module_version, True), module
        recorded = origins(kodi)
        assert recorded[ADDON_ID] == build_repo.REPO_ADDON_ID
        assert {m: recorded[m] for m in MODULES} == dict.fromkeys(MODULES, OFFICIAL_ID)
        # Where each dependency came from: the origin Kodi recorded (above) and the zip the
        # stand-in official repository served (Kodi 21 no longer logs a line for it).
        for module, module_version in MODULES.items():
            assert f"/{module}/{module}-{module_version}.zip" in official.paths
        assert f"/{ADDON_ID}/{ADDON_ID}-{version}.zip" in ours.paths

        report_path = AddonDriver(kodi).report_path
        wait_for(report_path.exists, timeout=60, message="the service never synced")
        timings["service_synced"] = time.monotonic() - began
        report = json.loads(report_path.read_text(encoding="utf-8"))
        assert report["result"] == "ok", report
        assert sandbox.request_count("/sync/") >= 1  # made with requests from the module add-on
        assert not kodi.modal_dialog_open()
        assert kodi.log_tracebacks() == []
    timings["total"] = time.monotonic() - began
    (test_output / "timings.json").write_text(json.dumps(timings, indent=2), encoding="utf-8")


def save_log(kodi: KodiInstance, path: Path) -> None:
    path.write_text(kodi.read_log(include_previous_runs=True), encoding="utf-8")
