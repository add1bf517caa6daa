"""A library shared by several devices: finding out it is shared, the role each device holds,
and the rules that keep un-rating right whichever device wrote a value."""

from __future__ import annotations

import os

import pytest
import responses
from simkl_ratings.core.library.shared import SharedLibrary, parse_advanced_settings, shared_library
from simkl_ratings.core.simkl.client import ALL_RATINGS
from simkl_ratings.core.sync.household import Household, Role, Verdict
from simkl_ratings.kodi import script, service

from .engine_env import Engine
from .shell_env import ACTIVITIES, API
from .test_shell import MOVIES, SHOWS, library

MYSQL = """<advancedsettings>
  <videodatabase>
    <type>mysql</type>
    <host>192.168.1.20</host>
    <port>3307</port>
    <user>kodi</user>
    <pass>s3cret-db-pass</pass>
  </videodatabase>
</advancedsettings>"""
SQLITE = "<advancedsettings><videodatabase><type>sqlite3</type></videodatabase></advancedsettings>"


# -- finding out ---------------------------------------------------------------------------------
def test_a_mysql_video_database_is_a_shared_library_and_its_password_is_not_kept():
    shared = parse_advanced_settings(MYSQL)
    assert shared == SharedLibrary("192.168.1.20", 3307, "MyVideos")
    assert shared.where == "192.168.1.20:3307/MyVideos"
    assert "s3cret" not in repr(shared)


@pytest.mark.parametrize(
    "text",
    [
        SQLITE,
        "<advancedsettings><loglevel>1</loglevel></advancedsettings>",
        "<advancedsettings><videodatabase><type>mysql</type></videodatabase></advancedsettings>",
        "<advancedsettings><videodatabase><type>mysql",  # cut short: Kodi ignores it too
    ],
)
def test_no_usable_mysql_block_means_not_shared(text):
    assert parse_advanced_settings(text) is None


def test_the_port_and_name_default_like_kodi_and_the_users_file_wins():
    minimal = (
        "<advancedsettings><videodatabase><type>MySQL</type><host>nas</host>"
        "<name>Household</name></videodatabase></advancedsettings>"
    )
    assert parse_advanced_settings(minimal) == SharedLibrary("nas", 3306, "Household")
    assert shared_library([MYSQL, SQLITE]) is None
    assert shared_library([SQLITE, MYSQL]).host == "192.168.1.20"
    assert shared_library([MYSQL, None, "<advancedsettings/>"]).host == "192.168.1.20"


@pytest.mark.parametrize(
    ("shared", "role", "verdict"),
    [
        (None, Role.UNDECIDED, Verdict.SYNC),
        (None, Role.ANOTHER_DEVICE, Verdict.SYNC),  # a library of its own: the role is moot
        (SharedLibrary("nas", 3306, "MyVideos"), Role.UNDECIDED, Verdict.ASK),
        (SharedLibrary("nas", 3306, "MyVideos"), Role.THIS_DEVICE, Verdict.SYNC),
        (SharedLibrary("nas", 3306, "MyVideos"), Role.ANOTHER_DEVICE, Verdict.IDLE),
    ],
)
def test_only_the_chosen_device_syncs_a_shared_library(shared, role, verdict):
    household = Household(shared, role)
    assert household.verdict is verdict
    assert household.syncs is (verdict is Verdict.SYNC)


# -- the Kodi shell ------------------------------------------------------------------------------
def signed_in_on_a_shared_library(env, role: Role | None = None) -> None:
    """A signed-in device whose Kodi library (Maleficent, The Last Ship) lives in MySQL."""
    env.sign_in_stored()
    library(env)
    os.makedirs(env.state.profile_root, exist_ok=True)
    with open(os.path.join(env.state.profile_root, "advancedsettings.xml"), "w") as stream:
        stream.write(MYSQL)
    if role is not None:
        env.state.settings["household_role"] = str(int(role))


def household_property(env) -> str:
    return env.state.properties.get((10000, "script.simkl.ratings.household"), "")


@responses.activate
def test_an_undecided_service_asks_simkl_nothing_and_hints_once_without_a_dialog(env):
    signed_in_on_a_shared_library(env)
    env.state.settings.update({"startup_delay": "0", "sync_interval": "0", "two_way": "true"})
    env.state.abort_after_waits = 5
    service.main()
    assert len(responses.calls) == 0
    assert env.kodi.rating("movies", 1) == 0
    assert env.state.modal_dialogs() == []
    assert env.messages() == [
        "Shared library: open Simkl Ratings Sync to choose whether this device syncs it."
    ]
    assert household_property(env) == "undecided"


@responses.activate
def test_a_service_that_leaves_the_library_to_another_device_stays_silent(env):
    signed_in_on_a_shared_library(env, Role.ANOTHER_DEVICE)
    env.state.settings.update({"startup_delay": "0", "sync_interval": "0", "two_way": "true"})
    env.state.abort_after_waits = 5
    service.main()
    assert len(responses.calls) == 0
    assert env.state.notifications == []
    assert env.kodi.write_calls == 0
    assert household_property(env) == "another-device"
    assert not os.path.exists(os.path.join(env.profile, "last_sync.json"))


@responses.activate
def test_the_chosen_device_syncs_in_the_background_as_before(env):
    signed_in_on_a_shared_library(env, Role.THIS_DEVICE)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    env.state.settings.update({"startup_delay": "0", "sync_interval": "0"})
    env.state.abort_after_waits = 30
    service.main()
    assert env.kodi.rating("movies", 1) == 6
    assert household_property(env) == "this-device"


@responses.activate
def test_a_manual_sync_asks_once_and_a_yes_makes_this_device_the_one(env):
    signed_in_on_a_shared_library(env)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    env.state.yesno_answers = [True]
    script.main(["default.py", "sync"])
    (question,) = [text for kind, _, text in env.state.dialogs if kind == "yesno"]
    assert "192.168.1.20:3307/MyVideos" in question
    assert "s3cret" not in question
    assert env.state.settings["household_role"] == "1"
    assert env.kodi.rating("movies", 1) == 6
    script.main(["default.py", "sync"])  # asked once: the next run just syncs
    assert [kind for kind, _, _ in env.state.dialogs] == ["yesno"]


@responses.activate
def test_a_no_leaves_the_library_to_another_device_and_asks_simkl_nothing(env):
    signed_in_on_a_shared_library(env)
    env.state.yesno_answers = [False]
    script.main(["default.py", "sync"])
    assert env.state.settings["household_role"] == "2"
    assert len(responses.calls) == 0
    assert env.kodi.write_calls == 0
    assert env.messages() == [
        "This device leaves the shared library to another device. You can change this in "
        "the settings."
    ]


@responses.activate
def test_a_manual_sync_on_a_device_that_left_it_offers_to_take_over(env):
    signed_in_on_a_shared_library(env, Role.ANOTHER_DEVICE)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    env.state.yesno_answers = [False]
    script.main(["default.py", "sync"])
    assert env.state.settings["household_role"] == "2"
    assert len(responses.calls) == 0
    env.state.yesno_answers = [True]
    script.main(["default.py", "sync"])
    assert env.state.settings["household_role"] == "1"
    assert env.kodi.rating("movies", 1) == 6
    assert len(responses.calls) == 4  # activities and the three types


# -- the engine: un-rating stays right whichever device wrote the value --------------------------
def test_the_device_that_takes_over_clears_a_rating_another_device_wrote(engine, tmp_path):
    engine.run(shared_library=True)  # device A writes Maleficent = 6
    assert engine.kodi.rating("movies", 1) == 6
    device_b = Engine(engine.sandbox, engine.kodi, str(tmp_path / "device-b"))
    report = device_b.run(shared_library=True)  # B takes over: everything is already there
    assert report.kodi_writes == 0
    engine.sandbox.remove_rating("movies", 1)
    report = device_b.run(shared_library=True)
    assert engine.kodi.rating("movies", 1) == 0
    assert report.kodi_writes == 1


def test_on_a_library_of_its_own_an_equal_value_is_never_taken_as_the_sync_s(engine, tmp_path):
    engine.kodi.tables["movies"][1]["userrating"] = 6  # the user rated it in Kodi as on Simkl
    engine.run()
    engine.sandbox.remove_rating("movies", 1)
    engine.run()
    assert engine.kodi.rating("movies", 1) == 6  # not ours to clear


def test_a_second_device_syncing_the_same_library_is_noticed(engine, tmp_path):
    engine.run(shared_library=True)  # device A
    device_b = Engine(engine.sandbox, engine.kodi, str(tmp_path / "device-b"))
    device_b.run(shared_library=True)  # B syncs too (both said yes)
    engine.sandbox.set_rating("movies", 1, 8)
    assert engine.run(shared_library=True).kodi_writes == 1  # A writes the change first
    report = device_b.run(shared_library=True)
    assert report.kodi_writes == 0  # nothing written twice
    assert report.written_elsewhere == 1  # and B says another device syncs too
    assert engine.run(shared_library=True).written_elsewhere == 0  # nothing moved since


@responses.activate
def test_the_user_hears_when_two_devices_sync_one_library(env):
    signed_in_on_a_shared_library(env, Role.THIS_DEVICE)
    env.serve_ratings(movies=MOVIES, shows=SHOWS)
    script.main(["default.py", "sync"])
    env.kodi.tables["movies"][1]["userrating"] = 7  # another device wrote Simkl's new value
    responses.reset()
    moved = {**MOVIES[0], "user_rating": 7, "user_rated_at": "2026-05-14T07:00:00Z"}
    later = {**ACTIVITIES, "movies": {**ACTIVITIES["movies"], "rated_at": "2026-05-14T07:00:00Z"}}
    responses.get(f"{API}/sync/activities", json=later)
    responses.get(f"{API}/sync/ratings/movies/{ALL_RATINGS}", json={"movies": [moved, MOVIES[1]]})
    script.main(["default.py", "sync"])
    assert env.messages()[-1] == (
        "Another device seems to sync this shared library too. Keep one: set the others to "
        "'Another device syncs it'."
    )
    assert env.report()["written_elsewhere"] == 1
