"""The words the runner prints: report summaries, the preview's changes, errors, status.

Everything printed goes through the core's redaction, so a token that slipped into an error
message from anywhere is masked; the Kodi password never reaches these texts at all.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, TextIO

from ..core.redact import redact
from ..core.sync.report import RESULT_OK
from .exit_codes import ExitCode

HINTS: Mapping[ExitCode, str] = {
    ExitCode.USAGE: "see `simkl-ratings-sync --help`",
    ExitCode.NOT_SIGNED_IN: "run `simkl-ratings-sync login`",
    ExitCode.SIMKL: "Simkl could not be used; the next run tries again",
    ExitCode.KODI: (
        "check the Kodi URL, user and password, and that Kodi's web server is on "
        "(Settings > Services > Control > Allow remote control via HTTP)"
    ),
    ExitCode.PARTIAL: "some ratings could not be written; the next run retries them",
    ExitCode.BUSY: "another sync is running; try again later",
}


def say(stream: TextIO, text: str) -> None:
    stream.write(redact(text) + "\n")
    stream.flush()


def error(stream: TextIO, message: str, code: ExitCode) -> None:
    """`error: <message>` and what to do about it, on stderr."""
    hint = HINTS.get(code)
    say(stream, f"simkl-ratings-sync: error: {message}" + (f" ({hint})" if hint else ""))


def print_json(stream: TextIO, data: Any) -> None:
    say(stream, json.dumps(data, indent=1, ensure_ascii=False))


def _totals(report: Mapping[str, Any]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for counts in (report.get("types") or {}).values():
        for name, value in counts.items():
            totals[name] = totals.get(name, 0) + int(value or 0)
    return totals


def counts_line(report: Mapping[str, Any]) -> str:
    t = _totals(report)
    verb = "would update" if report.get("dry_run") else "updated"
    cleared = "would clear" if report.get("dry_run") else "cleared"
    return (
        f"{t.get('updated', 0)} {verb}, {t.get('unchanged', 0)} unchanged, "
        f"{t.get('kept_local', 0)} kept (Kodi edits), {t.get('cleared', 0)} {cleared}, "
        f"{t.get('unmatched', 0)} not in library, {t.get('conflicts', 0)} ambiguous, "
        f"{t.get('skipped', 0)} invalid, {t.get('failed', 0)} failed"
    )


def _rating(value: Any) -> str:
    return str(value) if value else "none"


def summary(report: Mapping[str, Any]) -> list[str]:
    """A finished run in a few lines (the full report is `--json`)."""
    kind = "Preview" if report.get("dry_run") else "Sync"
    if report.get("result") != RESULT_OK:
        return [f"{kind} {report.get('result')}: {report.get('error') or report.get('error_code')}"]
    if report.get("activities_unchanged"):
        return [f"{kind}: nothing changed on Simkl since the last sync."]
    lines = [f"{kind} {report.get('result')}: {counts_line(report)}."]
    if report.get("dry_run"):
        changes = report.get("changes") or []
        lines.append(f"Nothing was written. {len(changes)} rating(s) would change:")
        for change in changes:
            year = f" ({change['year']})" if change.get("year") else ""
            lines.append(
                f"  {change.get('kind', '')}: {change.get('title', '')}{year}: "
                f"{_rating(change.get('from'))} -> {_rating(change.get('to'))}"
            )
    for failed in report.get("failed_items") or []:
        lines.append(f"  failed: {failed.get('title', '')}: {failed.get('error', '')}")
    if report.get("written_elsewhere"):
        lines.append(
            f"{report['written_elsewhere']} change(s) from Simkl were already in the library: "
            "another device seems to sync this shared library too (see 'Several Kodi devices')."
        )
    lines.append(
        f"Simkl requests: {report.get('http_requests', 0)}; Kodi JSON-RPC requests: "
        f"{report.get('jsonrpc_requests', 0)}; Kodi writes: {report.get('kodi_writes', 0)}."
    )
    return lines
