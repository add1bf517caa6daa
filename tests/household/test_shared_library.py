"""The add-on on a shared library: two Kodi boxes on one MariaDB, each with the add-on, both
signed in to the same Simkl account (the sandbox), in three configurations:

- ``without-feature``: both boxes sync (``household_role`` "1" on both: today's behaviour);
- ``with-feature``: A syncs ("1"), B leaves it to another device ("2");
- ``runner``: neither box syncs ("2" on both); `simkl-ratings-sync` does, through A's JSON-RPC.

After every step: the library (SQL) and the Simkl account are as expected, both boxes read the
same library, no value went back to an older one. Where a box is told not to sync (the feature)
the targets hold as well: one library write per change, no request to Simkl from a member that
does not sync, each push once. Without the feature the double work is measured, not refused.
Every step's figures go to test-output/household/figures.md.

A scheduled sync is the service's run at Kodi start, so the boxes are restarted.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.addon_driver import ADDON_ID
from tests.e2e.host import mtime_ns, wait_for, wait_for_file_change

from .conftest import OUTPUT_ROOT
from .household import (
    BOXES,
    CONFIGS,
    ROLE_OTHER_SYNCS,
    ROLE_SYNCS,
    ROLE_UNDECIDED,
    Config,
    Household,
)

# (Simkl type, Simkl id, Kodi kind, title): rated on the sandbox account (simkl_account)
MOVIE_01 = ("movies", 1001, "movie", "E2E Movie 01")  # 4
MOVIE_02 = ("movies", 1002, "movie", "E2E Movie 02")  # 5
FILM_03 = ("movies", 1003, "movie", "E2E Film Ümlaut")  # 6
MOVIE_04 = ("movies", 1004, "movie", "E2E Movie 04")  # 7
SHOW_01 = ("shows", 2001, "tvshow", "E2E Show 01")  # 7


def test_a_first_sync_with_both_services_on(house: Household, config: Config) -> None:
    run = house.fresh(config, "a")
    run.first_sync()
    with run.step("at rest (both restart, nothing changed)"):
        run.restart(*BOXES, runner=config.runner)
    house.save_baseline(run)  # later scenarios of this configuration start here


def test_b_a_rating_changed_on_simkl(house: Household, config: Config) -> None:
    run = house.after_first_sync(config, "b")
    run.rate_on_simkl(*MOVIE_02, 3)
    run.rate_on_simkl(*SHOW_01, 2)  # SetTVShowDetails: two UPDATEs, one write
    with run.step("scheduled syncs (both restart)"):
        run.restart(*BOXES, runner=config.runner)


def test_c_a_rating_removed_on_simkl(house: Household, config: Config) -> None:
    run = house.after_first_sync(config, "c")
    run.unrate_on_simkl(*FILM_03)
    with run.step("scheduled syncs (both restart)"):
        run.restart(*BOXES, runner=config.runner)


def test_d_a_rating_edited_on_box_a_reaches_simkl_once(house: Household, config: Config) -> None:
    """Two-way on every member (the runner with --two-way); the boxes stay on."""
    run = house.fresh(config, "d", two_way=True)
    run.first_sync()
    with run.step("edit on A, the edit checks (and the runner's run)", pushes=1):
        run.rate_in_kodi("A", *MOVIE_01, 9)
        run.await_edit_checks()
        if config.runner:
            house.runner.sync(two_way=True)  # its next scheduled run takes the edit


def test_e_box_b_offline_during_a_change(house: Household, config: Config) -> None:
    run = house.after_first_sync(config, "e")  # every box off
    run.rate_on_simkl(*MOVIE_04, 2)
    with run.step("A syncs while B is off"):
        run.switch_on("A", runner=config.runner)
    with run.step("B back (starts)"):
        run.switch_on("B")


SCREENS = OUTPUT_ROOT / "_screens"  # kept apart: each test's own folder is rewritten after it
UNDECIDED = Config("out-of-the-box", {"A": ROLE_UNDECIDED, "B": ROLE_UNDECIDED})
A_CHOSEN = Config("out-of-the-box, A chosen", {"A": ROLE_SYNCS, "B": ROLE_UNDECIDED})


def saved_role(profile: Path) -> str:
    """The add-on's `household_role` as Kodi saved it in the box's settings.xml."""
    found = re.search(r'id="household_role"[^>]*>(\d)<', (profile / "settings.xml").read_text())
    return found.group(1) if found else ""


def test_f_out_of_the_box_no_box_syncs_until_one_is_chosen(house: Household) -> None:
    """Both boxes installed and signed in, nobody chose: neither asks Simkl nor writes (no
    dialog at start). "Sync now" on A asks once; Yes makes A the household's syncing box
    and syncs right away; B, still undecided, stays silent."""
    run = house.fresh(UNDECIDED, "f")
    with run.step("both boxes start, nobody chosen yet"):
        run.switch_on(*BOXES)
    for box in house.boxes.values():
        assert "this device: undecided" in box.kodi.read_log()
        assert not box.kodi.yesno_open()
    a = house.boxes["A"]
    run.config = A_CHOSEN
    run.expected.update(house.account.expected)
    with run.step("Sync now on A, Yes to the question"):
        before = mtime_ns(a.addon.report_path)
        a.kodi.execute_addon(ADDON_ID, ["sync"])
        wait_for(a.kodi.yesno_open, timeout=20, message="the household question on A")
        a.kodi.answer_yes(SCREENS / "household-question.png")
        wait_for_file_change(a.addon.report_path, before, timeout=90)
        run.wait_quiet(0, 2.5)
    assert a.addon.report()["result"] == "ok"
    assert saved_role(a.addon.profile) == ROLE_SYNCS
    with run.step("B restarts, still undecided"):
        run.restart("B")
    assert saved_role(house.boxes["B"].addon.profile) == ROLE_UNDECIDED


WITH_FEATURE = next(c for c in CONFIGS if c.name == "with-feature")  # A syncs, B does not
MOVED_TO_B = Config("role moved to B", {"A": ROLE_OTHER_SYNCS, "B": ROLE_SYNCS})


def test_g_the_job_moves_to_b_which_clears_what_a_wrote(house: Household) -> None:
    """A synced the library for a while; the user makes B the syncing box. B's first run
    finds everything equal to Simkl and writes nothing; a rating A wrote, removed on Simkl
    later, is cleared by B (the syncing box owns every value equal to Simkl's), and A, now
    leaving the library to B, asks Simkl nothing."""
    run = house.after_first_sync(WITH_FEATURE, "g")
    run.choose(MOVED_TO_B)
    with run.step("B's first sync as the syncing box (both restart)"):
        run.restart(*BOXES)
    run.unrate_on_simkl(*FILM_03)
    with run.step("removed on Simkl, then both boxes' syncs"):
        run.restart(*BOXES)
