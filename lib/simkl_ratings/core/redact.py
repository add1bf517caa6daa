"""Masking secrets in any text that leaves the add-on: log lines, reports, error messages.

The one redactor both shells use. Every writer of text for people goes through it: the report
(`save_report` masks every string in it), both log handlers, the runner's output, Kodi's
dialogs and notifications (`kodi/ui.py`), the last-resort handlers; tests/unit/test_redaction.py
finds the writers in the code and fails on one that skips it.

Tokens are recognised by shape (V1: 32+ hex characters; V2: `simkl_at_…` / `simkl_rt_…`), by
the name they travel under (`access_token=`, `"device_code": …`, `Authorization: …`), and by
value: a secret without a recognisable shape (V2's opaque device code, the Kodi password, a
stored token) is remembered for the life of the interpreter with `remember_secret`, so it is
masked wherever it turns up. What comes out can always be written as UTF-8 (a lone surrogate
from a reply becomes a backslash escape).
"""

from __future__ import annotations

import re
import threading
from typing import Any

MASK = "***"
_KEYS = r"access_token|refresh_token|device_code|token|code_verifier"
_PATTERNS = [
    (re.compile(r"(?i)(authorization\"?\s*[:=]\s*\"?(?:bearer\s+)?)[^\s\"',}]+"), r"\1" + MASK),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',]+"), r"\1" + MASK),
    # a key and its value; not a path's last segment ("POST /oauth2/token: HTTP 400")
    (
        re.compile(rf"(?i)(?<!/)(['\"]?(?:{_KEYS})['\"]?\s*[:=]\s*['\"]?)[^\s\"',&}}]+"),
        r"\1" + MASK,
    ),
    (re.compile(r"\bsimkl_(?:at|rt)_[A-Za-z0-9_\-.~+/=]+"), MASK),
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), MASK),
]
# Whatever any pattern above could match starts with one of these: text without any (nearly all
# of a report's titles and ids) skips the patterns.
_SUSPECT = r"authorization|bearer|token|device_code|code_verifier|simkl_|[0-9a-f]{32}"
_known: set[str] = set()
_known_lock = threading.Lock()
_screen = [re.compile(f"(?i:{_SUSPECT})")]  # the suspects, and every remembered value
MIN_SECRET = 8  # shorter values would mask ordinary words


def remember_secret(value: str | None) -> None:
    """Mask this exact value from now on (e.g. a device code, which has no fixed shape)."""
    if isinstance(value, str) and len(value) >= MIN_SECRET:
        with _known_lock:
            if value not in _known:
                _known.add(value)
                values = "|".join(re.escape(v) for v in sorted(_known, key=len, reverse=True))
                _screen[0] = re.compile(f"(?i:{_SUSPECT})|{values}")


def redact(text: str) -> str:
    """`text` with every secret it contains replaced by ***."""
    if not _screen[0].search(text):
        return _writable(text)
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _writable(text)


def _writable(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def redact_data(value: Any) -> Any:
    """A JSON-like value with every string in it (keys too) passed through `redact`."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_data(key): redact_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(item) for item in value]
    return value
