"""The rating value object: an integer 1..10, or nothing.

Kodi silently clears a rating when sent 0, 11 or -1, so nothing outside 1..10 may ever become a
`Rating`; the writer only accepts `Rating` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class InvalidRating(ValueError):
    """A value that is not an integer from 1 to 10."""


SHOWN = 40  # what an error quotes of a value at most: a reply may send megabytes


def _shown(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer past Python's digit limit
        return "a number too long to show"
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}… ({len(text)} characters)"


@dataclass(frozen=True, order=True)
class Rating:
    value: int

    MIN = 1
    MAX = 10

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise InvalidRating(f"not an integer: {_shown(self.value)}")
        if not self.MIN <= self.value <= self.MAX:
            raise InvalidRating(f"out of range 1..10: {_shown(self.value)}")

    @classmethod
    def parse(cls, raw: Any) -> Rating:
        """A Rating from a Simkl `user_rating`; integral numbers only (8 or "8", never 7.5)."""
        if isinstance(raw, bool) or raw is None:
            raise InvalidRating(f"not an integer: {_shown(raw)}")
        if isinstance(raw, float):
            if not raw.is_integer():
                raise InvalidRating(f"not an integer: {_shown(raw)}")
            raw = int(raw)
        if isinstance(raw, str):
            text = raw.strip()
            if not text.isdigit() or not text.isascii():
                raise InvalidRating(f"not an integer: {_shown(raw)}")
            if len(text) > 4:  # never 1..10; int() of a huge one is slow, or refused
                raise InvalidRating(f"out of range 1..10: {_shown(raw)}")
            raw = int(text)
        if not isinstance(raw, int):
            raise InvalidRating(f"not an integer: {_shown(raw)}")
        return cls(raw)

    @classmethod
    def from_kodi(cls, raw: Any) -> Rating | None:
        """Kodi's `userrating`: 0 (or anything unusable) means "not rated"."""
        try:
            return cls.parse(raw)
        except InvalidRating:
            return None

    def __str__(self) -> str:
        return str(self.value)
