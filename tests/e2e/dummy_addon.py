"""A tiny script + service add-on zip used to prove the harness (not the add-on under test).

The service writes ``service-started.json`` into its profile dir; the script writes ``run.json``
(argv, where ``requests``/``kodi_six`` were imported from, a JSON-RPC batch answer from
``xbmc.executeJSONRPC`` and a setting) and then sets a Home window property as completion signal.
``raise`` as first argument makes the script fail with a deliberate exception.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

DUMMY_ID = "script.e2e.dummy"
DONE_PROPERTY = "e2e.dummy.done"
RUN_FILE = "run.json"
SERVICE_FILE = "service-started.json"
DELIBERATE_ERROR = "deliberate e2e failure"


def script_addon_xml(
    addon_id: str, name: str, summary: str, *, service: bool = False, description: str = ""
) -> str:
    """The addon.xml of a harness add-on: a script (and a service) that needs what the add-on
    under test needs (Python 3 and the requests and kodi-six modules)."""
    service_point = '\n  <extension point="xbmc.service" library="service.py"/>' if service else ""
    about = f'\n    <description lang="en_GB">{description}</description>' if description else ""
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<addon id="{addon_id}" name="{name}" version="1.0.0" provider-name="e2e-harness">
  <requires>
    <import addon="xbmc.python" version="3.0.0"/>
    <import addon="script.module.requests" version="2.22.0"/>
    <import addon="script.module.kodi-six" version="0.1.3"/>
  </requires>
  <extension point="xbmc.python.script" library="default.py">
    <provides>executable</provides>
  </extension>{service_point}
  <extension point="xbmc.addon.metadata">
    <summary lang="en_GB">{summary}</summary>{about}
    <platform>all</platform>
  </extension>
</addon>
"""


ADDON_XML = script_addon_xml(
    DUMMY_ID,
    "E2E Dummy",
    "Harness smoke-test add-on",
    service=True,
    description="Proves services, scripts and module imports work.",
)

SETTINGS_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<settings version="1">
  <section id="{DUMMY_ID}">
    <category id="general" label="128">
      <group id="1">
        <setting id="greeting" type="string" label="128">
          <level>0</level>
          <default>hello</default>
          <constraints><allowempty>true</allowempty></constraints>
          <control type="edit" format="string"><heading>128</heading></control>
        </setting>
      </group>
    </category>
  </section>
</settings>
"""

COMMON = """import json
import os
import time

import xbmc
import xbmcaddon
import xbmcvfs


def profile_dir():
    path = xbmcvfs.translatePath(xbmcaddon.Addon().getAddonInfo("profile"))
    os.makedirs(path, exist_ok=True)
    return path


def write_json(name, data):
    path = os.path.join(profile_dir(), name)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(path + ".tmp", path)
"""

SERVICE_PY = (
    COMMON
    + f'''

def main():
    write_json("{SERVICE_FILE}", {{"started": time.time(), "pid": os.getpid()}})
    xbmc.log("e2e dummy service started", xbmc.LOGINFO)
    monitor = xbmc.Monitor()
    while not monitor.abortRequested():
        if monitor.waitForAbort(1):
            break


main()
'''
)

DEFAULT_PY = (
    COMMON
    + f'''import sys

import xbmcgui

BATCH = [
    {{"jsonrpc": "2.0", "id": 1, "method": "JSONRPC.Ping"}},
    {{"jsonrpc": "2.0", "id": 2, "method": "VideoLibrary.GetMovies",
     "params": {{"limits": {{"start": 0, "end": 1}}}}}},
    {{"jsonrpc": "2.0", "id": 3, "method": "VideoLibrary.SetMovieDetails",
     "params": {{"movieid": 999999, "userrating": 5}}}},
]


def main():
    if sys.argv[1:2] == ["raise"]:
        raise RuntimeError("{DELIBERATE_ERROR}")
    import requests
    from kodi_six import xbmc as six_xbmc
    from kodi_six.utils import py2_decode, py2_encode

    answer = json.loads(xbmc.executeJSONRPC(json.dumps(BATCH)))
    write_json("{RUN_FILE}", {{
        "argv": sys.argv,
        "requests_file": requests.__file__,
        "requests_version": requests.__version__,
        "kodi_six_file": sys.modules["kodi_six"].__file__,
        "kodi_six_is_xbmc": six_xbmc is xbmc,
        "py2_roundtrip": py2_decode(py2_encode("Ümlaut")),
        "batch": answer,
        "greeting": xbmcaddon.Addon().getSetting("greeting"),
        "python": sys.version.split()[0],
    }})
    xbmcgui.Window(10000).setProperty("{DONE_PROPERTY}", repr(time.time()))


main()
'''
)


def build_dummy_addon_zip(dest_dir: Path) -> Path:
    """Write ``script.e2e.dummy-1.0.0.zip`` (single top folder = add-on id) into dest_dir."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    zip_path = dest_dir / f"{DUMMY_ID}-1.0.0.zip"
    files = {
        "addon.xml": ADDON_XML,
        "default.py": DEFAULT_PY,
        "service.py": SERVICE_PY,
        "resources/settings.xml": SETTINGS_XML,
    }
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            # Fixed timestamps: identical bytes on every build, so fixtures can skip reinstalls.
            info = zipfile.ZipInfo(f"{DUMMY_ID}/{name}", date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text)
    return zip_path
