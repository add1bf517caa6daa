"""Redaction by construction: every report, log line, output line and dialog text of both shells
passes through core/redact.py.

Two ways to hold it: the code is read (every writer of text for people is found by its shape,
and each must hand over `redact(...)`, or be one of the few listed stores that are no text for
people), so a new writer that skips the redactor fails here; and both shells are run with known
secrets (tokens, the Kodi password, a device code) planted into every error path they have,
then every file, log line, output line and dialog they produced is searched for them."""

from __future__ import annotations

import ast
import io
import json
import logging
import os
from pathlib import Path

import pytest
import responses
from simkl_ratings.cli import main as cli_main
from simkl_ratings.core.redact import MASK, redact, redact_data, remember_secret
from simkl_ratings.core.simkl.client import ALL_RATINGS
from simkl_ratings.core.simkl.credentials import Credentials, CredentialStore
from simkl_ratings.core.sync.report import Report, save_report
from simkl_ratings.kodi import log as kodi_log
from simkl_ratings.kodi import script, service, ui

from .cli_env import PASSWORD, Cli
from .conftest import movie_row
from .engine_env import row
from .shell_env import ACTIVITIES, API

LIB = Path(__file__).resolve().parents[2] / "lib" / "simkl_ratings"

# -- the code, read --------------------------------------------------------------------------

SAFE_CALLS = {"redact", "redact_data"}
# Writers that write no text for people, each with why; anything else hands over redact(...).
STORES = {
    ("core/simkl/credentials.py", "save"): "the sign-in itself: it must keep its secrets",
    ("core/sync/state.py", "save"): "the sync state: Simkl's data as it came, read back",
    ("core/simkl/quota.py", "block"): "a time and one of Simkl's two quota words",
    ("core/simkl/quota.py", "first_notice"): "the same file, marked as told",
    ("core/simkl/flows.py", "remember"): "which sign-in flow a client id speaks",
}
RAW_WRITES = {
    ("core/files.py", "write_json_atomic"): "the JSON writer itself (its callers are checked)",
    ("core/lockfile.py", "_write"): "a lock file: random tokens, a boot id and clock readings",
    ("core/lockfile.py", "_create_plain"): "the same lock file, where hard links are missing",
    ("core/qr.py", "write_qr_png"): "a PNG image",
    ("core/sync/lock.py", "acquire"): "the run lock's owner record",
    ("kodi/context.py", "kodi_transport"): "a JSON-RPC request to Kodi",
}
LOG_HANDLERS = {
    ("cli/main.py", "_setup_logging"): "its formatter is _RedactingFormatter",
}


def _safe(node: ast.AST) -> bool:
    """Text that went through the redactor, or a literal."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        return name in SAFE_CALLS
    if isinstance(node, ast.BinOp):
        return _safe(node.left) and _safe(node.right)
    if isinstance(node, ast.JoinedStr):
        return all(
            _safe(v.value) if isinstance(v, ast.FormattedValue) else _safe(v) for v in node.values
        )
    return False


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return _dotted(node.func) + "()"
    return "?"


def _json_ok(call: Call) -> bool:
    """JSON text is the JSON writer's own, a raw write, redacted data, or handed straight to
    the runner's `say` (which redacts)."""
    if call.site[0] == "core/files.py" or call.site in RAW_WRITES or call.safe(0):
        return True
    return call.parent_name.endswith("say")


def _write_ok(call: Call) -> bool:
    receiver = call.name.rsplit(".", 1)[0]
    exempt = receiver == "self" or receiver.endswith("library")  # not streams: the engine's
    return exempt or call.safe(0) or call.site in RAW_WRITES


class Call:
    """One call in the code: its dotted name, where it is, and its arguments."""

    def __init__(self, node: ast.Call, site: tuple[str, str], parent: ast.AST | None) -> None:
        self.node, self.site = node, site
        self.name = _dotted(node.func)
        self.parent_name = _dotted(parent.func) if isinstance(parent, ast.Call) else ""

    def safe(self, index: int) -> bool:
        args = self.node.args
        return len(args) > index and _safe(args[index])


# (which calls, when they are fine, what is wrong otherwise)
RULES = [
    (lambda name: name == "print", lambda call: False, "print"),
    (
        lambda name: name == "xbmc.log",
        lambda call: call.site[0] == "kodi/log.py" and call.safe(0),
        "kodi.log only through kodi/log.py, redacted",
    ),
    (lambda name: name.endswith((".write", ".setLabel")), _write_ok, "text that skipped redact()"),
    (
        lambda name: name.endswith(".update") and "dialog" in name,
        lambda call: all(map(_safe, call.node.args[1:])),
        "a progress text that skipped redact()",
    ),
    (lambda name: name in ("json.dump", "json.dumps"), _json_ok, "JSON that skipped redact_data()"),
    (
        lambda name: name == "write_json_atomic",
        lambda call: call.safe(1) or call.site in STORES,
        "a file of text for people that skipped redact_data()",
    ),
    (
        lambda name: (
            name.startswith("logging.")
            and "(" not in name  # a handler made, not one removed from a logger
            and name.endswith(("Handler", "basicConfig"))
        ),
        lambda call: call.site in LOG_HANDLERS,
        "a log handler that may not redact",
    ),
]


def violations(source: str, where: str) -> list[str]:
    """Every writer in `source` (the module at `where`, relative to lib/simkl_ratings) that
    does not go through the redactor."""
    found = []
    parents: dict[ast.AST, ast.AST] = {}
    tree = ast.parse(source)
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent

    def function_of(node: ast.AST) -> str:
        while node in parents:
            node = parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node.name
        return "<module>"

    for node in ast.walk(tree):
        dialog = (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("Dialog")
            and _dotted(node.value) == "xbmcgui"
        )
        if dialog and where != "kodi/ui.py":
            found.append(f"{where}:{node.lineno} {_dotted(node)}: use kodi/ui.py's Dialog")
        if not isinstance(node, ast.Call):
            continue
        call = Call(node, (where, function_of(node)), parents.get(node))
        for applies, fine, problem in RULES:
            if applies(call.name) and not fine(call):
                found.append(f"{where}:{node.lineno} {call.name}: {problem}")
    return found


def test_every_writer_in_both_shells_and_the_core_goes_through_the_redactor():
    found = []
    for path in sorted(LIB.rglob("*.py")):
        where = path.relative_to(LIB).as_posix()
        found += violations(path.read_text(encoding="utf-8"), where)
    assert found == []


def test_the_listed_exceptions_still_exist():
    """A store or writer listed above that moved or went away is a stale exemption."""
    sites = {**STORES, **RAW_WRITES, **LOG_HANDLERS}
    for where, function in sites:
        tree = ast.parse((LIB / where).read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert function in names, (where, function)


@pytest.mark.parametrize(
    ("snippet", "where"),
    [
        ("def f(stream, e):\n    stream.write(f'failed: {e}')\n", "cli/output.py"),
        ("def f(e):\n    print(e)\n", "cli/sync.py"),
        ("def f(e):\n    xbmc.log(str(e))\n", "kodi/runner.py"),
        ("def f(e):\n    xbmc.log(f'[x] {e}')\n", "kodi/log.py"),
        ("def f(ctx, e):\n    xbmcgui.Dialog().ok(ctx.name, str(e))\n", "kodi/login.py"),
        ("def f(path, r):\n    write_json_atomic(path, r.to_dict())\n", "core/sync/report.py"),
        ("def f(s):\n    h = logging.StreamHandler(s)\n", "cli/status.py"),
        ("def f(self, t):\n    self.dialog.update(5, t)\n", "kodi/ui.py"),
        ("def f(c, t):\n    c.setLabel(t)\n", "kodi/pin_dialog.py"),
    ],
)
def test_a_new_writer_that_skips_the_redactor_is_found(snippet, where):
    assert violations(snippet, where) != []


@pytest.mark.parametrize(
    ("snippet", "where"),
    [
        ("def f(stream, e):\n    stream.write(redact(f'failed: {e}') + '\\n')\n", "cli/x.py"),
        ("def f(e):\n    xbmc.log(redact(f'[x] {e}'), 1)\n", "kodi/log.py"),
        ("def f(path, r):\n    write_json_atomic(path, redact_data(r))\n", "core/x.py"),
    ],
)
def test_a_writer_that_redacts_passes(snippet, where):
    assert violations(snippet, where) == []


# -- the redactor ------------------------------------------------------------------------------


def test_a_path_ending_in_token_keeps_the_words_after_it():
    assert redact("POST /oauth2/token: Simkl answered with a redirect") == (
        "POST /oauth2/token: Simkl answered with a redirect"
    )
    assert redact("token: abcdef123") == "token: ***"


def test_what_comes_out_can_always_be_written_as_utf8():
    """A lone surrogate (a \\ud800 escape in a reply's JSON) must not break a log or a file."""
    text = redact("title \ud800 end")
    text.encode("utf-8")
    assert "title" in text and "end" in text


def test_every_string_of_a_report_is_masked_keys_and_nested_ones_too():
    token = "simkl_at_" + "k" * 30
    data = {"a": [token, {"title": f"x {token}"}], token: 1, "n": 5, "none": None}
    masked = redact_data(data)
    assert token not in json.dumps(masked)
    assert masked["n"] == 5 and masked["none"] is None


def test_a_stored_sign_in_is_masked_by_value_whatever_its_shape(tmp_path):
    odd = "OpaqueTokenWithNoShape-0042"
    CredentialStore(str(tmp_path)).save(Credentials(access_token=odd, refresh_token="Rf-" + odd))
    CredentialStore(str(tmp_path)).load()
    assert redact(f"x {odd} y Rf-{odd}") == f"x {MASK} y {MASK}"


def test_the_report_writer_masks_every_string_not_only_the_error(tmp_path):
    token = "simkl_rt_" + "q" * 30
    report = Report(error=f"failed {token}")
    report.unmatched_items.append({"title": f"Film {token}", "ids": {"imdb": token}})
    report.failed_items.append({"title": "t", "error": f"Kodi said {token}"})
    path = tmp_path / "last_sync.json"
    save_report(str(path), report)
    assert token not in path.read_text()
    assert report.unmatched_items[0]["title"] == f"Film {token}"  # the run's own data is intact


# -- both shells, with secrets planted in every error path --------------------------------------


def test_the_runner_shows_no_secret_anywhere(cli: Cli, monkeypatch):
    """Tokens and the Kodi password in titles (report, preview, JSON), in Simkl's error word,
    in Kodi's error text (failed writes), and in a bug's traceback; debug logging on."""
    grant = cli.sign_in("media:read")
    access, refresh = grant["access_token"], grant["refresh_token"]
    secrets = [access, refresh, PASSWORD]
    title = f"Leak {access} {refresh} {PASSWORD}"
    cli.sandbox.add_item("movies", row(70, title, 2001, 7, imdb="tt0000070"))
    cli.kodi.add_movie(title, 2001, imdb="tt0000070")
    cli.kodi.fail_ids["movies"].add(3)
    cli.kodi.fail_detail = f"could not write with {PASSWORD} and {access}"
    cli.sandbox.add_item("movies", row(71, f"Not in Kodi {refresh}", 2001, 7, imdb="tt0000071"))
    runs = [
        cli("-vv", "preview"),
        cli("-vv", "sync"),
        cli("--json", "-vv", "sync", "--rebuild"),
        cli("--json", "status"),
        cli("status"),
    ]
    cli.sandbox.inject("/sync/activities", "429", count=None, retry_after=900, error=refresh)
    runs.append(cli("-vv", "sync"))
    cli.sandbox.clear_faults()
    cli.sandbox.inject("/sync/activities", "wrong_shape", count=None, body={"error": PASSWORD})
    runs.append(cli("-vv", "--json", "sync"))

    def bug(*args, **kwargs):
        raise RuntimeError(f"a bug holding {refresh} and {PASSWORD}")

    monkeypatch.setattr(cli_main.sync, "run", bug)
    runs.append(cli("-vv", "sync"))
    assert runs[-1].code == 1 and "internal error (a bug" in runs[-1].err
    assert "RuntimeError: a bug holding ***" in runs[-1].err
    assert any(r.code == 6 for r in runs)  # the failed writes did happen
    assert any("could not write with ***" in r.out + r.err for r in runs)
    assert f"Leak {MASK} {MASK} {MASK}" in runs[0].out  # the preview lists it, masked
    assert f"Not in Kodi {MASK}" in runs[2].out  # and the JSON report, not in the library
    for result in runs:
        for secret in secrets:
            assert secret not in result.out and secret not in result.err
    _no_secret_in_files([cli.state_dir, cli.config_dir], secrets)


# Stores, not text for people (STORES above): the sign-in itself, and the cache of Simkl's
# replies as they came (a title is kept as Simkl sent it, whatever it says).
NOT_SCANNED = ("credentials.json", "sync_state.json")


def _no_secret_in_files(folders, secrets) -> None:
    seen = 0
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file() and path.name not in NOT_SCANNED:
                seen += 1
                text = path.read_text(encoding="utf-8", errors="replace")
                for secret in secrets:
                    assert secret not in text, path.name
    assert seen, "no file was written at all"


@responses.activate
def test_the_add_on_shows_no_secret_anywhere(env, monkeypatch):
    """Tokens in titles (the report, the preview's viewer), in Simkl's error words, in a
    sign-in failure, in Kodi's error text, and in what the last-resort handlers catch."""
    access, refresh = "simkl_at_" + "s" * 30, "OpaqueRefresh-no-shape-17"
    device = "opaque-device-code-b7a1c0"
    remember_secret(device)  # as parsing a device-code reply does
    os.makedirs(env.profile, exist_ok=True)
    CredentialStore(env.profile).save(
        Credentials(access_token=access, refresh_token=refresh, client_id="shell-client")
    )
    secrets = [access, refresh, device]
    title = f"Leak {access} {refresh} {device}"
    env.kodi.add_movie("Maleficent", 2014, imdb="tt1587310")
    env.kodi.fail_ids["movies"].add(1)
    env.kodi.fail_detail = f"stack with {refresh}"
    movies = [movie_row(1, "Maleficent", 6, imdb="tt1587310"), movie_row(9, title, 8, imdb="tt9")]
    env.serve_ratings(movies=movies)
    env.state.yesno_answers = [False] * 5
    script.main(["default.py", "preview"])
    script.main(["default.py", "sync"])
    responses.reset()
    responses.get(f"{API}/sync/activities", json=ACTIVITIES)
    responses.get(
        f"{API}/sync/ratings/movies/{ALL_RATINGS}", status=400, json={"error": device[:60]}
    )
    script.main(["default.py", "rebuild"])
    env.state.later()
    script.main(["default.py", "report"])

    def bug(*args, **kwargs):
        raise RuntimeError(f"a bug holding {access} and {refresh}")

    monkeypatch.setattr(script, "AddonContext", bug)
    script.main(["default.py", "sync"])
    monkeypatch.setattr(service, "SyncService", bug)
    service.main()
    log = env.log_text()
    assert "unexpected RuntimeError at" in log and "a bug holding ***" in log
    assert "service stopped on RuntimeError: a bug holding ***" in log
    shown = [json.dumps(n) for n in env.state.notifications]
    shown += [" ".join(d) for d in env.state.dialogs]
    shown += [text for p in env.state.progress for _, text in p.updates]
    assert any("Leak ***" in text for text in shown)  # the preview's viewer listed it
    for text in [log, *shown]:
        for secret in secrets:
            assert secret not in text
    _no_secret_in_files([env.profile], secrets)


def test_kodi_s_dialogs_mask_every_text_they_show(env):
    token = "simkl_rt_" + "d" * 30
    dialog = ui.Dialog()
    dialog.ok(f"h {token}", f"m {token}")
    dialog.yesno(f"h {token}", f"m {token}")
    dialog.select(f"h {token}", [f"a {token}", "b"])
    dialog.textviewer(f"h {token}", f"t {token}")
    dialog.notification(f"h {token}", f"m {token}", "icon.png", 5000, False)
    shown = json.dumps([env.state.dialogs, env.state.notifications])
    assert token not in shown
    assert shown.count(MASK) == 10


def test_both_log_handlers_mask(env):
    token = "simkl_at_" + "l" * 30
    logger = logging.getLogger("simkl_ratings.test")
    kodi_log.setup_logging(debug=True)
    logger.error("Kodi side %s", token)
    assert token not in env.log_text() and "Kodi side ***" in env.log_text()
    stream = io.StringIO()
    handler = cli_main._setup_logging(2, stream)
    try:
        logging.getLogger("simkl_ratings").propagate = False
        logger.error("runner side %s", token)
    finally:
        logging.getLogger("simkl_ratings").removeHandler(handler)
    assert token not in stream.getvalue() and "runner side ***" in stream.getvalue()
