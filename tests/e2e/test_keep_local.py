"""The "Keep my Kodi edits" policy in the real Kodi: a rating the user changed in Kodi survives
a new rating on Simkl; one the add-on set is still updated."""

from __future__ import annotations

import pytest

from .addon_driver import AddonDriver

KEEP_MY_KODI_EDITS = "2"  # the overwrite_policy list index


@pytest.fixture
def addon_settings(sandbox_settings) -> dict[str, str]:
    return {**sandbox_settings, **{"overwrite_policy": KEEP_MY_KODI_EDITS}}


def test_a_rating_edited_in_kodi_is_kept_and_untouched_ones_follow_simkl(
    pristine_kodi, signed_in: AddonDriver, sandbox, account
):
    movies = [title for kind, title in account.expected if kind == "movie"]
    assert signed_in.run("sync")["result"] == "ok"
    signed_in.set_rating("movie", movies[0], 2)  # the user's own edit in Kodi
    sandbox.set_rating("movies", 1001, 9)
    sandbox.set_rating("movies", 1002, 10)
    pristine_kodi.install_write_counter()
    pristine_kodi.reset_write_counter()
    report = signed_in.run("sync")
    ratings = signed_in.ratings()
    assert ratings[("movie", movies[0])] == 2
    assert ratings[("movie", movies[1])] == 10
    assert report["types"]["movies"]["kept_local"] == 1
    assert report["kodi_writes"] == pristine_kodi.write_count() == 1
