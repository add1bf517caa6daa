"""Route the engine's `logging` records to kodi.log, prefixed with the add-on id.

Errors are always logged; details only with the add-on's debug setting. Anything that looks
like a token or an Authorization header is masked before it reaches the log.
"""

from __future__ import annotations

import logging
import re

from kodi_six import xbmc

from .. import ADDON_ID

_SECRETS = [
    (re.compile(r"(?i)(bearer\s+)[^\s\"',]+"), r"\1***"),
    (
        re.compile(r"(?i)(\"?(?:access_token|refresh_token|token)\"?\s*[:=]\s*\"?)[^\s\"',&]+"),
        r"\1***",
    ),
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), "***"),
    (re.compile(r"\bsimkl_(?:at|rt)_[A-Za-z0-9_-]+"), "***"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class KodiLogHandler(logging.Handler):
    """With debug on, details are written at LOGINFO so they show without Kodi's debug log."""

    def __init__(self, debug: bool) -> None:
        super().__init__(logging.DEBUG if debug else logging.INFO)
        self.debug = debug

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = redact(record.getMessage())
        except Exception:  # a bad format string must not break the add-on
            message = redact(str(record.msg))
        if record.levelno >= logging.ERROR:
            level = xbmc.LOGERROR
        elif record.levelno >= logging.WARNING:
            level = xbmc.LOGWARNING
        elif record.levelno >= logging.INFO or self.debug:
            level = xbmc.LOGINFO
        else:
            level = xbmc.LOGDEBUG
        xbmc.log(f"[{ADDON_ID}] {message}", level)


def setup_logging(debug: bool) -> None:
    """Attach one handler to the package logger (idempotent: invokers may reuse interpreters)."""
    logger = logging.getLogger("simkl_ratings")
    for handler in list(logger.handlers):
        if isinstance(handler, KodiLogHandler):
            logger.removeHandler(handler)
    logger.addHandler(KodiLogHandler(debug))
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
