"""The engine's safety rules as a runner user meets them: on a terminal the runner asks (No is
the default); from cron it holds back, says so once, and exits 9 while something waits."""

from __future__ import annotations

from .cli_env import Cli

ADDED = 7


def seven_more_films(cli: Cli) -> None:
    for number in range(ADDED):
        imdb = f"tt{7_000_000 + number}"
        cli.sandbox.add_item(
            "movies",
            {
                "simkl": 700 + number,
                "title": f"Film {number}",
                "year": 2000,
                "ids": {"imdb": imdb},
                "user_rating": 8,
                "user_rated_at": "2026-01-03T10:00:00Z",
                "status": "completed",
            },
        )
        cli.kodi.add_movie(f"Film {number}", 2000, imdb=imdb)


def films(cli: Cli) -> list[int]:
    return [cli.ratings()[f"Film {number}"] for number in range(ADDED)]


def unrate_them(cli: Cli) -> None:
    for number in range(ADDED):
        cli.sandbox.remove_rating("movies", 700 + number)


def test_from_cron_clears_beyond_the_guard_are_held_said_once_and_exit_9(cli: Cli):
    cli.sign_in()
    seven_more_films(cli)
    assert cli("sync").code == 0
    assert films(cli) == [8] * ADDED
    unrate_them(cli)
    first = cli("sync")
    assert first.code == 9
    assert films(cli) == [8] * ADDED
    assert first.err.count("held back: 7 ratings were removed on Simkl") == 1
    cli.sandbox.set_rating("movies", 1, 9)  # something else moves: another full run
    second = cli("sync")
    assert second.code == 9 and second.err == ""  # said once, not in every cron mail
    assert cli.ratings()["Maleficent"] == 9


def test_on_a_terminal_the_runner_asks_and_no_is_the_default(cli: Cli):
    cli.sign_in()
    seven_more_films(cli)
    assert cli("sync").code == 0
    unrate_them(cli)
    kept = cli("sync", answers="\n")  # Enter: the default
    assert "Clear them in Kodi too? [y/N]" in kept.out
    assert kept.code == 0 and films(cli) == [8] * ADDED
    cleared = cli("sync", answers="y\n")
    assert cleared.code == 0 and films(cli) == [0] * ADDED
    assert "7 cleared" in cleared.out
