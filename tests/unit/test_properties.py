"""Property-based tests: any input to a parser of Simkl replies, of Kodi replies or of the
settings gives a valid result or a typed error, never an unhandled exception, and no rating
outside 1..10 ever reaches the writer."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simkl_ratings.core.config import INT_BOUNDS, Settings, parse_settings
from simkl_ratings.core.errors import SyncError
from simkl_ratings.core.ids import MATCH_KEYS, normalise_ids
from simkl_ratings.core.library.gateway import KodiLibrary, LibraryItem
from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.media import KODI_KINDS, SIMKL_TYPES
from simkl_ratings.core.simkl.account import account_of
from simkl_ratings.core.simkl.activities import compare, validate
from simkl_ratings.core.simkl.client import parse_retry_after
from simkl_ratings.core.simkl.pin import PinCode, parse_pin_start
from simkl_ratings.core.simkl.ratings import parse_ratings
from simkl_ratings.core.sync.planning import plan_sync
from simkl_ratings.core.sync.state import SyncStateStore

EXAMPLES = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
id_values = st.one_of(
    st.integers(-5, 10**9),
    st.text(max_size=12),
    st.floats(),
    st.none(),
    st.sampled_from(["tt0944947", "TT123", "1399", " 42 ", "0", "-1", "1e3"]),
)
ids = st.dictionaries(
    st.sampled_from([*MATCH_KEYS, "simkl", "slug", "myanimelist", 7]), id_values, max_size=5
)
ratings_values = st.one_of(
    st.integers(-3, 13),
    st.floats(-1, 12),
    st.text(max_size=3),
    st.none(),
    st.booleans(),
    json_values,
)
media = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "title": st.one_of(st.text(max_size=30), json_values),
            "year": st.one_of(st.integers(0, 3000), st.text(max_size=5), st.none()),
            "ids": st.one_of(ids, json_values),
        }
    ),
)
rows = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "user_rating": ratings_values,
            "user_rated_at": st.one_of(
                st.text(max_size=30),
                st.none(),
                st.sampled_from(["2021-06-23T13:19:05.000Z", "2026-05-14Z"]),
            ),
            "anime_type": st.one_of(
                st.none(), st.sampled_from(["tv", "movie", "ova", "x"]), scalars
            ),
            st.sampled_from(["movie", "show", "anime"]): media,
        }
    ),
)
bodies = st.one_of(
    json_values,
    st.dictionaries(
        st.sampled_from(["movies", "shows", "anime", "x"]),
        st.one_of(st.lists(rows, max_size=8), json_values),
        max_size=3,
    ),
)


@EXAMPLES
@given(simkl_type=st.sampled_from(SIMKL_TYPES), body=bodies)
def test_ratings_replies_parse_or_fail_typed_and_only_1_to_10_survive(simkl_type, body):
    try:
        parsed = parse_ratings(simkl_type, body)
    except SyncError:
        return
    for item in parsed.items:
        assert isinstance(item.rating.value, int)
        assert 1 <= item.rating.value <= 10
        assert all(key in MATCH_KEYS and isinstance(v, str) for key, v in item.ids.items())
    library = [
        LibraryItem(kind, n, "t", 2000, None, dict(item.ids))
        for n, item in enumerate(parsed.items, start=1)
        for kind in KODI_KINDS
    ]
    for change in plan_sync(parsed.items, library).changes:
        assert change.write.rating is None or 1 <= change.write.value <= 10


@EXAMPLES
@given(raw=ids)
def test_ids_normalise_to_canonical_strings(raw):
    for key, value in normalise_ids(raw).items():
        assert key in MATCH_KEYS
        assert value == value.strip() and value
        assert value.startswith("tt") if key == "imdb" else value.isdigit()


@EXAMPLES
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {
                "user_code": st.one_of(st.text(max_size=40), scalars),
                "verification_uri": st.one_of(st.text(max_size=30), scalars),
                "expires_in": scalars,
                "interval": scalars,
            }
        ),
    )
)
def test_pin_replies_give_a_code_or_a_typed_error(body):
    try:
        code = parse_pin_start(body)
    except SyncError:
        return
    assert isinstance(code, PinCode)
    assert code.user_code and 0 < code.interval < 86400 and 0 < code.expires_in < 86400
    assert code.verification_url.startswith("https://")


timestamps = st.one_of(
    st.none(),
    scalars,
    st.sampled_from(
        ["2026-05-14T06:50:38Z", "2026-05-14T06:50:38.000Z", "1970-01-01T00:00:01Z", "nope"]
    ),
)
groups = st.fixed_dictionaries({"rated_at": timestamps, "removed_from_list": timestamps})
activity_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "all": timestamps,
            "settings": st.one_of(json_values, st.fixed_dictionaries({"all": timestamps})),
            "movies": st.one_of(groups, json_values),
            "tv_shows": st.one_of(groups, json_values),
            "anime": st.one_of(groups, json_values),
        }
    ),
)


@EXAMPLES
@given(old=st.one_of(st.none(), activity_bodies), new=activity_bodies)
def test_activities_compare_or_fail_typed(old, new):
    try:
        current = validate(new)
    except SyncError:
        return
    baseline = old if isinstance(old, dict) else None
    changes = compare(baseline, current, ("movies", "tv_shows", "anime"))
    assert changes.groups <= {"movies", "tv_shows", "anime"}


@EXAMPLES
@given(body=json_values)
def test_account_replies_never_raise(body):
    account_id, name = account_of(body)
    assert account_id is None or isinstance(account_id, int)
    assert name is None or isinstance(name, str)


@EXAMPLES
@given(raw=st.one_of(st.none(), st.text(max_size=40)))
def test_retry_after_is_seconds_or_nothing(raw):
    value = parse_retry_after(raw)
    assert value is None or value >= 0


setting_values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["true", "false", "0", "1", "-1", "99999", "3", "https://api.simkl.com", ""]),
)


@EXAMPLES
@given(raw=st.dictionaries(st.sampled_from(list(Settings.__dataclass_fields__)), setting_values))
def test_settings_are_always_typed_and_in_bounds(raw):
    parsed, problems = parse_settings(raw)
    assert set(problems) <= set(raw)
    for name, (low, high) in INT_BOUNDS.items():
        assert low <= getattr(parsed, name) <= high
    assert parsed.policy is not None
    for name, spec in Settings.__dataclass_fields__.items():
        assert isinstance(getattr(parsed, name), type(spec.default))


@EXAMPLES
@given(
    page=st.one_of(
        json_values,
        st.lists(
            st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {
                        "movieid": st.one_of(st.integers(-2, 10**6), scalars),
                        "title": scalars,
                        "year": scalars,
                        "userrating": scalars,
                        "uniqueid": st.one_of(ids, json_values),
                        "imdbnumber": scalars,
                    }
                ),
            ),
            max_size=6,
        ),
    )
)
def test_kodi_library_pages_give_items_or_a_typed_error(page):
    def transport(request):
        result = {"movies": page, "limits": {"start": 0, "end": 6, "total": 1}}
        return {"id": request["id"], "jsonrpc": "2.0", "result": result}

    try:
        read = KodiLibrary(JsonRpc(transport)).read(KODI_KINDS[0])
    except SyncError:
        return
    for item in read.items:
        assert item.kodi_id > 0
        assert item.userrating is None or 1 <= item.userrating.value <= 10


state_files = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "activities": json_values,
            "account_id": scalars,
            "needs_apply": scalars,
            "ratings": st.dictionaries(
                st.sampled_from(["movies", "shows", "anime", "x"]),
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "simkl": scalars,
                            "rating": ratings_values,
                            "ids": ids,
                            "title": scalars,
                            "year": scalars,
                        }
                    ),
                    max_size=3,
                ),
                max_size=3,
            ),
            "written": st.dictionaries(
                st.text(max_size=10),
                st.fixed_dictionaries({"value": ratings_values, "source": scalars}),
                max_size=3,
            ),
        }
    ),
)


@EXAMPLES
@given(data=state_files)
def test_any_state_file_loads_or_means_no_state(tmp_path_factory, data):
    folder = str(tmp_path_factory.mktemp("state"))
    with open(os.path.join(folder, "sync_state.json"), "w") as stream:
        json.dump({"schema_version": 1, **data} if isinstance(data, dict) else data, stream)
    state = SyncStateStore(folder).load()
    if state is not None:
        for rows in state.ratings.values():
            assert all(1 <= r.rating.value <= 10 for r in rows)
        assert all(1 <= rec.value <= 10 for rec in state.written.values())
