"""Real Kodi against Simkl replies shaped like the real ones (anime without `anime_type`), and
no run lock held while a dialog waits for the user."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sandbox.accounts import rated
from tests.sandbox.simkl_sandbox import SimklSandbox

from .addon_driver import ADDON_ID, AddonDriver
from .host import mtime_ns, wait_for, wait_for_file_change
from .library_gen import LibrarySpec
from .simkl_account import Account

LATER = "2026-03-09T10:00:00Z"
UNRATED_FILM = "E2E Movie 06"  # in the library, not rated on Simkl
TEXT_VIEWER = "Window.IsVisible(textviewer)"


def _untyped_anime(simkl: int, title: str, year: int, rating: int, ids: dict, episodes: int):
    """An anime row as Simkl really sends it: no anime_type, episode counts."""
    return rated(simkl, title, year, rating, ids, LATER, episodes=episodes)


def test_an_unowned_anime_series_never_lands_on_a_film_with_its_tmdb_number(
    pristine_kodi, signed_in: AddonDriver, sandbox: SimklSandbox, account: Account, kodi_spec
):
    film = kodi_spec.movie(UNRATED_FILM)
    ids = {"mal": "90001", "anidb": "90001", "tmdb": film.uniqueids["tmdb"]}
    sandbox.add_item("anime", _untyped_anime(3901, "E2E Unowned Anime", 1997, 10, ids, 25))
    report = signed_in.run("sync")
    assert report["result"] == "ok", report
    ratings = signed_in.ratings()
    assert ratings[("movie", UNRATED_FILM)] == 0  # the film's tmdb number is another entry
    assert report["types"]["anime"]["kind_unknown"] == 1
    assert [i["title"] for i in report["kind_unknown_items"]] == ["E2E Unowned Anime"]
    for key, expected in account.expected.items():
        assert ratings[key] == expected, key
    assert report["kodi_writes"] == len(account.expected)


def test_an_anime_found_by_imdb_lands_on_its_show_though_a_film_shares_its_tmdb(
    pristine_kodi, signed_in: AddonDriver, sandbox: SimklSandbox, kodi_spec: LibrarySpec
):
    show, film = kodi_spec.show("E2E Show 02"), kodi_spec.movie(UNRATED_FILM)
    sandbox.remove_rating("shows", 2002)  # Simkl files it as anime now
    ids = {"imdb": show.uniqueids["imdb"], "mal": "90002", "tmdb": film.uniqueids["tmdb"]}
    sandbox.add_item("anime", _untyped_anime(3902, show.title, show.year, 9, ids, 3))
    report = signed_in.run("sync")
    assert report["result"] == "ok", report
    ratings = signed_in.ratings()
    assert ratings[("tvshow", show.title)] == 9
    assert ratings[("movie", film.title)] == 0
    assert report["types"]["anime"]["conflicts"] == 0
    assert report["types"]["anime"]["kind_unknown"] == 0


def test_a_service_sync_is_not_refused_while_the_preview_viewer_is_open(
    pristine_kodi, signed_in: AddonDriver, test_output: Path
):
    assert signed_in.run("sync")["result"] == "ok"  # the cache a scan-time run rates from
    preview = signed_in.run("preview")
    assert preview["dry_run"] is True
    wait_for(
        lambda: pristine_kodi.info_booleans([TEXT_VIEWER])[TEXT_VIEWER],
        timeout=20,
        message="preview viewer open",
    )
    assert not (signed_in.profile / "sync.lock").exists()
    before = mtime_ns(signed_in.report_path)
    mark = pristine_kodi.log_mark()
    pristine_kodi.scan()  # the service rates new items after every scan, from the cache
    wait_for_file_change(signed_in.report_path, before, timeout=60)
    report = signed_in.report()
    assert (report["mode"], report["result"], report["dry_run"]) == ("cached", "ok", False)
    assert "a sync is already running" not in pristine_kodi.log_since(mark)
    assert pristine_kodi.info_booleans([TEXT_VIEWER])[TEXT_VIEWER]  # still open
    pristine_kodi.screenshot(test_output / "preview-open-service-synced.png")
    pristine_kodi.dismiss_dialogs()


def test_sync_now_when_signed_out_signs_in_and_then_syncs_in_one_action(
    pristine_kodi, addon: AddonDriver, sandbox: SimklSandbox, account: Account, issued_tokens
):
    addon.sign_out_locally()
    addon.reset_state()
    pristine_kodi.execute_addon(ADDON_ID, ["sync"])
    addon.wait_for_pin_window()
    assert not (addon.profile / "sync.lock").exists()  # no lock while the code is shown
    codes = wait_for(sandbox.pending_codes, timeout=20, message="a sign-in code")
    sandbox.approve(codes[0]["user_code"])
    wait_for_file_change(addon.report_path, None, timeout=60)
    issued_tokens.append(json.loads(addon.credentials_path.read_text())["access_token"])
    report = addon.report()
    assert report["result"] == "ok", report
    ratings = addon.ratings()
    for key, expected in account.expected.items():
        assert ratings[key] == expected, key
