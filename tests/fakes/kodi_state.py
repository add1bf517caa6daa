"""The shared state behind the fake Kodi modules, so tests can script and inspect Kodi.

The fakes behave: settings defaults come from the real resources/settings.xml, strings from the
real strings.po, windows must exist as skin XML files, JSON-RPC goes to a fake library.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from typing import Any, Callable

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STRINGS_PO = os.path.join(ROOT, "resources/language/resource.language.en_gb/strings.po")


def read_strings() -> dict[int, str]:
    with open(STRINGS_PO, encoding="utf-8") as stream:
        text = stream.read()
    pairs = re.findall(r'msgctxt "#(\d+)"\nmsgid "((?:[^"\\]|\\.)*)"', text)
    return {int(k): v.replace('\\"', '"').replace("\\\\", "\\") for k, v in pairs}


def read_setting_defaults() -> dict[str, str]:
    tree = ET.parse(os.path.join(ROOT, "resources/settings.xml"))
    defaults = {}
    for setting in tree.iter("setting"):
        default = setting.find("default")
        if setting.get("type") != "action":
            defaults[setting.get("id")] = (default.text or "") if default is not None else ""
    return defaults


def read_addon_info() -> dict[str, str]:
    root = ET.parse(os.path.join(ROOT, "addon.xml")).getroot()
    return {"id": root.get("id"), "name": root.get("name"), "version": root.get("version")}


class State:
    def __init__(self) -> None:
        self.strings = read_strings()
        self.addon_info = read_addon_info()
        self.settings: dict[str, str] = read_setting_defaults()
        self.settings_written: list[tuple[str, str]] = []
        self.profile_root = ""  # special://profile (userdata)
        self.xbmc_root = ""  # special://xbmc (Kodi's install folder)
        self.log: list[tuple[int, str]] = []
        self.missing_strings: list[int] = []
        self.jsonrpc: Callable[[Any], Any] | None = None
        self.aborted = False
        self.abort_after_waits: int | None = None
        self.waits: list[float] = []
        self.notifications: list[dict[str, Any]] = []
        self.dialogs: list[tuple[str, str, str]] = []  # (kind, heading, text)
        self.yesno_answers: list[bool] = []
        self.select_answers: list[int] = []
        self.progress: list[Any] = []  # DialogProgress / DialogProgressBG objects
        self.cancel_progress_after: int | None = None  # updates before iscanceled() is True
        self.windows: list[Any] = []
        self.on_window_shown: Callable[[Any], None] | None = None
        # called with the kind of every modal dialog as it opens (it waits for the user there)
        self.on_modal: Callable[[str], None] | None = None
        self.on_wait: Callable[[float], None] | None = None
        self.properties: dict[tuple[int, str], str] = {}
        self.settings_opened = 0
        self.conditions: dict[str, bool] = {}
        self.info_labels: dict[str, str] = {}
        self.playing_video = False
        # the library item the player plays: {"kind": "movie", "dbid": 3} (dbid -1: a file)
        self.playing: dict[str, Any] | None = None
        self.playlist_position = -1  # the video playlist, as xbmc.PlayList reports it
        self.playlist_size = 0
        self.builtins: list[str] = []  # every xbmc.executebuiltin, in order
        # a toast still on screen (real Kodi: until its time is up, nothing in between here)
        # when a modal dialog opens: Kodi draws the toast above the dialog and hands it the
        # first Back, and a toast closed early can stall Kodi's toast queue
        self.toast_on_screen: str | None = None
        self.toasts_under_modals: list[tuple[str, str]] = []  # (toast text, dialog kind)

    def later(self) -> None:
        """Time passes between two things the user does: a toast from before is gone."""
        self.toast_on_screen = None

    def modal_dialogs(self) -> list[Any]:
        """Everything that would block the user: what the service must never open."""
        modal = [d for d in self.dialogs if d[0] in ("ok", "yesno", "select", "textviewer")]
        modal += [p for p in self.progress if type(p).__name__ == "DialogProgress"]
        return modal + list(self.windows)


state = State()


def reset() -> State:
    global state  # noqa: PLW0603 (tests swap the whole state between tests)
    state = State()
    return state
