"""A real-shaped stress data set for anime matching, and the figures it gives.

1,000 anime rows with the id mix of the public captures (no `anime_type`; mal and anidb on
every row, tmdb on ~74 %, imdb on ~67 %, tvdb on ~3 %; episode counts as real rows carry them),
a Kodi library of 10,000 movies and 1,000 TV shows whose tmdb numbers overlap the anime's in
both numberings, and some of the anime in the library (with the ids Kodi's scrapers store).

Every row knows the library item it really names (or none). The planner runs on the inputs as
the add-on reads them (the real parser, the real library gateway over the fake JSON-RPC), and
every write is checked against that truth. Run `python -m tests.stress.untyped_anime` for the
figures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from simkl_ratings.core.library.gateway import KodiLibrary
from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.media import ANIME, KODI_KINDS
from simkl_ratings.core.simkl.ratings import parse_ratings
from simkl_ratings.core.sync.planning import Plan, plan_sync

from tests.fakes.fake_kodi_rpc import FakeKodiLibrary

ANIME_ROWS = 1000
MOVIES = 10_000
SHOWS = 1000
TMDB_RANGE = 60_000  # films and series numbered apart, in overlapping ranges
SHARE = {"tmdb": 0.74, "imdb": 0.67, "tvdb": 0.03}
FILM_SHARE = 0.2  # anime films among the rows
OWNED_SHARE = 0.3  # anime rows that are in the library
TWIN_SHARE = 0.5  # rows whose tmdb number also names an unrelated item of the other kind
# what Kodi's scrapers store on an owned anime item, and how often
KODI_ID_SHARE = {"tmdb": 0.9, "imdb": 0.8, "anidb": 0.3, "tvdb": 0.7}
SAME_TITLE_SHARE = 0.5  # the Kodi title equals Simkl's (else an English title)


@dataclass
class Truth:
    rows: list[dict[str, Any]] = field(default_factory=list)
    names: dict[int, tuple[str, int] | None] = field(default_factory=dict)  # simkl -> kodi key
    films: int = 0
    owned: int = 0
    twins: int = 0


def _row(simkl: int, title: str, year: int, ids: dict[str, str], episodes: int) -> dict:
    watched = episodes
    return {
        "last_watched_at": "2019-06-26T10:27:29.000Z",
        "status": "completed",
        "user_rating": 1 + simkl % 10,
        "last_watched": f"E{watched:02d}" if watched else None,
        "next_to_watch": None,
        "watched_episodes_count": watched,
        "total_episodes_count": episodes,
        "not_aired_episodes_count": 0,
        "show": {
            "title": title,
            "year": year,
            "ids": {"simkl": simkl, "slug": f"anime-{simkl}", "ann": str(simkl), **ids},
        },
    }


def _episodes(rng: random.Random, film: bool) -> int:
    if film:
        return 1
    roll = rng.random()
    if roll < 0.05:
        return 0  # counts missing, as on some real series rows
    if roll < 0.15:
        return 1  # one-episode OVAs and specials that Kodi files as TV shows
    return rng.randint(2, 150)


def build(seed: int = 2026) -> tuple[Truth, FakeKodiLibrary]:
    rng = random.Random(seed)
    kodi = FakeKodiLibrary()
    truth = Truth()
    counts = {"movies": 0, "tvshows": 0}
    used_tmdb: dict[str, set[str]] = {"movies": set(), "tvshows": set()}

    def add(table: str, title: str, year: int, ids: dict[str, str]) -> int:
        counts[table] += 1
        if "tmdb" in ids:
            used_tmdb[table].add(ids["tmdb"])
        return kodi.add(table, title, year, ids)

    for n in range(ANIME_ROWS):
        simkl = 100_000 + n
        film = rng.random() < FILM_SHARE
        table, other = ("movies", "tvshows") if film else ("tvshows", "movies")
        title, year = f"Anime Romaji Title {n}", rng.randint(1970, 2026)
        ids = {"mal": str(50_000 + n), "anidb": str(20_000 + n)}
        tmdb = str(rng.randint(1, TMDB_RANGE))
        while tmdb in used_tmdb[table]:  # one entry per number within a numbering
            tmdb = str(rng.randint(1, TMDB_RANGE))
        used_tmdb[table].add(tmdb)  # the number is this entry's, in Kodi or not
        if rng.random() < SHARE["tmdb"]:
            ids["tmdb"] = tmdb
        if rng.random() < SHARE["imdb"]:
            ids["imdb"] = f"tt{7_000_000 + n}"
        if not film and rng.random() < SHARE["tvdb"]:
            ids["tvdb"] = str(300_000 + n)
        truth.rows.append(_row(simkl, title, year, ids, _episodes(rng, film)))
        truth.films += film
        truth.names[simkl] = None
        if rng.random() < OWNED_SHARE:
            kodi_ids = {"tmdb": tmdb} if rng.random() < KODI_ID_SHARE["tmdb"] else {}
            for key in ("imdb", "anidb", "tvdb"):
                if key in ids and rng.random() < KODI_ID_SHARE[key]:
                    kodi_ids[key] = ids[key]
            kodi_title = title if rng.random() < SAME_TITLE_SHARE else f"English Title {n}"
            kodi_id = add(table, kodi_title, year, kodi_ids)
            truth.names[simkl] = ("movie" if film else "tvshow", kodi_id)
            truth.owned += 1
        if rng.random() < TWIN_SHARE and tmdb not in used_tmdb[other]:
            # an unrelated item of the other kind that carries the same tmdb number
            twin_ids = {"tmdb": tmdb, "imdb": f"tt{8_000_000 + n}"}
            add(other, f"Unrelated {other} {n}", rng.randint(1970, 2026), twin_ids)
            truth.twins += 1
    filler = 0
    for table, wanted in (("movies", MOVIES), ("tvshows", SHOWS)):
        while counts[table] < wanted:
            filler += 1
            tmdb = str(rng.randint(1, TMDB_RANGE))
            if tmdb in used_tmdb[table]:
                continue
            ids = {"tmdb": tmdb, "imdb": f"tt{9_000_000 + filler}"}
            add(table, f"Filler {table} {filler}", rng.randint(1950, 2026), ids)
    return truth, kodi


@dataclass
class Figures:
    rows: int
    films: int
    owned: int
    twins: int
    library: dict[str, int]
    placed: int
    wrong: list[tuple[int, tuple[str, int], tuple[str, int] | None]]
    kind_unknown: int
    kind_unknown_owned: int
    unmatched: int
    unmatched_owned: int
    conflicts: int

    def lines(self) -> list[str]:
        missed = self.owned - self.placed
        return [
            f"anime rows: {self.rows} (untyped; {self.films} films, {self.owned} in the library, "
            f"{self.twins} with a tmdb twin of the other kind in the library)",
            f"library: {self.library['movie']} movies, {self.library['tvshow']} TV shows",
            f"wrong writes: {len(self.wrong)}",
            f"placed: {self.placed} of {self.owned} in the library ({missed} not placed)",
            f"kind unknown (only an unconfirmed tmdb hit, nothing written): {self.kind_unknown} "
            f"({self.kind_unknown_owned} of them in the library)",
            f"not in library by any id: {self.unmatched} "
            f"({self.unmatched_owned} of them in the library without a shared id)",
            f"ambiguous: {self.conflicts}",
        ]


def measure(seed: int = 2026) -> tuple[Figures, Plan]:
    truth, kodi = build(seed)
    ratings = parse_ratings(ANIME, {"anime": truth.rows}).items
    library = KodiLibrary(JsonRpc(kodi.handle))
    items = [item for kind in KODI_KINDS for item in library.read(kind).items]
    plan = plan_sync(ratings, items)
    wrong = []
    placed = 0
    for change in plan.changes:
        assert change.source is not None
        named = truth.names[change.source.simkl_id or 0]
        if change.write.item.key == named:
            placed += 1
        else:
            wrong.append((change.source.simkl_id or 0, change.write.item.key, named))
    figures = Figures(
        rows=len(truth.rows),
        films=truth.films,
        owned=truth.owned,
        twins=truth.twins,
        library={k.name: sum(1 for i in items if i.kind is k) for k in KODI_KINDS},
        placed=placed,
        wrong=wrong,
        kind_unknown=len(plan.kind_unknown),
        kind_unknown_owned=sum(
            truth.names[u.rating.simkl_id or 0] is not None for u in plan.kind_unknown
        ),
        unmatched=len(plan.unmatched),
        unmatched_owned=sum(truth.names[r.simkl_id or 0] is not None for r in plan.unmatched),
        conflicts=len(plan.conflicts),
    )
    return figures, plan


if __name__ == "__main__":
    print("\n".join(measure()[0].lines()))
