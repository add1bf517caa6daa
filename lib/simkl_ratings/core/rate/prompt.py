"""Whether a finished playback asks for a rating: a table of rules, first match wins.

The shell gathers the facts when a video stops (`Played`: the item and what Kodi recorded;
`Moment`: the playlist, party mode, sign-in and the ratings known); `decide` is pure. A playlist
asks once, at its end: an item that qualifies while more are queued is remembered
(`PlaylistMemory`) and asked for when the last one stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import Callable, Generic, Sequence, TypeVar

MOVIE, EPISODE = "movie", "episode"
T = TypeVar("T")


class RateShows(IntEnum):
    """Setting `rate_shows`: when an episode asks for its show's rating."""

    NEVER = 0
    SEASON_END = 1  # after the last episode of a season in the library
    SHOW_END = 2  # after the last episode of the show in the library


@dataclass(frozen=True)
class PromptSettings:
    rate_movies: bool = True
    rate_shows: RateShows = RateShows.SEASON_END
    rerate: bool = False  # off: ask only when neither Kodi nor Simkl has a rating


@dataclass(frozen=True)
class Played:
    """The item that stopped, as Kodi knew it."""

    kind: str  # MOVIE, EPISODE or anything else Kodi plays ("" for a plain file)
    in_library: bool
    watched: bool  # its playcount went up while it played
    last_in_season: bool = False
    last_in_show: bool = False


@dataclass(frozen=True)
class Moment:
    """What holds when it stopped; the ratings are the rated item's (the show for episodes)."""

    more_queued: bool = False
    party_mode: bool = False
    signed_in: bool = True
    kodi_rating: int | None = None
    simkl_rating: int | None = None


class Verdict(Enum):
    ASK = "ask"
    WAIT = "wait"  # it qualifies, but the playlist goes on: ask at its end
    NO = "no"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str


Rule = Callable[[Played, Moment, PromptSettings], bool]

# (reason, "this rule says no"), in order: the first that holds decides.
RULES: Sequence[tuple[str, Rule]] = (
    ("not a library item", lambda p, m, s: not p.in_library or p.kind not in (MOVIE, EPISODE)),
    ("party mode", lambda p, m, s: m.party_mode),
    ("not watched to the end", lambda p, m, s: not p.watched),
    ("movies are not asked for", lambda p, m, s: p.kind == MOVIE and not s.rate_movies),
    (
        "shows are not asked for",
        lambda p, m, s: p.kind == EPISODE and s.rate_shows is RateShows.NEVER,
    ),
    (
        "not the last episode of its season in the library",
        lambda p, m, s: (
            p.kind == EPISODE and s.rate_shows is RateShows.SEASON_END and not p.last_in_season
        ),
    ),
    (
        "not the last episode of the show in the library",
        lambda p, m, s: (
            p.kind == EPISODE and s.rate_shows is RateShows.SHOW_END and not p.last_in_show
        ),
    ),
    (
        "not signed in and already rated in Kodi",
        lambda p, m, s: not m.signed_in and m.kodi_rating is not None,
    ),
    (
        "already rated",
        lambda p, m, s: not s.rerate and (m.kodi_rating is not None or m.simkl_rating is not None),
    ),
)


def decide(played: Played, moment: Moment, settings: PromptSettings) -> Decision:
    """Ask now, wait for the playlist's end, or not (with the rule that said no)."""
    for reason, says_no in RULES:
        if says_no(played, moment, settings):
            return Decision(Verdict.NO, reason)
    if moment.more_queued:
        return Decision(Verdict.WAIT, "more items are queued")
    return Decision(Verdict.ASK, "watched")


class PlaylistMemory(Generic[T]):
    """The one item a playlist asks for: the last that qualified, asked for once nothing more
    is queued (even when the last item itself does not qualify)."""

    def __init__(self) -> None:
        self.waiting: T | None = None

    def after(self, decision: Decision, target: T | None, more_queued: bool) -> T | None:
        """What to ask for now (None: nothing), given the decision for `target`."""
        if decision.verdict is Verdict.ASK:
            self.waiting = None
            return target
        if decision.verdict is Verdict.WAIT:
            self.waiting = target
            return None
        if more_queued:
            return None
        waiting, self.waiting = self.waiting, None
        return waiting
