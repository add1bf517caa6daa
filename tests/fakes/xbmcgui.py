"""Fake `xbmcgui`: dialogs and windows that record what the user would see."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from typing import Any

from tests.fakes import kodi_state

NOTIFICATION_INFO = "info"
NOTIFICATION_WARNING = "warning"
NOTIFICATION_ERROR = "error"


def _modal(kind: str, heading: str, message: str) -> None:
    state = kodi_state.state
    if state.toast_on_screen is not None:
        state.toasts_under_modals.append((state.toast_on_screen, kind))
    state.toast_on_screen = None
    state.dialogs.append((kind, heading, message))
    if kodi_state.state.on_modal is not None:
        kodi_state.state.on_modal(kind)


class Dialog:
    def notification(self, heading, message, icon=NOTIFICATION_INFO, time=5000, sound=True):
        kodi_state.state.notifications.append(
            {"heading": heading, "message": message, "icon": icon, "time": time, "sound": sound}
        )
        kodi_state.state.toast_on_screen = message

    def ok(self, heading: str, message: str) -> bool:
        _modal("ok", heading, message)
        return True

    def yesno(self, heading: str, message: str, *args: Any, **kwargs: Any) -> bool:
        _modal("yesno", heading, message)
        answers = kodi_state.state.yesno_answers
        return answers.pop(0) if answers else False

    def select(self, heading: str, options: list, *args: Any, **kwargs: Any) -> int:
        _modal("select", heading, "\n".join(options))
        answers = kodi_state.state.select_answers
        return answers.pop(0) if answers else -1

    def textviewer(self, heading: str, text: str, usemono: bool = False) -> None:
        _modal("textviewer", heading, text)


class _ProgressBase:
    def __init__(self) -> None:
        self.created = False
        self.closed = False
        self.updates: list = []
        kodi_state.state.progress.append(self)

    def create(self, heading: str, message: str = "") -> None:
        self.created = True
        self.heading = heading
        self.updates.append((0, message))

    def close(self) -> None:
        self.closed = True


class DialogProgress(_ProgressBase):
    def update(self, percent: int, message: str = "") -> None:
        if not 0 <= percent <= 100:
            raise ValueError("percent out of range")
        self.updates.append((percent, message))

    def iscanceled(self) -> bool:
        limit = kodi_state.state.cancel_progress_after
        return limit is not None and len(self.updates) > limit


class DialogProgressBG(_ProgressBase):
    def update(self, percent: int = 0, heading: str = "", message: str = "") -> None:
        if not 0 <= percent <= 100:
            raise ValueError("percent out of range")
        self.updates.append((percent, message))

    def isFinished(self) -> bool:
        return self.closed


class Window:
    def __init__(self, window_id: int = 0) -> None:
        self.window_id = window_id

    def setProperty(self, key: str, value: str) -> None:
        kodi_state.state.properties[(self.window_id, key.lower())] = value

    def getProperty(self, key: str) -> str:
        return kodi_state.state.properties.get((self.window_id, key.lower()), "")

    def clearProperty(self, key: str) -> None:
        kodi_state.state.properties.pop((self.window_id, key.lower()), None)


class Action:
    def __init__(self, action_id: int) -> None:
        self._id = action_id

    def getId(self) -> int:
        return self._id


class Control:
    def __init__(self, control_id: int) -> None:
        self.control_id = control_id
        self.label = ""
        self.percent = 0.0
        self.enabled = True
        self.up: Control | None = None  # where Up goes, when Python set it

    def setEnabled(self, enabled: bool) -> None:
        self.enabled = enabled

    def controlUp(self, control: Control) -> None:
        if not isinstance(control, Control):
            raise TypeError("Object should be of type Control")
        self.up = control

    def setLabel(self, label: str) -> None:
        self.label = label

    def getLabel(self) -> str:
        return self.label

    def setPercent(self, percent: float) -> None:
        self.percent = percent


class WindowXMLDialog(Window):
    """Loads the skin file as Kodi does, so a missing file or control id fails the test."""

    def __init__(self, xml_file: str, script_path: str, skin="Default", res="720p", **_: Any):
        super().__init__(13000 + len(kodi_state.state.windows))
        path = os.path.join(script_path, "resources", "skins", skin, res, xml_file)
        if not os.path.exists(path):
            raise RuntimeError(f"XML File for Window is missing: {path}")
        ids = {int(c.get("id")) for c in ET.parse(path).iter("control") if c.get("id")}
        self.controls: dict[int, Control] = {i: Control(i) for i in ids}
        self.shown = False
        self.closed = False
        self.focused: int | None = None

    def show(self) -> None:
        self.shown = True
        kodi_state.state.windows.append(self)
        self.onInit()
        if kodi_state.state.on_window_shown is not None:
            kodi_state.state.on_window_shown(self)

    def doModal(self) -> None:
        self.show()

    def close(self) -> None:
        self.closed = True

    def getControl(self, control_id: int) -> Control:
        if control_id not in self.controls:
            raise RuntimeError(f"Non-Existent Control {control_id}")
        return self.controls[control_id]

    def setFocusId(self, control_id: int) -> None:
        if not self.getControl(control_id).enabled:
            raise RuntimeError(f"Control {control_id} cannot take the focus")
        self.focused = control_id

    def getFocusId(self) -> int:
        if self.focused is None:
            raise RuntimeError("No control in this window has focus")
        return self.focused

    def onInit(self) -> None:
        pass

    def onAction(self, action: Action) -> None:
        pass

    def onClick(self, control_id: int) -> None:
        pass


class ListItem:
    """A list item as Kodi hands it to a context menu script (`sys.listitem`)."""

    def __init__(self, label: str = "", media_type: str = "", dbid: int = -1) -> None:
        import xbmc  # noqa: PLC0415 (the fake xbmc, as Kodi's own module)

        self.label = label
        self._tag = xbmc.InfoTagVideo(media_type, dbid)

    def getLabel(self) -> str:
        return self.label

    def getVideoInfoTag(self) -> Any:
        return self._tag
