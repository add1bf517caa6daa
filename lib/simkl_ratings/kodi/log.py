"""Route the engine's `logging` records to kodi.log, prefixed with the add-on id.

Errors are always logged; details only with the add-on's debug setting. Anything that looks
like a secret (core/redact.py) is masked before it reaches the log.
"""

from __future__ import annotations

import logging

from kodi_six import xbmc

from .. import ADDON_ID
from ..core.redact import redact

__all__ = ["KodiLogHandler", "log_error", "redact", "setup_logging"]


def _write(message: str, level: int) -> None:
    """The one place the add-on writes to kodi.log."""
    xbmc.log(redact(f"[{ADDON_ID}] {message}"), level)


def log_error(message: str) -> None:
    """An error line from outside `logging` (the last-resort handlers), masked like the rest."""
    _write(message, xbmc.LOGERROR)


class KodiLogHandler(logging.Handler):
    """With debug on, details are written at LOGINFO so they show without Kodi's debug log."""

    def __init__(self, debug: bool) -> None:
        super().__init__(logging.DEBUG if debug else logging.INFO)
        self.debug = debug

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break the add-on
            message = str(record.msg)
        if record.levelno >= logging.ERROR:
            level = xbmc.LOGERROR
        elif record.levelno >= logging.WARNING:
            level = xbmc.LOGWARNING
        elif record.levelno >= logging.INFO or self.debug:
            level = xbmc.LOGINFO
        else:
            level = xbmc.LOGDEBUG
        _write(message, level)


def setup_logging(debug: bool) -> None:
    """Attach one handler to the package logger (idempotent: invokers may reuse interpreters)."""
    logger = logging.getLogger("simkl_ratings")
    for handler in list(logger.handlers):
        if isinstance(handler, KodiLogHandler):
            logger.removeHandler(handler)
    logger.addHandler(KodiLogHandler(debug))
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
