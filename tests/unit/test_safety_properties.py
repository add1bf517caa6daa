"""The engine's promises as properties, one test per invariant, over random real-shaped input:
Simkl replies shaped like the real ones (anime without `anime_type`, null and odd ratings, ids
as numbers or strings, extra id keys, missing timestamps) against libraries whose ids collide
with them on purpose.

- never a value outside 1..10, and never a write onto an item whose ids do not match;
- never a clear of an item whose row is present;
- no more clears than the guard allows without consent;
- every applied batch recorded when the gateway raises after k batches;
- no exception out of `run_sync` for any JSON reply;
- titles: letters and digits of every script count; nothing agrees with an empty title.
"""

from __future__ import annotations

import copy
import json
import string

import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simkl_ratings.core.library.gateway import KodiLibrary, LibraryItem
from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.media import (
    ANIME,
    KIND_NEUTRAL_IDS,
    MOVIE,
    MOVIES,
    SHOWS,
    SIMKL_TYPES,
    TVSHOW,
)
from simkl_ratings.core.rating import Rating
from simkl_ratings.core.simkl.client import ALL_RATINGS, RetryPolicy, SimklClient
from simkl_ratings.core.simkl.ratings import SkippedRow, parse_ratings
from simkl_ratings.core.sync.matching import normalise_title, same_title
from simkl_ratings.core.sync.planning import PlanOptions, clear_limit, plan_sync
from simkl_ratings.core.sync.run import SyncOptions, run_sync
from simkl_ratings.core.sync.state import SyncStateStore, WrittenRecord, key_of, source_of

from tests.fakes.fake_kodi_rpc import FakeKodiLibrary
from tests.sandbox.simkl_sandbox import SimklSandbox

from .engine_env import Engine

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
API = "https://api.simkl.test"

# Small pools, so Simkl rows and Kodi items collide (and contradict) often.
IMDB = st.sampled_from(["tt0000101", "tt0000102", "tt0000103", "TT0000104", "tt0000105"])
NUMBER = st.one_of(st.integers(1, 6), st.sampled_from(["1", "2", "3", " 4 ", "5"]))
SIMKL_ID = st.integers(1, 12)
raw_ids = st.fixed_dictionaries(
    {"simkl": SIMKL_ID},
    optional={
        "imdb": IMDB,
        "tmdb": NUMBER,
        "tvdb": NUMBER,
        "mal": NUMBER,
        "anidb": NUMBER,
        "slug": st.text(max_size=5),
        "offen": st.none(),
    },
)
user_ratings = st.one_of(
    st.integers(1, 10),
    st.integers(1, 10),
    st.none(),
    st.sampled_from([0, 11, -1, 6.5, "8", "x", True, [], {}]),
)
TITLE_CHARS = string.ascii_letters + "äöüé ドラゴンボール千と千尋の神隠しВойна и мир!?-"
titles = st.text(alphabet=TITLE_CHARS, max_size=12)


@st.composite
def rows(draw, simkl_type):
    media = {"title": draw(titles), "year": draw(st.sampled_from([2001, 2002, None, "2001"]))}
    media["ids"] = draw(raw_ids)
    row = {"user_rating": draw(user_ratings), "status": "completed"}
    if draw(st.booleans()):
        row["user_rated_at"] = draw(
            st.sampled_from(["2026-01-01T10:00:00Z", "9999-12-31T23:59:59-05:00", None, "x"])
        )
    key = draw(st.sampled_from(simkl_type.row_keys))
    row[key] = media
    if simkl_type is ANIME and draw(st.booleans()):
        row["total_episodes_count"] = draw(st.sampled_from([1, 12, None]))
    return row


@st.composite
def library(draw):
    items = []
    for kodi_id in range(1, draw(st.integers(1, 8)) + 1):
        kind = draw(st.sampled_from([MOVIE, TVSHOW]))
        ids = {
            key: value
            for key, value in draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "imdb": IMDB.map(str.lower),
                        "tmdb": st.sampled_from(["1", "2", "3", "4", "5"]),
                        "tvdb": st.sampled_from(["1", "2", "3"]),
                        "anidb": st.sampled_from(["1", "2", "3"]),
                    },
                )
            ).items()
        }
        rating = draw(st.one_of(st.none(), st.integers(1, 10).map(Rating)))
        title = draw(titles)
        items.append(
            LibraryItem(kind, kodi_id, title, draw(st.sampled_from([2001, 2002])), rating, ids)
        )
    return items


bodies = st.fixed_dictionaries({t.name: st.lists(rows(t), max_size=6) for t in SIMKL_TYPES})


def parsed(body):
    ratings, skipped = [], []
    for simkl_type in SIMKL_TYPES:
        result = parse_ratings(simkl_type, body)
        ratings += result.items
        skipped += result.skipped
    return ratings, skipped


def ids_match(rating_ids, item_ids) -> bool:
    return any(item_ids.get(key) == value for key, value in rating_ids.items())


@EXAMPLES
@given(body=bodies, items=library())
def test_never_a_value_outside_1_to_10_nor_a_write_onto_an_item_whose_ids_do_not_match(body, items):
    ratings, _ = parsed(body)
    plan = plan_sync(ratings, items, PlanOptions(complete_types=frozenset({"movies"})))
    for change in plan.changes:
        assert change.write.rating is None or 1 <= change.write.value <= 10
        if change.source is not None:
            assert ids_match(change.source.ids, change.write.item.ids), change


@st.composite
def written_records(draw, items):
    """What earlier runs wrote: some items, each from some Simkl item."""
    records = {}
    for item in items:
        if draw(st.booleans()):
            simkl_type = draw(st.sampled_from(SIMKL_TYPES))
            records[f"{item.kind.name}:{item.kodi_id}"] = WrittenRecord(
                draw(st.integers(1, 10)), f"{simkl_type.name}:{draw(SIMKL_ID)}"
            )
    return records


def names(row, item) -> bool:
    """Whether a Simkl row names a Kodi item by an id: in the kind its type lands on (a show's
    id never names a film); an anime row, whose kind Simkl does not say, by an id that means
    one entry whatever its kind (a tmdb number is numbered apart for films and series)."""
    if row.simkl_type is ANIME:
        ids = {k: v for k, v in row.ids.items() if k in KIND_NEUTRAL_IDS}
        if item.kind is TVSHOW and "tvdb" in row.ids:
            ids["tvdb"] = row.ids["tvdb"]
        return ids_match(ids, item.ids)
    return item.kind in row.simkl_type.default_kinds and ids_match(row.ids, item.ids)


def present_items(items, ratings, skipped: list[SkippedRow]) -> set[str]:
    """The Kodi items a row of the reply names, readable or not."""
    return {
        f"{item.kind.name}:{item.kodi_id}"
        for row in [*ratings, *skipped]
        for item in items
        if row.ids and names(row, item)
    }


@EXAMPLES
@given(data=st.data(), body=bodies, items=library())
def test_never_a_clear_of_an_item_whose_row_is_present(data, body, items):
    ratings, skipped = parsed(body)
    written = data.draw(written_records(items))
    unreadable = {
        t.name: [{"simkl": r.simkl_id, "ids": dict(r.ids)} for r in skipped if r.simkl_type is t]
        for t in SIMKL_TYPES
    }
    options = PlanOptions(
        complete_types=frozenset(t.name for t in SIMKL_TYPES),
        unreadable=unreadable,
        clears_allowed=frozenset(t.name for t in SIMKL_TYPES),
    )
    plan = plan_sync(ratings, items, options, written)
    present = present_items(items, ratings, skipped)
    sources = {source_of(r) for r in ratings} | {
        f"{r.simkl_type.name}:{key_of(r.simkl_id, r.ids)}" for r in skipped if r.identified
    }
    for change in plan.clears:
        key = f"{change.write.item.kind.name}:{change.write.item.kodi_id}"
        assert key not in present, change
        assert written[key].source not in sources


@EXAMPLES
@given(data=st.data(), items=library(), body=bodies)
def test_clears_stay_within_the_guard_without_consent(data, items, body):
    ratings, _ = parsed(body)
    written = data.draw(written_records(items))
    options = PlanOptions(complete_types=frozenset(t.name for t in SIMKL_TYPES))
    plan = plan_sync(ratings, items, options, written)
    for simkl_type in SIMKL_TYPES:
        holding = sum(1 for r in written.values() if r.source.startswith(f"{simkl_type.name}:"))
        clears = [c for c in plan.clears if c.simkl_type is simkl_type]
        assert len(clears) <= clear_limit(holding)
        held = [c for c in plan.held if c.simkl_type is simkl_type]
        assert not held or len(held) > clear_limit(holding)


ACCOUNT_ROWS = 14


def big_account():
    rows_ = []
    for n in range(1, ACCOUNT_ROWS + 1):
        imdb = f"tt{9_000_000 + n}"
        rows_.append(
            {
                "simkl": n,
                "title": f"Film {n}",
                "year": 2000,
                "ids": {"imdb": imdb},
                "user_rating": 1 + n % 10,
                "user_rated_at": "2026-01-01T10:00:00Z",
                "status": "completed",
            }
        )
    return {"account": {"id": 7, "name": "p"}, "movies": rows_, "shows": [], "anime": []}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.integers(1, 5), k=st.integers(0, 4))
def test_every_applied_batch_is_recorded_when_the_gateway_raises_after_k_batches(
    tmp_path_factory, batch, k
):
    profile = str(tmp_path_factory.mktemp("profile"))
    with SimklSandbox(copy.deepcopy(big_account()), client_ids=("engine-client",)) as sandbox:
        kodi = FakeKodiLibrary()
        for n in range(1, ACCOUNT_ROWS + 1):
            kodi.add_movie(f"Film {n}", 2000, imdb=f"tt{9_000_000 + n}")
        engine = Engine(sandbox, kodi, profile)
        kodi.fail_batches_after = k
        report = engine.run(batch_size=batch)
        state = SyncStateStore(profile).load()
        landed = {
            f"movie:{n}": row["userrating"]
            for n, row in kodi.tables["movies"].items()
            if row["userrating"]
        }
        known = {**state.written, **state.uncertain}
        assert {key: known[key].value for key in landed} == landed  # nothing landed unrecorded
        assert report.result == ("ok" if k * batch >= ACCOUNT_ROWS else "error")
        kodi.fail_batches_after = None
        sandbox.remove_rating("movies", 1)  # the next run converges, and clears what it wrote
        assert engine.run().result == "ok"
        assert kodi.rating("movies", 1) == 0
        assert all(kodi.rating("movies", n) == 1 + n % 10 for n in range(2, ACCOUNT_ROWS + 1))


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**64), 2**64),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
        st.sampled_from(["9999-12-31T23:59:59-05:00", "2026-05-14T06:50:38Z", "0000-00-00"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=25,
)
activity_shapes = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "all": json_values,
            "settings": json_values,
            "movies": st.one_of(json_values, st.fixed_dictionaries({"rated_at": json_values})),
            "tv_shows": json_values,
            "anime": json_values,
        }
    ),
)
rating_shapes = st.one_of(
    json_values,
    st.fixed_dictionaries({"movies": st.one_of(json_values, st.lists(rows(MOVIES), max_size=4))}),
    st.fixed_dictionaries({"shows": st.lists(rows(SHOWS), max_size=4)}),
    st.fixed_dictionaries({"anime": st.lists(rows(ANIME), max_size=4)}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(activities=activity_shapes, replies=st.lists(rating_shapes, min_size=3, max_size=3))
def test_no_exception_leaves_run_sync_for_any_json_reply(tmp_path_factory, activities, replies):
    profile = str(tmp_path_factory.mktemp("profile"))
    kodi = FakeKodiLibrary()
    kodi.add_movie("Film", 2001, imdb="tt0000101", tmdb="1")
    kodi.add_tvshow("Show", 2001, tvdb="2", anidb="3")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{API}/sync/activities", body=json.dumps(activities))
        for simkl_type, reply in zip(SIMKL_TYPES, replies):
            url = f"{API}/sync/ratings/{simkl_type.name}/{ALL_RATINGS}"
            mock.get(url, body=json.dumps(reply))
        mock.post(f"{API}/users/settings", body=json.dumps(activities))
        client = SimklClient(
            API, "c", "1", token="t" * 40, retry=RetryPolicy(retries=0), wait=lambda s: False
        )
        library = KodiLibrary(JsonRpc(kodi.handle))
        options = SyncOptions(types=SIMKL_TYPES, account_id=7)
        for _ in range(2):  # a second run on what the first left
            report = run_sync(client, library, options, store=SyncStateStore(profile))
            assert report.result in ("ok", "error")
            assert report.error_code != "internal", report.error
    for table in kodi.tables.values():
        assert all(0 <= row["userrating"] <= 10 for row in table.values())


# -- titles -----------------------------------------------------------------------------------

BLOCKS = {  # the scripts titles come in, and the signs the real replies carry
    "Latin": (0x41, 0x5A),
    "Latin-1": (0xC0, 0xFF),
    "Latin Extended": (0x100, 0x24F),
    "Greek": (0x391, 0x3C9),
    "Cyrillic": (0x410, 0x44F),
    "Hebrew": (0x5D0, 0x5EA),
    "Arabic": (0x627, 0x64A),
    "Devanagari": (0x905, 0x939),
    "Thai": (0xE01, 0xE2E),
    "Hangul": (0xAC00, 0xD7A3),
    "Hiragana": (0x3041, 0x3096),
    "Katakana": (0x30A1, 0x30FA),
    "CJK": (0x4E00, 0x9FFF),
    "Fullwidth": (0xFF21, 0xFF3A),
}
letters = st.one_of(
    *[
        st.text(
            st.characters(min_codepoint=low, max_codepoint=high, categories=("L", "N")),
            min_size=1,
            max_size=8,
        )
        for low, high in BLOCKS.values()
    ]
)
punctuation = st.text(alphabet="!?.,:;-\u2013\u2014\u2500\u2192'\"()[]{}#&*/\\ ", max_size=10)


@EXAMPLES
@given(word=letters)
def test_a_title_of_letters_of_any_script_never_normalises_to_nothing(word):
    name = normalise_title(word)
    assert name
    assert normalise_title(name) == name  # idempotent
    assert same_title(word, word)
    assert same_title(word.upper(), word.lower()) or normalise_title(word.upper()) != name


@EXAMPLES
@given(first=letters, second=letters, noise=punctuation)
def test_titles_of_other_letters_differ_and_punctuation_alone_agrees_with_nothing(
    first, second, noise
):
    if normalise_title(first) != normalise_title(second):
        assert not same_title(first, second)
    assert not same_title(noise, noise)
    assert same_title(f"{noise}{first}{noise}", first)
