"""The command-line runner end to end in-process: arguments, exit codes, output, files."""

from __future__ import annotations

import json
import socket

import pytest
from simkl_ratings.cli.context import Interrupt
from simkl_ratings.cli.kodi_http import HttpTransport, jsonrpc_url
from simkl_ratings.core.errors import ConfigError
from simkl_ratings.core.sync.lock import RunLock

from .cli_env import PASSWORD, Cli, mode

EXPECTED = {"Maleficent": 6, "Your Name": 9, "Broken": 5, "The Last Ship": 5, "Hunter x Hunter": 10}


def test_help_and_version_go_to_stdout_and_exit_0(cli: Cli):
    result = cli("--help")
    assert result.code == 0
    assert "login" in result.out and "exit codes" in result.out
    version = cli("--version")
    assert version.code == 0 and version.out.startswith("simkl-ratings-sync ")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ([], "required"),
        (["bogus"], "invalid choice"),
        (["sync", "--policy", "always"], "invalid choice"),
        (["sync", "--types", "movies,books"], "types must be"),
        (["sync", "--batch-size", "0"], "batch size"),
        (["--config", "/nonexistent/config.ini", "status"], "not found"),
    ],
)
def test_usage_errors_exit_2_with_a_message_on_stderr(cli: Cli, argv, words):
    result = cli(*argv)
    assert result.code == 2
    assert words in result.err
    assert result.out == ""


def test_sync_without_a_kodi_url_is_a_usage_error(cli: Cli):
    result = cli("sync", SIMKL_RATINGS_KODI_URL="")
    assert result.code == 2
    assert "no Kodi URL" in result.err


def test_a_kodi_url_with_credentials_is_refused_without_echoing_them(cli: Cli):
    url = cli.web.url.replace("http://", f"http://kodi:{PASSWORD}@")
    result = cli("sync", "--kodi-url", url)
    assert result.code == 2
    assert "not in the URL" in result.err
    assert PASSWORD not in result.out + result.err


def test_sync_before_login_exits_3_and_leaves_a_report(cli: Cli):
    result = cli("sync")
    assert result.code == 3
    assert "login" in result.err
    report = json.loads(cli.report_path.read_text())
    assert report["error_code"] == "signed_out"
    assert cli.kodi.write_calls == 0


def test_sync_lands_every_rating_over_http_with_basic_auth_and_reports_it(cli: Cli):
    cli.sign_in()
    result = cli("sync")
    assert result.code == 0, result.err
    assert cli.ratings() == {**EXPECTED}
    assert "5 updated" in result.out and "1 not in library" in result.out
    assert cli.web.auth_failures == 0
    report = json.loads(cli.report_path.read_text())
    assert report["result"] == "ok" and report["kodi_writes"] == 5
    again = cli("sync")
    assert again.code == 0
    assert "nothing changed on Simkl" in again.out
    assert cli.sandbox.request_count("/sync/ratings") == 3  # only the first run downloaded


def test_json_prints_the_report_and_nothing_else_on_stdout(cli: Cli):
    cli.sign_in()
    result = cli("--json", "sync")
    assert result.code == 0
    report = result.json()
    assert report["result"] == "ok"
    assert sum(counts["updated"] for counts in report["types"].values()) == 5
    assert report == json.loads(cli.report_path.read_text())
    after = cli("sync", "--json", "--rebuild")  # options after the command work too
    assert after.json()["mode"] == "rebuild"


def test_preview_lists_the_changes_and_writes_nothing(cli: Cli):
    cli.sign_in()
    result = cli("preview")
    assert result.code == 0
    assert "Nothing was written" in result.out
    assert "Maleficent (2014): none -> 6" in result.out
    assert cli.kodi.write_calls == 0
    assert set(cli.ratings().values()) == {0}


def test_options_restrict_types_and_policy(cli: Cli):
    cli.sign_in()
    cli.kodi.tables["movies"][1]["userrating"] = 3  # the user's own rating in Kodi
    result = cli("sync", "--types", "movies", "--policy", "fill-empty")
    assert result.code == 0, result.err
    ratings = cli.ratings()
    assert ratings["Maleficent"] == 3  # kept: fill-empty
    assert ratings["Broken"] == 5
    assert ratings["The Last Ship"] == 0  # shows not synced


def test_flags_beat_the_environment_which_beats_the_config_file(cli: Cli, tmp_path):
    config = tmp_path / "config.ini"
    config.write_text("[kodi]\nurl = http://127.0.0.1:9\npassword = wrong\n[sync]\ntypes = shows\n")
    config.chmod(0o600)
    cli.sign_in()
    env = {"SIMKL_RATINGS_CONFIG": str(config), "SIMKL_RATINGS_KODI_URL": ""}
    result = cli("sync", "--kodi-url", cli.web.url, **env)  # password from env, types from file
    assert result.code == 0, result.err
    assert cli.ratings()["The Last Ship"] == 5 and cli.ratings()["Maleficent"] == 0


def test_a_readable_config_file_with_a_password_is_warned_about(cli: Cli, tmp_path):
    config = tmp_path / "config.ini"
    config.write_text("[kodi]\npassword = x\n")
    config.chmod(0o644)
    result = cli("--config", str(config), "status", "--offline", SIMKL_RATINGS_KODI_PASSWORD="")
    assert "chmod 600" in result.err


def test_a_wrong_kodi_password_exits_5_before_asking_simkl_and_never_prints_it(cli: Cli):
    cli.sign_in()
    cli.sandbox.clear_requests()
    result = cli("-vv", "sync", "--kodi-password", "not-the-Password-99")
    assert result.code == 5
    assert "refused the Kodi user or password" in result.err
    assert cli.web.auth_failures == 1
    assert cli.sandbox.request_count("/sync") == 0
    text = result.out + result.err + cli.report_path.read_text()
    assert "not-the-Password-99" not in text and PASSWORD not in text
    assert json.loads(cli.report_path.read_text())["error_code"] == "kodi_auth"


def test_kodi_unreachable_exits_5(cli: Cli):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cli.sign_in()
    result = cli("sync", "--kodi-url", f"http://127.0.0.1:{port}")
    assert result.code == 5
    assert "cannot reach" in result.err and "web server" in result.err


def test_a_simkl_failure_exits_4_and_writes_nothing(cli: Cli):
    cli.sign_in()
    cli.sandbox.inject("/sync/activities", 500, count=None)
    result = cli("sync")
    assert result.code == 4
    assert "HTTP 500" in result.err
    assert cli.kodi.write_calls == 0


def test_a_revoked_sign_in_exits_3_and_is_forgotten(cli: Cli):
    cli.sign_in()
    cli.sandbox.revoke_token()
    result = cli("sync")
    assert result.code == 3
    assert not cli.credentials_path.exists()


def test_failed_writes_exit_6_and_the_rest_is_written(cli: Cli):
    cli.sign_in()
    cli.kodi.fail_ids["movies"].add(3)
    result = cli("sync")
    assert result.code == 6
    assert "failed: Broken" in result.out
    assert cli.ratings()["Maleficent"] == 6 and cli.ratings()["Broken"] == 0


def test_a_sync_already_running_exits_7(cli: Cli):
    cli.sign_in()
    cli.state_dir.mkdir(parents=True, exist_ok=True)
    holder = RunLock(str(cli.state_dir), f"cli@{socket.gethostname()}")
    assert holder.acquire("sync")
    try:
        result = cli("sync")
    finally:
        holder.release()
    assert result.code == 7
    assert cli.kodi.write_calls == 0


def test_an_interrupt_stops_the_run_with_130(cli: Cli):
    cli.sign_in()
    stop = Interrupt()
    stop.set()
    result = cli("sync", interrupt=stop)
    assert result.code == 130
    assert cli.kodi.write_calls == 0
    assert json.loads(cli.report_path.read_text())["result"] == "cancelled"


def test_a_library_scan_is_waited_for(cli: Cli, monkeypatch):
    from simkl_ratings.cli import sync as sync_command  # noqa: PLC0415

    monkeypatch.setattr(sync_command, "SCAN_POLL", 0.01)
    cli.sign_in()
    cli.web.scans_left = 2
    result = cli("sync")
    assert result.code == 0
    assert cli.web.scans_left == 0
    assert cli.ratings()["Maleficent"] == 6


def test_files_are_private_to_the_user(cli: Cli):
    cli.sign_in()
    assert cli("sync").code == 0
    assert mode(cli.config_dir) == 0o700 and mode(cli.state_dir) == 0o700
    for path in [cli.credentials_path, *cli.state_dir.iterdir()]:
        assert mode(path) == 0o600, path


def test_status_tells_account_last_sync_and_what_moved_on_simkl(cli: Cli):
    cli.sign_in()
    assert cli("sync").code == 0
    cli.sandbox.set_rating("movies", 1, 8)
    result = cli("status")
    assert result.code == 0, result.err
    assert "signed in as engine" in result.out
    assert "reachable" in result.out and "Last sync:" in result.out
    assert "ratings moved on Simkl: movies" in result.out
    data = cli("status", "--json").json()
    assert data["signed_in"] and data["kodi"]["reachable"] is True
    assert data["pending"]["simkl_moved"] == ["movies"]
    assert data["last_sync"]["result"] == "ok"
    assert data["config"]["kodi_password_set"] is True
    assert PASSWORD not in json.dumps(data)


def test_status_right_after_login_tells_the_failed_sync_was_before_the_sign_in(cli: Cli):
    assert cli("sync").code == 3  # not signed in yet
    cli.sign_in()
    data = cli("status", "--json").json()
    assert data["last_sync"]["error_code"] == "signed_out"
    assert data["last_sync"]["before_sign_in"] is True
    assert "before this sign-in" in cli("status").out
    assert cli("sync").code == 0
    assert cli("status", "--json").json()["last_sync"]["before_sign_in"] is False


def test_status_builds_the_sync_s_own_options_so_two_way_is_no_pending_change(cli: Cli):
    cli.sign_in("media:read media:write")
    assert cli("sync", SIMKL_RATINGS_TWO_WAY="1").code == 0
    pending = cli("status", "--json", SIMKL_RATINGS_TWO_WAY="1").json()["pending"]
    assert pending["options_changed"] is False
    assert pending["simkl_moved"] == []


def test_status_exits_3_when_signed_out_and_5_when_kodi_is_unreachable(cli: Cli):
    assert cli("status", "--offline").code == 3
    cli.sign_in()
    assert cli("status", "--offline").code == 0
    down = cli("status", "--kodi-url", "http://127.0.0.1:9")
    assert down.code == 5
    assert "NOT reachable" in down.out


def test_logout_revokes_a_v2_sign_in_and_forgets_it(cli: Cli):
    reply = cli.sign_in()
    result = cli("logout")
    assert result.code == 0
    assert "revoked at Simkl" in result.out
    assert not cli.credentials_path.exists()
    assert any(r.path == "/oauth2/revoke" for r in cli.sandbox.requests)
    assert reply["refresh_token"] not in result.out + result.err
    assert cli("logout").out.startswith("Not signed in")


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("http://192.168.1.20:8080", "http://192.168.1.20:8080/jsonrpc"),
        ("http://kodi.local:8080/", "http://kodi.local:8080/jsonrpc"),
        ("https://kodi.example/jsonrpc", "https://kodi.example/jsonrpc"),
        ("http://[::1]:8080/kodi", "http://[::1]:8080/kodi/jsonrpc"),
    ],
)
def test_kodi_urls_lead_to_the_jsonrpc_endpoint_over_plain_http_too(url, endpoint):
    assert jsonrpc_url(url) == endpoint


@pytest.mark.parametrize(
    "url", ["", "kodi:8080", "ftp://kodi/", "http://kodi:99999", "http://kodi/?x=1"]
)
def test_unusable_kodi_urls_are_configuration_errors(url):
    with pytest.raises(ConfigError):
        jsonrpc_url(url)


def test_the_transport_never_shows_the_password():
    transport = HttpTransport("http://127.0.0.1:8080", "kodi", PASSWORD)
    assert PASSWORD not in repr(transport)
    assert transport.session.auth == ("kodi", PASSWORD)


def test_a_web_server_without_jsonrpc_there_exits_5(cli: Cli):
    cli.sign_in()
    result = cli("sync", "--kodi-url", cli.web.url + "/elsewhere")
    assert result.code == 5
    assert "HTTP 404" in result.err


def test_a_good_sync_with_skipped_rows_leaves_stderr_empty_for_cron(cli: Cli):
    cli.sign_in()
    cli.sandbox.set_raw_rating("movies", 2, 7.5)  # a row the add-on cannot read
    result = cli("sync")
    assert result.code == 0
    assert result.err == ""  # cron mails every stderr line
    assert "1 invalid" in result.out
    report = json.loads(cli.report_path.read_text())
    assert report["skipped_items"][0]["title"] == "Not In Library"
    verbose = cli("sync", "--rebuild", "-v")
    assert "skipped a movies rating from Simkl" in verbose.err


def test_an_error_is_said_in_one_line(cli: Cli):
    cli.sign_in()
    cli.sandbox.inject("/sync/activities", 503, count=None)
    result = cli("sync")
    assert result.code == 4
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("simkl-ratings-sync: error:") and "HTTP 503" in lines[0]
