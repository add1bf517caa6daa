"""`login` and the terminal drawing: the core's device flow with a QR code, the text fallback,
and the progress bar that only a terminal sees."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pyqrcode
import pytest
from simkl_ratings.cli import terminal
from simkl_ratings.cli.main import main
from simkl_ratings.cli.paths import Paths
from simkl_ratings.core.simkl.client import RetryPolicy
from simkl_ratings.core.sync.run import Stage

from tests.sandbox.simkl_sandbox import SimklSandbox

from .cli_env import mode
from .engine_env import ACCOUNT, CLIENT


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def fast_sandbox():
    """Approves a code at its second poll, polled every 50 ms."""
    with SimklSandbox(
        ACCOUNT, client_ids=(CLIENT,), pin_interval=0.05, approve_after_polls=1
    ) as sb:
        yield sb


def run(sandbox, tmp_path, *argv, stdout=None):
    out, err = stdout or io.StringIO(), io.StringIO()
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "SIMKL_RATINGS_CLIENT_ID": CLIENT,
        "SIMKL_RATINGS_API_URL": sandbox.url,
        "NO_COLOR": "1",
    }
    code = main(list(argv), env=env, stdout=out, stderr=err, retry=RetryPolicy(retries=0))
    return code, out.getvalue(), err.getvalue()


def test_login_shows_code_address_and_a_scannable_qr_code_then_stores_the_sign_in(
    fast_sandbox, tmp_path
):
    code, out, err = run(fast_sandbox, tmp_path, "login", "--qr")
    assert code == 0, err
    user_code = re.search(r"^\s{4}(\S+)$", out, re.M).group(1)
    assert "open https://simkl.com/pin on any device" in out
    assert "Signed in to Simkl as" in out
    blocks = set("\u2580\u2584\u2588 ")
    qr_rows = [line for line in out.splitlines() if len(line) > 20 and set(line) <= blocks]
    drawn = terminal.matrix_from_lines(qr_rows)
    expected = pyqrcode.create(f"https://simkl.com/pin?user_code={user_code}", error="M").code
    assert drawn == [list(row) for row in expected]
    creds_path = tmp_path / "config" / "simkl-ratings-sync" / "credentials.json"
    creds = json.loads(creds_path.read_text())
    assert creds["auth_version"] == 2 and creds["account_id"] == 7
    assert mode(creds_path) == 0o600
    for secret in fast_sandbox.secrets_issued():
        assert secret not in out + err


def test_login_without_a_terminal_prints_the_code_as_text_only(fast_sandbox, tmp_path):
    code, out, _err = run(fast_sandbox, tmp_path, "login")
    assert code == 0
    assert "enter the code" in out
    assert "\u2580" not in out and "\u2584" not in out


def test_login_with_json_keeps_stdout_for_the_result(fast_sandbox, tmp_path):
    code, out, err = run(fast_sandbox, tmp_path, "login", "--json")
    assert code == 0
    assert json.loads(out) == {
        "signed_in": True,
        "account_id": 7,
        "account_name": "engine",
        "auth_version": 2,
    }
    assert "enter the code" in err


def test_a_refused_login_exits_3_and_stores_nothing(tmp_path):
    with SimklSandbox(ACCOUNT, client_ids=(CLIENT,), pin_interval=0.05) as sandbox:
        import threading  # noqa: PLC0415

        def deny_when_asked() -> None:
            for _ in range(200):
                if sandbox.pending_codes():
                    sandbox.deny()
                    return
                threading.Event().wait(0.02)

        worker = threading.Thread(target=deny_when_asked)
        worker.start()
        code, _out, err = run(sandbox, tmp_path, "login")
        worker.join()
    assert code == 3
    assert "refused" in err
    assert not (tmp_path / "config" / "simkl-ratings-sync" / "credentials.json").exists()


def test_login_without_a_client_id_is_a_usage_error(fast_sandbox, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    env = {"XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s")}
    assert main(["login"], env=env, stdout=out, stderr=err) == 2
    assert "client_id" in err.getvalue()


def test_the_qr_drawing_round_trips_and_colour_forces_black_on_white():
    matrix = pyqrcode.create("https://simkl.com/pin?user_code=ABCD1234", error="M").code
    plain = terminal.qr_lines(matrix, colour=False)
    assert terminal.matrix_from_lines(plain) == [list(row) for row in matrix]
    side = len(matrix) + 2 * terminal.QUIET_ZONE
    assert all(len(line) == side for line in plain)
    assert len(plain) == (side + 1) // 2  # two modules per character row
    coloured = terminal.qr_lines(matrix, colour=True)
    assert all(line.startswith(terminal.BLACK_ON_WHITE) for line in coloured)
    with pytest.raises(ValueError):
        terminal.qr_lines([[1, 0]], colour=False)


def test_colour_only_on_a_terminal_that_wants_it():
    assert terminal.wants_colour(Tty(), {"TERM": "xterm"})
    assert not terminal.wants_colour(Tty(), {"NO_COLOR": "1"})
    assert not terminal.wants_colour(Tty(), {"TERM": "dumb"})
    assert not terminal.wants_colour(io.StringIO(), {})


def test_the_progress_bar_draws_on_a_terminal_only_and_not_too_often():
    now = [0.0]
    tty = Tty()
    bar = terminal.ProgressBar(tty, clock=lambda: now[0])
    bar.update(10, Stage.FETCH, "movies")
    bar.update(20, Stage.FETCH, "shows")  # within 0.2 s: skipped
    now[0] = 1.0
    bar.update(60, Stage.WRITE, "100/200")
    bar.update(100, Stage.WRITE, "200/200")  # the end is always drawn
    bar.close()
    text = tty.getvalue()
    assert " 10% downloading movies" in text and "shows" not in text
    assert " 60% writing 100/200" in text and "100% writing 200/200" in text
    assert text.endswith("\r")
    pipe = io.StringIO()
    quiet = terminal.ProgressBar(pipe)
    quiet.update(50, Stage.READ, "movies")
    quiet.close()
    assert pipe.getvalue() == ""


def test_the_progress_bar_reports_the_interrupt_to_the_engine():
    flag = [False]
    bar = terminal.ProgressBar(io.StringIO(), interrupted=lambda: flag[0])
    assert not bar.cancelled()
    flag[0] = True
    assert bar.cancelled()


def test_ctrl_c_during_login_stops_the_installed_command_with_130(tmp_path):
    """The real entry point: its SIGINT handler ends the wait for approval at once."""
    root = Path(__file__).resolve().parents[2]
    with SimklSandbox(ACCOUNT, client_ids=(CLIENT,), pin_interval=0.05) as sandbox:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(root / "lib"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "SIMKL_RATINGS_CLIENT_ID": CLIENT,
            "SIMKL_RATINGS_API_URL": sandbox.url,
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "simkl_ratings.cli", "login", "--no-qr"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 20
            while not sandbox.pending_codes() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert sandbox.pending_codes()
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130
    assert "enter the code" in out and "Sign-in cancelled" in err
    assert not (tmp_path / "config" / "simkl-ratings-sync" / "credentials.json").exists()
    assert stat.S_IMODE((tmp_path / "config" / "simkl-ratings-sync").stat().st_mode) == 0o700


def test_the_folders_follow_xdg_and_default_under_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    default = Paths.from_env({})
    assert default.config_dir == str(tmp_path / ".config" / "simkl-ratings-sync")
    assert default.state_dir == str(tmp_path / ".local" / "state" / "simkl-ratings-sync")
    relative = Paths.from_env({"XDG_CONFIG_HOME": "relative/dir"})  # the spec ignores these
    assert relative.config_dir == default.config_dir
    chosen = Paths.from_env({"XDG_CONFIG_HOME": "/srv/c", "XDG_STATE_HOME": "/srv/s"})
    assert (chosen.config_dir, chosen.state_dir) == (
        "/srv/c/simkl-ratings-sync",
        "/srv/s/simkl-ratings-sync",
    )
