"""Fault tests: the connection to Kodi dies in the middle of the writes, in the runner (HTTP)
and in the add-on (in-process). What landed is recorded, what was in flight is checked by the
next run, and the next run converges: a later un-rating on Simkl clears every value written."""

from __future__ import annotations

import json

import responses
from simkl_ratings.kodi import script

from .cli_env import Cli
from .test_shell import MOVIES, SHOWS, library


def state(path) -> dict:
    with open(path) as stream:
        return json.load(stream)


def test_the_runner_keeps_what_landed_when_the_connection_drops_mid_write(cli: Cli):
    cli.sign_in()
    cli.web.drop_replies_after = 1  # batch 1 answers; batch 2 lands, its answer is lost
    dropped = cli("sync", "--batch-size", "2")
    assert dropped.code == 5
    assert "cannot reach" in dropped.err
    saved = state(cli.state_dir / "sync_state.json")
    assert len(saved["written"]) == 2 and len(saved["uncertain"]) == 2
    cli.web.drop_replies_after = None
    assert cli("sync").code == 0
    saved = state(cli.state_dir / "sync_state.json")
    assert len(saved["written"]) == 5 and saved["uncertain"] == {}
    cli.sandbox.remove_rating("movies", 1)  # written in the batch that answered
    cli.sandbox.remove_rating("anime", 5)  # written in the batch whose answer was lost
    assert cli("sync").code == 0
    assert cli.ratings()["Maleficent"] == 0 and cli.ratings()["Hunter x Hunter"] == 0


@responses.activate
def test_the_add_on_keeps_what_landed_when_kodi_stops_answering_mid_write(env):
    env.sign_in_stored()
    library(env)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    env.state.settings["batch_size"] = "1"
    env.kodi.fail_batches_after = 1
    script.main(["default.py", "sync"])
    report = env.report()
    assert report["error_code"] == "kodi_unreachable"
    assert report["types"]["movies"]["updated"] == 1  # what landed is counted too
    saved = state(f"{env.profile}/sync_state.json")
    assert list(saved["written"]) == ["movie:1"]
    env.kodi.fail_batches_after = None
    script.main(["default.py", "sync"])
    assert env.report()["result"] == "ok"
    assert len(state(f"{env.profile}/sync_state.json")["written"]) == 2
