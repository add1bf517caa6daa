"""Turn reports and errors into the user's words (all through strings.po)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from kodi_six import xbmc

from ..core.simkl.credentials import Credentials
from ..core.sync.report import RESULT_CANCELLED, RESULT_ERROR, Report
from . import strings as S
from .context import AddonContext

ERROR_STRINGS = {
    "signed_out": S.ERROR_SIGNED_OUT,
    "client_id": S.ERROR_CLIENT_ID,
    "rate_limited": S.ERROR_RATE_LIMITED,
    "server": S.ERROR_SERVER,
    "network": S.ERROR_NETWORK,
    "bad_response": S.ERROR_BAD_RESPONSE,
    "config": S.ERROR_CONFIG,
    "kodi": S.ERROR_KODI,
    "simkl": S.ERROR_SIMKL,
    "scope": S.ERROR_SCOPE,
    "quota": S.ERROR_QUOTA,
    "token_refused": S.ERROR_TOKEN_REFUSED,
}
TYPE_STRINGS = {"movies": S.TYPE_MOVIES, "shows": S.TYPE_SHOWS, "anime": S.TYPE_ANIME}
KIND_STRINGS = {"movie": S.TYPE_MOVIES, "tvshow": S.TYPE_SHOWS}
RESULT_STRINGS = {"ok": S.RESULT_OK, "error": S.RESULT_ERROR, "cancelled": S.RESULT_CANCELLED}
REPORT_LIST_LIMIT = 500
# A notification is one line in Estuary's toast, 450 of its 1920 units wide: about 31
# characters at 720p and 1080p on every Kodi (tests/e2e/test_toast.py measures it).
TOAST_CHARS = 31
CLAUSE_SEPARATOR = " · "
PUSH_COUNTS = ("pushed", "push_removed", "push_not_found", "push_failed")
# The report viewer's lists of items, in the order a user wants to read them.
ITEM_SECTIONS = (
    (S.REPORT_UNMATCHED, "unmatched_items"),
    (S.REPORT_BY_TITLE, "title_matched_items"),
    (S.REPORT_CONFLICTS, "conflict_items"),
    (S.REPORT_KIND_UNKNOWN, "kind_unknown_items"),
    (S.REPORT_COLLISIONS, "collision_items"),
    (S.REPORT_SKIPPED, "skipped_items"),
    (S.REPORT_FAILED, "failed_items"),
    (S.REPORT_HELD, "held_clear_items"),
    (S.REPORT_PARKED, "parked_items"),
)


def error_text(ctx: AddonContext, code: str | None, retry_after: float | None = None) -> str:
    string_id = ERROR_STRINGS.get(code or "", S.ERROR_UNEXPECTED)
    if string_id == S.ERROR_RATE_LIMITED:
        minutes = max(1, math.ceil((retry_after or 600) / 60))
        return ctx.localize(string_id, minutes=minutes)
    return ctx.localize(string_id)


def signed_out_text(ctx: AddonContext, creds: Credentials | None) -> str:
    """Why a stored sign-in stopped working. Simkl refusing an old PIN (V1) sign-in most likely
    means it retired that kind of sign-in, so the user hears that rather than a riddle."""
    if creds is not None and creds.auth_version < 2:
        return ctx.localize(S.ERROR_SIGNIN_CHANGED)
    return ctx.localize(S.ERROR_SIGNED_OUT)


def local_time(moment: datetime) -> str:
    """A moment in the user's time, as Kodi's region shows times (with the date if not today)."""
    local = moment.astimezone()
    time_format = (xbmc.getRegion("time") or "%H:%M:%S").replace(":%S", "")
    text = local.strftime(time_format)
    if local.date() != datetime.now(local.tzinfo).date():
        date_format = xbmc.getRegion("dateshort") or "%Y-%m-%d"
        text = f"{local.strftime(date_format)} {text}"
    return text


def quota_text(ctx: AddonContext, until: datetime | None) -> str:
    """The daily quota is used up: until when the add-on leaves Simkl alone."""
    if until is None:
        return ctx.localize(S.ERROR_QUOTA)
    return ctx.localize(S.ERROR_QUOTA_UNTIL, time=local_time(until))


def summary_text(ctx: AddonContext, report: Report) -> str:
    """The one-line notification after a run: what it did, then what else happened, as much
    as fits the toast (the report has everything)."""
    totals = report.totals()
    if report.result == RESULT_ERROR:
        return error_text(ctx, report.error_code)
    if report.result == RESULT_CANCELLED:
        return ctx.localize(S.SUMMARY_CANCELLED, updated=totals.updated)
    if report.activities_unchanged:
        return ctx.localize(S.SUMMARY_NOTHING_NEW)
    string_id = S.SUMMARY_PREVIEW if report.dry_run else S.SUMMARY_OK
    clauses = (  # problems first, then changes, then what stays the same run after run
        (totals.failed, S.SUMMARY_FAILED_WRITES),
        (totals.push_failed, S.SUMMARY_PUSH_FAILED),
        (totals.clears_held, S.SUMMARY_HELD),
        (totals.pushed + totals.push_removed, S.SUMMARY_PUSHED),
        (totals.cleared, S.SUMMARY_CLEARED),
        (totals.kept_local, S.SUMMARY_KEPT),
        (totals.kind_unknown, S.SUMMARY_KIND_UNKNOWN),
        (totals.unmatched, S.SUMMARY_UNMATCHED),
    )
    return one_line(
        ctx.localize(string_id, updated=totals.updated),
        [ctx.localize(clause, count=count) for count, clause in clauses if count],
    )


def one_line(first: str, clauses: list[str], limit: int = TOAST_CHARS) -> str:
    """``first``, then the clauses in their order for as long as the line stays within
    ``limit`` characters; the first clause that does not fit ends it."""
    line = first
    for clause in clauses:
        if len(line) + len(CLAUSE_SEPARATOR) + len(clause) > limit:
            break
        line += CLAUSE_SEPARATOR + clause
    return line


def _item_line(item: dict[str, Any]) -> str:
    year = f" ({item['year']})" if item.get("year") else ""
    return f"  {item.get('title') or '?'}{year}"


def _section(lines: list[str], heading: str, entries: list[str]) -> None:
    if not entries:
        return
    lines += ["", f"[B]{heading}[/B]"]
    lines += entries[:REPORT_LIST_LIMIT]
    if len(entries) > REPORT_LIST_LIMIT:
        lines.append(f"  … (+{len(entries) - REPORT_LIST_LIMIT})")


def report_text(ctx: AddonContext, data: dict[str, Any]) -> str:
    """The report viewer's text, from a saved `last_sync.json`."""
    lines = [
        ctx.localize(S.REPORT_WHEN, when=data.get("finished_at") or "?"),
        ctx.localize(
            S.REPORT_RESULT,
            result=ctx.localize(RESULT_STRINGS.get(data.get("result"), S.RESULT_ERROR)),
        ),
    ]
    if data.get("error_code") and data.get("result") == RESULT_ERROR:
        lines.append(ctx.localize(S.REPORT_ERROR, error=error_text(ctx, data["error_code"])))
    if data.get("activities_unchanged"):
        lines.append(ctx.localize(S.REPORT_NOTHING_NEW))
        return "\n".join(lines)
    for type_name, counts in (data.get("types") or {}).items():
        label = ctx.localize(TYPE_STRINGS.get(type_name, S.TYPE_MOVIES))
        values = {k: counts.get(k, 0) for k in (
            "rated", "updated", "unchanged", "kept_local", "cleared", "unmatched", "conflicts",
            "kind_unknown", "collisions", "skipped", "unrated", "failed")}  # fmt: skip
        lines.append(ctx.localize(S.REPORT_COUNTS, type=label, **values))
        pushes = {k: counts.get(k, 0) for k in PUSH_COUNTS}
        if any(pushes.values()):
            lines.append(ctx.localize(S.REPORT_PUSH_COUNTS, type=label, **pushes))
    changes = [
        f"{_item_line(c)}: {c.get('from') or '-'} → {c.get('to') or '-'}"
        for c in data.get("changes") or []
    ]
    heading = S.REPORT_WOULD_CHANGE if data.get("dry_run") else S.REPORT_CHANGED
    _section(lines, ctx.localize(heading), changes)
    pushed = [f"{_item_line(p)}: → {p.get('to') or '-'}" for p in data.get("pushed_items") or []]
    heading = S.REPORT_WOULD_PUSH if data.get("dry_run") else S.REPORT_PUSHED
    _section(lines, ctx.localize(heading), pushed)
    waiting = [f"{_item_line(p)}: {p.get('to')}" for p in data.get("kodi_only_items") or []]
    _section(lines, ctx.localize(S.REPORT_KODI_ONLY), waiting)
    for string_id, key in ITEM_SECTIONS:
        entries = []
        for item in data.get(key) or []:
            reason = item.get("reason")
            entries.append(f"{_item_line(item)}: {reason}" if reason else _item_line(item))
        _section(lines, ctx.localize(string_id), entries)
    return "\n".join(lines)
