"""Smoke tests of the household harness itself (not the add-on): both Kodi boxes really use
the MariaDB library at the same time, the write counter means one write per Set…Details call
there too, and Kodi's MySQL password stays in the throwaway config."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.addon_driver import AddonDriver
from tests.e2e.fixture_support import require
from tests.e2e.host import wait_for
from tests.e2e.video_db import WRITES_TABLE

from .conftest import HINT, OUTPUT_ROOT
from .household import BOXES, CONFIGS, Household, flip_backs
from .mariadb import KODI_VIDEO_DB, MariaDbServer, mariadb_missing, sql_literal

WITHOUT_FEATURE = CONFIGS[0]


def quiet_household(house: Household) -> Household:
    """The scanned library, services that do not sync: only the harness acts."""
    house.reset(WITHOUT_FEATURE, two_way=False, sync_on_start=False)
    house.start(*BOXES)
    return house


def test_both_boxes_run_at_once_on_the_mariadb_library(house: Household) -> None:
    quiet_household(house)
    a, b = (house.boxes[n].kodi for n in BOXES)
    assert a.running and b.running and a.kodi_pid != b.kodi_pid
    expected = {
        "movies": len(house.spec.movies),
        "tvshows": len(house.spec.shows),
        "episodes": len(house.spec.episodes),
    }
    assert a.library_counts() == b.library_counts() == expected  # B never scanned
    port = house.store.server.port
    for kodi in (a, b):
        assert "MYSQL: Connected to version" in kodi.read_log()
        # the add-on finds the library shared (wait: its service logs it when it starts)
        wait_for(lambda k=kodi: f"video library shared: 127.0.0.1:{port}/MyVideos" in k.read_log())
        assert not list(kodi.database_dir.glob("MyVideos*.db")), "a local video DB was made"
    assert KODI_VIDEO_DB in house.store.server.databases()
    rows = house.store.query("SELECT COUNT(*) FROM movie")
    assert int(rows[0][0] or 0) == len(house.spec.movies)


def test_a_write_on_one_box_is_one_counted_write_and_the_other_box_reads_it(
    house: Household,
) -> None:
    """SetTVShowDetails blanks the row (c00 NULL) before rewriting it on MariaDB as on
    SQLite: the trigger logs that pass flagged, and counts one write per call."""
    quiet_household(house)
    on_a, on_b = AddonDriver(house.boxes["A"].kodi), AddonDriver(house.boxes["B"].kodi)
    show, movie = house.spec.shows[0].title, house.spec.movies[0].title
    on_a.set_rating("tvshow", show, 7)
    on_a.set_rating("movie", movie, 5)
    assert house.store.write_count() == 2
    assert house.store.write_count("tvshow") == 1
    assert house.store.blanking_passes("tvshow") == 1
    assert house.store.blanking_passes("movie") == 0
    assert [(t, old, new) for t, _id, old, new in house.store.write_log()] == [
        ("tvshow", None, 7),
        ("movie", None, 5),
    ]
    seen = on_b.ratings()
    assert seen[("tvshow", show)] == 7 and seen[("movie", movie)] == 5
    assert house.store.userratings() == seen
    on_b.set_rating("movie", movie, 6)  # and back the other way
    assert on_a.ratings()[("movie", movie)] == 6
    assert house.store.write_count() == 3


def test_the_kodi_password_stays_in_the_throwaway_config(house: Household) -> None:
    """Kodi masks <pass> when it logs advancedsettings.xml; nothing of ours prints it."""
    quiet_household(house)
    settings = house.boxes["A"].kodi.video_database
    assert settings is not None and settings.password not in repr(settings)
    for box in house.boxes.values():
        assert settings.password not in box.kodi.read_log(include_previous_runs=True)
        config = (box.kodi.userdata / "advancedsettings.xml").read_text(encoding="utf-8")
        assert f"<pass>{settings.password}</pass>" in config
    written = [p for p in OUTPUT_ROOT.rglob("*") if p.is_file() and p.suffix != ".zip"]
    assert not [p for p in written if settings.password in p.read_text(errors="replace")]


def test_a_server_of_its_own_starts_fast_and_leaves_nothing(tmp_path: Path) -> None:
    """A second throwaway server beside the session's: own port and socket; gone after."""
    require(mariadb_missing(), HINT)
    with MariaDbServer(tmp_path / "db") as server:
        assert server.start_seconds is not None and server.start_seconds < 15
        hosts = server.query("SELECT host FROM mysql.user WHERE user = 'root'")
        assert hosts == [["localhost"]]  # no password-less root over TCP
        server.execute(f"CREATE DATABASE t; CREATE TABLE t.x (v TEXT); INSERT INTO t.x VALUES"
                       f" ({sql_literal(chr(92) + 'it' + chr(39) + 's Ümlaut')})")  # fmt: skip
        assert server.query("SELECT v FROM t.x") == [["\\it's Ümlaut"]]
        assert server.query(f"SHOW TABLES FROM t LIKE '{WRITES_TABLE}'") == []
    assert not (tmp_path / "db").exists()


def test_a_value_going_back_is_found_and_a_plain_change_is_not() -> None:
    """The data-safety check the scenarios lean on (no server needed)."""
    assert flip_backs([("movie", 1, None, 5), ("movie", 1, 5, 7), ("movie", 2, 3, 3)]) == []
    assert flip_backs([("movie", 1, 5, 0)]) == []  # a removal: None and 0 are "no rating"
    found = flip_backs([("movie", 1, 5, 7), ("tvshow", 1, 2, 2), ("movie", 1, 7, 5)])
    assert found == ["movie 1: 5 -> 7 -> 5"]
    rated_then_removed = [("tvshow", 4, None, 8), ("tvshow", 4, 8, 0)]
    assert flip_backs(rated_then_removed) == ["tvshow 4: 0 -> 8 -> 0"]
    assert flip_backs(rated_then_removed, {("tvshow", 4): 0}) == []  # what the user did
    undone = [("movie", 1, 4, 9), ("movie", 1, 9, 4), ("movie", 1, 4, 9)]  # B undid A's edit
    assert flip_backs(undone, {("movie", 1): 9}) == ["movie 1: 4 -> 9 -> 4"]
