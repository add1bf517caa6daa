"""Smoke tests proving the real-Kodi harness itself (not the Simkl add-on).

They run against the session Kodi from conftest.py; the add-on under test here is the dummy
script+service add-on from dummy_addon.py, installed from a zip like a user would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from pathlib import Path

import pytest

from .addon_install import InstalledAddon
from .dummy_addon import (
    DELIBERATE_ERROR,
    DONE_PROPERTY,
    DUMMY_ID,
    RUN_FILE,
    SERVICE_FILE,
    build_dummy_addon_zip,
)
from .evidence import png_size
from .jsonrpc_client import iter_json_values
from .kodi_harness import (
    KodiInstance,
    LibrarySpec,
    kodi_package_version,
    kodi_python_version,
    mtime_ns,
    wait_for,
    wait_for_file_change,
)

pytestmark = pytest.mark.kodi

GREETING = "hi from the harness"
# The Python each Debian Kodi embeds (Kodi 21.3 in sid: the Python Kodi 22 ships with)
EMBEDDED_PYTHON = {"19.1": "3.9", "20.1": "3.11", "21.2": "3.13", "21.3": "3.14"}


@pytest.fixture
def addon_zip(tmp_path: Path) -> Path:
    """Install the dummy add-on instead of dist/script.simkl.ratings-*.zip."""
    return build_dummy_addon_zip(tmp_path)


@pytest.fixture
def addon_settings() -> Mapping[str, object]:
    return {"greeting": GREETING}


def by_title(items: list[dict]) -> dict[str, dict]:
    return {item["title"]: item for item in items}


def test_tcp_stream_parser_splits_concatenated_values() -> None:
    """Kodi's TCP stream has no framing: values must be split and partial ones kept."""
    stream = '{"id":1,"result":"pong"}{"method":"X.On","params":{}}[{"id":2}]  {"id":3,"res'
    values, rest = iter_json_values(stream)
    assert values == [
        {"id": 1, "result": "pong"},
        {"method": "X.On", "params": {}},
        [{"id": 2}],
    ]
    assert rest == '{"id":3,"res'


def test_library_matches_spec(kodi: KodiInstance, kodi_spec: LibrarySpec) -> None:
    assert kodi.library_counts() == {
        "movies": len(kodi_spec.movies),
        "tvshows": len(kodi_spec.shows),
        "episodes": len(kodi_spec.episodes),
    }
    movies = by_title(kodi.get_movies())
    for spec in kodi_spec.movies:
        got = movies[spec.title]
        assert (got["year"], got["uniqueid"]) == (spec.year, spec.uniqueids)
        assert got["imdbnumber"] == spec.imdbnumber  # the default id, "" if none marked
    shows = by_title(kodi.get_tvshows())
    for spec in kodi_spec.shows:
        got = shows[spec.title]
        assert (got["year"], got["uniqueid"]) == (spec.year, spec.uniqueids)
        assert got["imdbnumber"] == spec.imdbnumber
    show_titles = {s["tvshowid"]: s["title"] for s in shows.values()}
    episodes = {
        (show_titles[e["tvshowid"]], e["season"], e["episode"]): e["uniqueid"]
        for e in kodi.get_episodes()
    }
    expected = {(s.title, e.season, e.episode): e.uniqueids for s, e in kodi_spec.episodes}
    assert episodes == expected


def test_anidb_uniqueid_is_imported_from_nfo(kodi: KodiInstance, kodi_spec: LibrarySpec) -> None:
    """Kodi 20.1 keeps arbitrary uniqueid types from NFOs, including anidb-only shows."""
    anidb_only = [s for s in kodi_spec.shows if set(s.uniqueids) == {"anidb"}]
    assert anidb_only, "the standard spec must contain an anidb-only series"
    shows = by_title(kodi.get_tvshows())
    for spec in anidb_only:
        assert shows[spec.title]["uniqueid"] == spec.uniqueids
        assert shows[spec.title]["imdbnumber"] == spec.uniqueids["anidb"]
    movies = by_title(kodi.get_movies())
    for spec in (m for m in kodi_spec.movies if "anidb" in m.uniqueids):
        assert movies[spec.title]["uniqueid"]["anidb"] == spec.uniqueids["anidb"]


def test_userrating_batch_bad_elements_fail_alone(
    pristine_kodi: KodiInstance, kodi_spec: LibrarySpec
) -> None:
    kodi = pristine_kodi
    movies = by_title(kodi.get_movies())
    shows = by_title(kodi.get_tvshows())
    episode = kodi.get_episodes()[0]
    first, second = (movies[m.title]["movieid"] for m in kodi_spec.movies[:2])
    show_id = shows[kodi_spec.shows[0].title]["tvshowid"]
    answers = kodi.batch(
        [
            ("VideoLibrary.SetMovieDetails", {"movieid": first, "userrating": 8}),
            ("VideoLibrary.SetMovieDetails", {"movieid": 999999, "userrating": 5}),
            ("VideoLibrary.SetTVShowDetails", {"tvshowid": show_id, "userrating": 6}),
            ("VideoLibrary.SetMovieDetails", {"movieid": second, "userrating": "7"}),
            (
                "VideoLibrary.SetEpisodeDetails",
                {"episodeid": episode["episodeid"], "userrating": 3},
            ),
        ]
    )
    assert [a.ok for a in answers] == [True, False, True, False, True]
    assert [a.result for a in answers if a.ok] == ["OK", "OK", "OK"]
    bad_id, bad_type = answers[1].error, answers[3].error
    assert bad_id is not None and (bad_id.code, bad_id.data) == (-32602, None)
    assert bad_type is not None and bad_type.code == -32602
    assert bad_type.data["stack"]["name"] == "userrating"
    ratings = {m["movieid"]: m["userrating"] for m in kodi.get_movies()}
    assert (ratings[first], ratings[second]) == (8, 0)
    assert by_title(kodi.get_tvshows())[kodi_spec.shows[0].title]["userrating"] == 6
    details = kodi.call(
        "VideoLibrary.GetEpisodeDetails",
        {"episodeid": episode["episodeid"], "properties": ["userrating"]},
    )
    assert details["episodedetails"]["userrating"] == 3


def test_restore_db_resets_a_rating(kodi: KodiInstance) -> None:
    movie_id = kodi.get_movies()[0]["movieid"]
    kodi.call("VideoLibrary.SetMovieDetails", {"movieid": movie_id, "userrating": 9})

    def rating() -> int:
        params = {"movieid": movie_id, "properties": ["userrating"]}
        return kodi.call("VideoLibrary.GetMovieDetails", params)["moviedetails"]["userrating"]

    assert rating() == 9
    seconds = kodi.restore_db()
    assert rating() == 0
    assert seconds < 20, f"restore cycle took {seconds:.1f}s"


def test_write_counter_counts_every_set_call(pristine_kodi: KodiInstance) -> None:
    """Unchanged values and ``null`` still rewrite the row; tvshow calls count once."""
    kodi = pristine_kodi
    kodi.install_write_counter()
    movie_id = kodi.get_movies()[0]["movieid"]
    show_id = kodi.get_tvshows()[0]["tvshowid"]
    episode_id = kodi.get_episodes()[0]["episodeid"]
    for value in (7, 7, None):
        kodi.call("VideoLibrary.SetMovieDetails", {"movieid": movie_id, "userrating": value})
    kodi.call("VideoLibrary.SetTVShowDetails", {"tvshowid": show_id, "userrating": 5})
    kodi.call("VideoLibrary.SetEpisodeDetails", {"episodeid": episode_id, "userrating": 2})
    assert (kodi.write_count("movie"), kodi.write_count("tvshow")) == (3, 1)
    assert kodi.write_count("episode") == 1
    assert kodi.write_log() == [
        ("movie", movie_id, None, 7),
        ("movie", movie_id, 7, 7),
        ("movie", movie_id, 7, 7),
        ("tvshow", show_id, None, 5),
        ("episode", episode_id, None, 2),
    ]
    kodi.reset_write_counter()
    assert kodi.write_count() == 0


def test_dummy_addon_runs_with_module_addons(
    kodi: KodiInstance, installed_addon: InstalledAddon, kodi_spec: LibrarySpec
) -> None:
    profile = installed_addon.profile_dir
    wait_for((profile / SERVICE_FILE).exists, 10, message="service did not start")
    run_file = profile / RUN_FILE
    old_mtime, old_signal = mtime_ns(run_file), kodi.window_property(DONE_PROPERTY)

    kodi.execute_addon(DUMMY_ID, ["mode=sync", "two words"])
    wait_for(lambda: kodi.window_property(DONE_PROPERTY) != old_signal, 15)
    wait_for_file_change(run_file, old_mtime, 5)

    run = json.loads(run_file.read_text())
    assert run["argv"] == ["default.py", "mode=sync", "two words"]
    # The bundled module add-on copy, also where Debian's python3-requests is installed: the
    # harness puts the module add-ons' lib folders first (PYTHONPATH for kodi.bin).
    assert run["requests_file"].startswith(str(kodi.addons_dir / "script.module.requests"))
    assert run["kodi_six_file"].startswith(str(kodi.addons_dir / "script.module.kodi-six"))
    assert (run["kodi_six_is_xbmc"], run["py2_roundtrip"]) == (True, "Ümlaut")
    assert run["greeting"] == GREETING  # settings.xml written before start was read
    assert run["python"].startswith(kodi_python_version() + ".")  # the libpython Kodi links
    python = EMBEDDED_PYTHON.get(kodi_package_version())
    assert python is None or run["python"].startswith(python + "."), run["python"]
    ping, movies, bad = run["batch"]
    assert ping["result"] == "pong"
    assert movies["result"]["limits"]["total"] == len(kodi_spec.movies)
    assert bad["error"]["code"] == -32602


def test_service_autostarts_after_restart(
    kodi: KodiInstance, installed_addon: InstalledAddon
) -> None:
    marker = installed_addon.profile_dir / SERVICE_FILE
    before = wait_for(partial(mtime_ns, marker), 10, message="service never started")
    kodi.restart()
    assert kodi.last_exit_code == 0  # Application.Quit ended Kodi cleanly
    wait_for_file_change(marker, before, 15)
    assert json.loads(marker.read_text())["started"] > 0


def test_screenshot_is_a_real_png(kodi: KodiInstance, test_output: Path) -> None:
    shot = kodi.screenshot(test_output / "home.png")
    assert png_size(shot.path) == (1280, 720) == (shot.width, shot.height)
    assert shot.path.stat().st_size > 10_000
    assert shot.distinct_colours > 20, "screen looks blank: Kodi did not render"


@pytest.mark.kodi_allow_tracebacks
def test_traceback_detection_finds_a_deliberate_exception(
    kodi: KodiInstance, installed_addon: InstalledAddon
) -> None:
    mark = kodi.log_mark()
    assert kodi.log_tracebacks(since=mark) == []
    kodi.execute_addon(DUMMY_ID, ["raise"])
    found = wait_for(lambda: kodi.log_tracebacks(since=mark), 15, message="no traceback logged")
    assert DELIBERATE_ERROR in found[0]
    assert "PythonToCppException" in found[0]
    assert kodi.log_tracebacks(DUMMY_ID, since=mark) == found
    assert kodi.log_tracebacks("script.someone.else", since=mark) == []
