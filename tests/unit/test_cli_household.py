"""The command-line runner as a member of a household sharing one library: it never syncs a
Kodi that syncs its shared library itself, and it syncs for the others."""

from __future__ import annotations

from .cli_env import Cli

ROLE = "script.simkl.ratings.household"


def test_a_kodi_that_syncs_its_shared_library_itself_is_left_alone_with_exit_8(cli: Cli):
    cli.sign_in()
    cli.web.properties[ROLE] = "this-device"
    result = cli("sync")
    assert result.code == 8
    assert "Another device syncs it" in result.err
    assert "it syncs that library itself" in cli("status").out
    assert cli("status", "--json").json()["kodi"]["household"] == "this-device"
    assert cli.kodi.write_calls == 0
    assert cli.sandbox.request_count("/sync/") == 0  # Simkl was not asked anything


def test_the_runner_syncs_for_a_household_whose_kodis_leave_it_to_another_device(cli: Cli):
    cli.sign_in()
    cli.web.properties[ROLE] = "another-device"
    assert cli("sync").code == 0
    assert cli.ratings()["Maleficent"] == 6
    # a Kodi rating equal to Simkl's, written by whichever device, is the sync's own now:
    cli.kodi.tables["movies"][1]["userrating"] = 6
    cli.sandbox.remove_rating("movies", 1)
    assert cli("sync").code == 0
    assert cli.ratings()["Maleficent"] == 0


def test_two_way_and_the_shared_library_come_from_flags_env_or_the_config_file(cli: Cli):
    cli.sign_in()
    result = cli("status", "--json", SIMKL_RATINGS_SHARED_LIBRARY="yes", SIMKL_RATINGS_TWO_WAY="on")
    config = result.json()["config"]
    assert config["two_way"] is True and config["shared_library"] is True
    bad = cli("sync", SIMKL_RATINGS_TWO_WAY="maybe")
    assert bad.code == 2 and "two_way must be true or false" in bad.err


def test_the_runner_sends_a_rating_changed_in_kodi_with_two_way_on(cli: Cli):
    assert cli("sync", "--two-way").code == 3  # not signed in
    cli.sign_in()
    refused = cli("sync", "--two-way")
    assert refused.code == 3 and "media:write" in refused.err  # a read-only sign-in
    cli.sign_in("media:read media:write")
    assert cli("sync", "--two-way").code == 0
    cli.kodi.tables["movies"][1]["userrating"] = 9
    assert cli("sync", "--two-way").code == 0
    assert cli.sandbox.request_count("/sync/ratings") >= 1
    (push,) = [r for r in cli.sandbox.requests if r.path == "/sync/ratings" and r.method == "POST"]
    assert push.body["movies"][0]["rating"] == 9


def test_the_runner_says_when_another_device_syncs_the_library_too(cli: Cli):
    cli.sign_in()
    cli.web.properties[ROLE] = "another-device"
    assert cli("sync").code == 0
    writes = cli.kodi.write_calls
    cli.sandbox.set_rating("movies", 1, 8)
    cli.kodi.tables["movies"][1]["userrating"] = 8  # a Kodi that syncs too wrote it first
    result = cli("sync")
    assert result.code == 0
    assert "another device seems to sync this shared library too" in result.out
    assert cli.kodi.write_calls == writes  # nothing written twice
