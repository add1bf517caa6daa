"""Building sandbox accounts in tests: one row builder for every test that needs one."""

from __future__ import annotations

from typing import Any


def rated(
    simkl: int, title: str, year: Any, rating: Any, ids: dict, rated_at: str, **extra: Any
) -> dict[str, Any]:
    """One rated item in the sandbox's account-fixture format (see fixtures/*.json)."""
    return {
        "simkl": simkl,
        "title": title,
        "year": year,
        "ids": ids,
        "user_rating": rating,
        "user_rated_at": rated_at,
        "status": "completed",
        **extra,
    }
