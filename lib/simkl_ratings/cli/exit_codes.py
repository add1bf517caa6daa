"""The runner's exit codes, documented in the README ("Command-line runner"), so cron jobs,
systemd units and scripts can tell what went wrong without parsing text."""

from __future__ import annotations

import enum
from typing import Any, Mapping

from ..core.sync.report import RESULT_CANCELLED, RESULT_OK


class ExitCode(enum.IntEnum):
    OK = 0
    INTERNAL = 1  # a bug: please report it
    USAGE = 2  # bad arguments or configuration (argparse uses 2 too)
    NOT_SIGNED_IN = 3  # no sign-in, it was revoked or expired, or `login` did not complete
    SIMKL = 4  # Simkl unreachable, refused the client id, rate limit or daily quota, bad reply
    KODI = 5  # Kodi unreachable, its web server refused the user/password, or a JSON-RPC error
    PARTIAL = 6  # the sync ran but some writes failed; the next run retries them
    BUSY = 7  # another sync of this state folder is running
    OTHER_DEVICE = 8  # the add-on on that Kodi syncs its library itself (shared or not)
    ASKS = 9  # the sync held something back for the user's say (run `sync` in a terminal)
    INTERRUPTED = 130  # Ctrl-C / SIGTERM: what was written is kept


_BY_ERROR_CODE: Mapping[str, ExitCode] = {
    "config": ExitCode.USAGE,
    "signed_out": ExitCode.NOT_SIGNED_IN,
    "scope": ExitCode.NOT_SIGNED_IN,
    "kodi": ExitCode.KODI,
    "kodi_unreachable": ExitCode.KODI,
    "kodi_auth": ExitCode.KODI,
    "cancelled": ExitCode.INTERRUPTED,
    "other_device": ExitCode.OTHER_DEVICE,
}


def for_error_code(code: str | None) -> ExitCode:
    """The exit code for a core error code (`SyncError.code`); every other one is Simkl's."""
    if code is None:
        return ExitCode.OK
    return _BY_ERROR_CODE.get(code, ExitCode.SIMKL)


def for_report(report: Mapping[str, Any]) -> ExitCode:
    """A finished run's exit code: its error, else PARTIAL when any write failed."""
    if report.get("result") == RESULT_CANCELLED:
        return ExitCode.INTERRUPTED
    if report.get("result") != RESULT_OK:
        return for_error_code(report.get("error_code") or "error")
    types = report.get("types") or {}
    failed = sum(int(counts.get("failed", 0)) for counts in types.values())
    return ExitCode.PARTIAL if failed else ExitCode.OK
