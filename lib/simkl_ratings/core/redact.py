"""Masking secrets in any text that leaves the add-on: log lines, reports, error messages.

Tokens are recognised by shape (V1: 32+ hex characters; V2: `simkl_at_…` / `simkl_rt_…`), by
the name they travel under (`access_token=`, `"device_code": …`, `Authorization: …`), and by
value: a secret without a recognisable shape (V2's opaque device code) is remembered for the
life of the interpreter with `remember_secret`, so it is masked wherever it turns up.
"""

from __future__ import annotations

import re
import threading

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
_known: set[str] = set()
_known_lock = threading.Lock()
MIN_SECRET = 8  # shorter values would mask ordinary words


def remember_secret(value: str | None) -> None:
    """Mask this exact value from now on (e.g. a device code, which has no fixed shape)."""
    if isinstance(value, str) and len(value) >= MIN_SECRET:
        with _known_lock:
            _known.add(value)


def redact(text: str) -> str:
    """`text` with every secret it contains replaced by ***."""
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
