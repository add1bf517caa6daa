"""The sign-in window, code first: the code in large type, where to enter it, a QR code that
opens the approval page with the code filled in, a countdown and Cancel.

It is shown non-modally, so the poll loop runs in the calling thread and only checks
`cancelled` between waits; no second thread touches Kodi's UI. The QR image lives in the
profile folder only while the window is open.
"""

from __future__ import annotations

from kodi_six import xbmcgui

from ..core.qr import remove_qr_pngs, write_qr_png
from ..core.redact import redact
from ..core.simkl.signin import PinCode
from . import strings as S
from .context import AddonContext

XML_FILE = "script-simkl-ratings-pin.xml"
HEADING, GO_TO, URL, ENTER_CODE, CODE, COUNTDOWN, PROGRESS = 100, 101, 102, 103, 104, 105, 106
QR_IMAGE, QR_CAPTION = 107, 108
CANCEL = 200
QR_PROPERTY = "qr"
_CLOSE_ACTIONS = (9, 10, 13, 92)  # parent dir, previous menu, stop, back


class PinDialog(xbmcgui.WindowXMLDialog):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args)
        self.ctx: AddonContext = kwargs["ctx"]
        self.cancelled = False
        self._ready = False
        self._labels: dict = {}
        self._expires_in = 1.0
        self.qr_path: str | None = None

    @classmethod
    def open(cls, ctx: AddonContext) -> PinDialog:
        dialog = cls(XML_FILE, ctx.path, "Default", "1080i", ctx=ctx)
        dialog._labels = {
            HEADING: ctx.localize(S.ACTION_LOGIN),
            ENTER_CODE: ctx.localize(S.LOGIN_YOUR_CODE),
            GO_TO: ctx.localize(S.LOGIN_ENTER_AT),
            QR_CAPTION: ctx.localize(S.LOGIN_SCAN),
            CANCEL: ctx.localize(S.LOGIN_CANCEL),
        }
        dialog.show()
        return dialog

    def onInit(self) -> None:
        self._ready = True
        for control_id, text in self._labels.items():
            self._set(control_id, text)

    def onAction(self, action) -> None:
        if action.getId() in _CLOSE_ACTIONS:
            self.cancelled = True

    def onClick(self, control_id: int) -> None:
        if control_id == CANCEL:
            self.cancelled = True

    def _set(self, control_id: int, text: str) -> None:
        self._labels[control_id] = text
        if self._ready:
            self.getControl(control_id).setLabel(redact(text))

    def show_code(self, code: PinCode) -> None:
        self._expires_in = max(1.0, code.expires_in)
        self._set(CODE, f"[B]{code.user_code}[/B]")
        self._set(URL, f"[B]{code.verification_url}[/B]")
        self.qr_path = write_qr_png(code.qr_text, self.ctx.profile_dir)
        self.setProperty(QR_PROPERTY, self.qr_path or "")
        self.set_remaining(code.expires_in)

    def set_remaining(self, seconds: float) -> None:
        left = max(0, int(seconds))
        self._set(
            COUNTDOWN,
            self.ctx.localize(S.LOGIN_EXPIRES, minutes=left // 60, seconds=f"{left % 60:02d}"),
        )
        if self._ready:
            self.getControl(PROGRESS).setPercent(100.0 * left / self._expires_in)

    def close(self) -> None:
        """Delete the QR image, then close the window: once the window is gone, so is the
        image (it carries a credential). The image control is emptied first, so nothing
        draws a missing file."""
        self.setProperty(QR_PROPERTY, "")
        remove_qr_pngs(self.ctx.profile_dir)
        self.qr_path = None
        super().close()
