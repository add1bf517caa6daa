"""Shared builders for the engine's unit tests."""

from __future__ import annotations

import pytest
from simkl_ratings.core.simkl.client import RetryPolicy, SimklClient

from tests.fakes.fake_kodi_rpc import FakeKodiLibrary

from .cli_env import cli  # noqa: F401 (a fixture for the command-line runner tests)
from .engine_env import engine, sandbox  # noqa: F401 (fixtures for the engine tests)
from .rate_env import movie, show  # noqa: F401 (a library for the rating tests)
from .shell_env import env  # noqa: F401 (a fixture for the shell tests)

API = "https://api.simkl.test"
TOKEN = "a" * 64
CLIENT_ID = "unit-client-id"


class Waits:
    """A recording stand-in for time.sleep / waitForAbort: no real time passes."""

    def __init__(self, abort_after: int | None = None) -> None:
        self.calls: list[float] = []
        self.abort_after = abort_after

    def __call__(self, seconds: float) -> bool:
        self.calls.append(seconds)
        return self.abort_after is not None and len(self.calls) >= self.abort_after


@pytest.fixture(autouse=True)
def _no_toast_under_a_dialog():
    """A toast still on screen when a modal dialog opens takes the dialog's first Back in
    real Kodi, and closed early it can stall Kodi's toast queue: the shells never do that."""
    yield
    from tests.fakes import kodi_state  # noqa: PLC0415 (the state a test swapped in)

    assert kodi_state.state.toasts_under_modals == []


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def client(waits: Waits) -> SimklClient:
    return SimklClient(
        API,
        CLIENT_ID,
        "0.1.0",
        token=TOKEN,
        wait=waits,
        retry=RetryPolicy(retries=3, jitter=0.0),
    )


@pytest.fixture
def kodi() -> FakeKodiLibrary:
    return FakeKodiLibrary()


def movie_row(simkl, title, rating, year=2014, rated_at="2021-06-23T13:19:05.000Z", **ids):
    return {
        "user_rating": rating,
        "user_rated_at": rated_at,
        "status": "completed",
        "movie": {"title": title, "year": year, "ids": {"simkl": simkl, **ids}},
    }


def show_row(
    simkl,
    title,
    rating,
    year=2014,
    rated_at="2021-06-23T13:19:05.000Z",
    key="show",
    anime_type=None,
    **ids,
):
    row = {
        "user_rating": rating,
        "user_rated_at": rated_at,
        "status": "completed",
        key: {"title": title, "year": year, "ids": {"simkl": simkl, **ids}},
    }
    if anime_type is not None:
        row["anime_type"] = anime_type
    return row
