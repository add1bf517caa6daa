"""ISO 8601 instants as Simkl sends them (`...Z` and `....000Z` both occur)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def _utc() -> timezone:
    """UTC without ``timezone.utc``: on Kodi 19 the ``_datetime`` class attributes can be other
    objects in a sub-interpreter (xbmc/xbmc #17311); the constructor returns the live one."""
    return timezone(timedelta(0))


def parse_instant(raw: Any) -> datetime | None:
    """An aware UTC datetime, or None for null and anything unparseable (a date with no UTC
    form, like 9999-12-31T23:59:59-05:00, included: one odd timestamp never stops a run)."""
    if not isinstance(raw, str):
        return None
    match = _ISO_RE.match(raw.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    offset = timedelta(0)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        naive = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro
        )
        return (naive - offset).replace(tzinfo=_utc())
    except (ValueError, OverflowError):
        return None


def format_instant(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second."""
    return moment.astimezone(_utc()).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> datetime:
    return datetime.now(_utc())
