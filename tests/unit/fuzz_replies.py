"""Hostile replies for the whole add-on: hypothesis strategies for every reply a sync reads
(activities, the ratings of each type, the account, the answers to rating pushes), served by the
sandbox's generated-replies mode over real HTTP, and the harness that runs one sync against them
and checks what must hold whatever Simkl (or whatever answers in its place) says.

A reply is shaped like Simkl's, with wrong types possible at every level, then written with
hostile JSON (NaN, Infinity, 1e400, numbers of 5,000 digits, lone surrogates, duplicated keys,
nesting deeper than any parser), then maybe broken on the wire (invalid UTF-8, cut short, gzip,
a gzip bomb, a status of any kind); now and then an endpoint never answers.
"""

from __future__ import annotations

import copy
import gzip
import logging
import os
import shutil
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st
from simkl_ratings.core.ids import MATCH_KEYS
from simkl_ratings.core.library.gateway import KodiLibrary
from simkl_ratings.core.library.jsonrpc import JsonRpc
from simkl_ratings.core.media import SIMKL_TYPES
from simkl_ratings.core.simkl.client import RetryPolicy, SimklClient
from simkl_ratings.core.sync.policy import Policy
from simkl_ratings.core.sync.report import Report, load_report, save_report
from simkl_ratings.core.sync.run import Mode, SyncOptions, run_sync
from simkl_ratings.core.sync.state import SyncStateStore

from tests.fakes.fake_kodi_rpc import FakeKodiLibrary
from tests.sandbox.hostile import Pairs, Raw, encode, gzip_stream, padded_chunks, stall
from tests.sandbox.simkl_sandbox import Request, Response, SimklSandbox

from .engine_env import ACCOUNT, CLIENT, build_library

MB = 1024 * 1024
# What one run may hold at its peak (tracemalloc, the sandbox's serving included): the 32 MB
# ratings cap once, what a reply under it becomes once parsed, and the run itself.
MEMORY_BOUND = 96 * MB
# A try lasts at most DEADLINE, and all tries and waits of a failing Simkl at most BUDGET
# (plus one MIN_TRY per later call); a run must end well within this.
DEADLINE, BUDGET, MIN_TRY = 1.0, 2.0, 0.25
TIME_BOUND = 15.0
# The longest line a run may log (kodi.log, the runner's -v): a reply must not flood the log.
LOG_LINE_BOUND = 2000

# -- values ----------------------------------------------------------------------------------

LIBRARY_IDS = ["tt1587310", "102651", "372058", "tt0000009", "269533", "tt2402207", "8550"]
NASTY = [
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "special://profile/../../x",
    "1; DROP TABLE movie;--",
    "' OR '1'='1",
    "tt0944947' --",
    "%2e%2e%2f%2e%2e%2f",
    "tt0944947/../../x",
    "http://evil.example/?token=x",
    "<script>alert(1)</script>",
    "[B]bold[/B][COLOR red]x[/COLOR]",
    "\x00",
    "\u202etxt.exe",
    "💥",
    "",
    "   ",
    "tt",
    "TT0944947",
    "0",
    "-1",
    "1e3",
    "0x1F",
    "NaN",
    "null",
]
RAW_TOKENS = {  # by a short name, so that hypothesis' reports stay readable
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "1e400": "1e400",
    "-1e400": "-1e400",
    "-0": "-0",
    "5000 digits": "1" * 5000,
    "30 digits": "123456789012345678901234567890",
    "lone surrogate": '"\\ud800"',
    "lone low surrogate": '"tail \\udfff"',
    "NUL": '"\\u0000"',
    "400 deep": "[" * 400 + "]" * 400,
    "20000 deep": "[" * 20000 + "]" * 20000,
    "3000 objects deep": '{"a":' * 3000 + "1" + "}" * 3000,
}
TIMES = [
    "2026-05-14T06:50:38Z",
    "2026-05-14T06:50:38.000Z",
    "2099-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-02-30T25:61:61Z",
    "2026-05-14",
    "yesterday",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(NASTY),
    st.sampled_from(sorted(RAW_TOKENS)).map(lambda name: Raw(RAW_TOKENS[name])),
)
huge = st.builds(
    lambda n, c: c * n, st.sampled_from([10_000, 300_000, 2_000_000]), st.sampled_from("xé💥")
)


def _pairs(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(st.tuples(st.sampled_from(["a", "id", "ids"]), inner), max_size=4).map(Pairs)


wild = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=6), inner, max_size=3),
        _pairs(inner),
    ),
    max_leaves=6,
)


def maybe(strategy: st.SearchStrategy, wrong: int = 6) -> st.SearchStrategy:
    """The shape Simkl sends, or (about one time in `wrong`) anything else."""
    return st.one_of(*([strategy] * (wrong - 1)), wild)


def obj(required: dict[str, st.SearchStrategy], **optional: st.SearchStrategy):
    """An object of that shape; sometimes with a key given twice (the parser keeps the last)."""
    plain = st.fixed_dictionaries(required, optional=optional)
    doubled = plain.flatmap(
        lambda d: st.sampled_from(list(d) or ["x"]).flatmap(
            lambda key: wild.map(lambda v: Pairs([(key, v), *d.items()]))
        )
    )
    return st.one_of(plain, plain, plain, doubled)


times = maybe(st.sampled_from(TIMES), wrong=5)
# Digits Python's int() refuses or takes long over: superscripts count as digits for
# str.isdigit(), other scripts' digits are digits to int(), and past 4,300 digits int() refuses.
DIGITS = ["²", "٣", "7" * 13, "7" * 31, "7" * 5000]
ratings = maybe(
    st.one_of(st.integers(1, 10), st.integers(-3, 14), st.sampled_from(["7", 7.5, *DIGITS]))
)
id_values = maybe(
    st.one_of(
        st.sampled_from(LIBRARY_IDS),
        st.integers(-5, 10**12),
        st.sampled_from(NASTY),
        st.sampled_from(DIGITS),
    )
)
ids = maybe(
    st.dictionaries(st.sampled_from([*MATCH_KEYS, "simkl", "slug", ""]), id_values, max_size=6)
)
titles = maybe(st.one_of(st.text(max_size=40), st.sampled_from(NASTY), huge), wrong=4)
media = maybe(
    obj({"title": titles, "year": maybe(st.integers(-10, 10**6)), "ids": ids}),
)


def rows(key: str) -> st.SearchStrategy:
    return maybe(
        obj(
            {"user_rating": ratings, "user_rated_at": times, key: media},
            status=maybe(st.sampled_from(["completed", "watching", "plantowatch"])),
            anime_type=maybe(st.sampled_from(["tv", "movie", "ova", "special", "x"])),
            total_episodes_count=maybe(st.integers(-1, 10**9)),
        )
    )


def ratings_body(type_name: str, key: str) -> st.SearchStrategy:
    return maybe(obj({type_name: maybe(st.lists(rows(key), max_size=12))}), wrong=8)


group = obj({"all": times, "rated_at": times, "removed_from_list": times})
activities_body = maybe(
    obj(
        {"all": times, "movies": maybe(group), "tv_shows": maybe(group), "anime": maybe(group)},
        settings=maybe(obj({"all": times})),
    ),
    wrong=8,
)
settings_body = maybe(
    obj({"user": maybe(obj({"name": titles})), "account": maybe(obj({"id": id_values}))})
)
counts = maybe(obj({"movies": maybe(st.integers(-2, 5)), "shows": maybe(st.integers(-2, 5))}))
echoed = maybe(obj({"ids": maybe(obj({"simkl": id_values}, imdb=id_values, tmdb=id_values))}))
not_found = maybe(
    obj({"movies": maybe(st.lists(echoed, max_size=3))}, shows=st.lists(echoed, max_size=2))
)
push_body = maybe(obj({"added": counts, "deleted": counts, "not_found": not_found}))

# -- replies -----------------------------------------------------------------------------------

STATUSES = [200] * 12 + [201, 204, 301, 307, 400, 401, 403, 404, 412, 429, 500, 503, 520]
WIRES = ["json"] * 10 + ["invalid utf-8", "cut short", "gzip", "gzip bomb", "not json"]


@dataclass
class Reply:
    """One generated answer: a status, a body (a JSON-ish value), how it goes on the wire."""

    status: int
    body: Any
    wire: str
    retry_after: str | None = None

    def response(self) -> Response:
        headers = {"Content-Type": "application/json"}
        if self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        if self.status in (301, 307):
            headers["Location"] = "http://127.0.0.1:9/elsewhere"
        if self.wire == "gzip bomb":
            bomb = _bomb()
            return Response(200, bomb, {**headers, "Content-Encoding": "gzip"})
        text = encode(self.body).encode("utf-8", "surrogatepass")
        if self.wire == "invalid utf-8":
            text = text[: len(text) // 2] + b"\xff\xc3(" + text[len(text) // 2 :]
        elif self.wire == "cut short":
            text = text[: max(0, len(text) - 3)]
        elif self.wire == "not json":
            text = b"<html>maintenance</html>"
        elif self.wire == "gzip":
            text = gzip.compress(text)
            headers["Content-Encoding"] = "gzip"
        return Response(self.status, text, headers)


@lru_cache(maxsize=1)
def _bomb() -> bytes:
    """100 MB of JSON in about 100 kB of gzip (made once)."""
    return gzip_stream(padded_chunks(100 * MB))


def replies(body: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(
        Reply,
        status=st.sampled_from(STATUSES),
        body=body,
        wire=st.sampled_from(WIRES),
        retry_after=st.one_of(st.none(), st.sampled_from(["0", "1", "86400", "-5", "soon", ""])),
    )


ENDPOINTS = {
    ("GET", "/sync/activities"): activities_body,
    ("GET", "/sync/ratings/movies"): ratings_body("movies", "movie"),
    ("GET", "/sync/ratings/shows"): ratings_body("shows", "show"),
    ("GET", "/sync/ratings/anime"): ratings_body("anime", "show"),
    ("POST", "/users/settings"): settings_body,
    ("POST", "/sync/ratings/remove"): push_body,
    ("POST", "/sync/ratings"): push_body,
}


@dataclass
class Case:
    """One run: a generated reply per endpoint (None: the sandbox's own), and its options."""

    answers: dict[tuple[str, str], Reply | None] = field(default_factory=dict)
    stalled: tuple[str, str] | None = None  # this endpoint never answers (rare: it costs time)
    two_way: bool = False
    mode: Mode = Mode.SYNC
    policy: Policy = Policy.SIMKL_WINS
    baseline: bool = True  # a previous good sync's state is there (its cache and Kodi baseline)

    def answer(self, req: Request) -> Response | None:
        if self.stalled is not None and _for(self.stalled, req):
            return Response(200, custom=stall(30))
        for endpoint, reply in self.answers.items():
            if reply is not None and _for(endpoint, req):
                return reply.response()
        return None


def _for(endpoint: tuple[str, str], req: Request) -> bool:
    method, prefix = endpoint
    return req.method == method and req.path.startswith(prefix)


cases = st.builds(
    Case,
    answers=st.fixed_dictionaries(
        {endpoint: st.one_of(st.none(), replies(body)) for endpoint, body in ENDPOINTS.items()}
    ),
    stalled=st.one_of(*[st.none()] * 19, st.sampled_from(list(ENDPOINTS))),
    two_way=st.booleans(),
    mode=st.sampled_from([Mode.SYNC, Mode.SYNC, Mode.REBUILD]),
    policy=st.sampled_from(list(Policy)),
    baseline=st.booleans(),
)

# -- the harness ---------------------------------------------------------------------------------


class FuzzEnv:
    """A sandbox with the engine tests' account, a Kodi library, and the state two good syncs
    left (one-way and two-way), taken once; every case starts from copies of them."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.sandbox = SimklSandbox(copy.deepcopy(ACCOUNT), client_ids=(CLIENT,)).start()
        self.token = self.sandbox.issue_token()
        kodi = FakeKodiLibrary()
        build_library(kodi)
        self.baseline = os.path.join(root, "baseline")
        report = self.run(Case(two_way=True), kodi, self.baseline)
        assert report.result == "ok", report.error
        kodi.tables["movies"][3]["userrating"] = 8  # an edit in Kodi: two-way pushes it
        kodi.requests.clear()
        self.kodi = kodi
        self.count = 0

    def close(self) -> None:
        self.sandbox.stop()

    def client(self) -> SimklClient:
        retry = RetryPolicy(retries=2, base_delay=0.0, jitter=0.0, budget=BUDGET, min_try=MIN_TRY)
        return SimklClient(
            self.sandbox.url,
            CLIENT,
            "0.1.0",
            token=self.token,
            timeout=(DEADLINE, DEADLINE),
            deadline=DEADLINE,
            retry=retry,
            wait=lambda seconds: False,
        )

    def run(self, case: Case, kodi: FakeKodiLibrary, profile: str) -> Report:
        options = SyncOptions(
            types=SIMKL_TYPES,
            mode=case.mode,
            policy=case.policy,
            two_way=case.two_way,
            account_id=7,
            wait=lambda seconds: False,
        )
        library = KodiLibrary(JsonRpc(kodi.handle))
        return run_sync(self.client(), library, options, None, SyncStateStore(profile))

    def check(self, case: Case) -> Outcome:
        """One run of `case`, measured; raises on what must never happen."""
        self.count += 1
        profile = tempfile.mkdtemp(dir=self.root)
        if case.baseline:
            shutil.copytree(self.baseline, profile, dirs_exist_ok=True)
        kodi = copy.deepcopy(self.kodi)
        self.sandbox.serve_generated(case.answer)
        lines = _LongestLine()
        logger = logging.getLogger("simkl_ratings")
        logger.addHandler(lines)
        tracemalloc.start()
        began = time.monotonic()
        try:
            report = self.run(case, kodi, profile)
            took = time.monotonic() - began
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            logger.removeHandler(lines)
            self.sandbox.serve_generated(None)
        try:
            outcome = Outcome(report, took, peak, kodi_writes(kodi), lines.longest)
            path = os.path.join(profile, "last_sync.json")
            save_report(path, report)  # what both shells do next
            assert load_report(path) is not None
            SyncStateStore(profile).load()  # what the next run does first
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        return outcome


@dataclass
class Outcome:
    report: Report
    seconds: float
    peak: int
    writes: list[Any]
    longest_log_line: int = 0


class _LongestLine(logging.Handler):
    """The length of the longest line the run logged (any level)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.longest = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.longest = max(self.longest, len(record.getMessage()))


def kodi_writes(kodi: FakeKodiLibrary) -> list[Any]:
    """The userrating of every Set…Details call Kodi received, as sent."""
    values = []
    for request in kodi.requests:
        for call in request if isinstance(request, list) else [request]:
            method = call.get("method", "") if isinstance(call, dict) else ""
            if method.startswith("VideoLibrary.Set") and method.endswith("Details"):
                values.append((call.get("params") or {}).get("userrating", "missing"))
    return values
