"""The rating value object: an integer 1..10, or nothing.

Kodi silently clears a rating when sent 0, 11 or -1, so nothing outside 1..10 may ever become a
`Rating`; the writer only accepts `Rating` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class InvalidRating(ValueError):
    """A value that is not an integer from 1 to 10."""


@dataclass(frozen=True, order=True)
class Rating:
    value: int

    MIN = 1
    MAX = 10

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise InvalidRating(f"not an integer: {self.value!r}")
        if not self.MIN <= self.value <= self.MAX:
            raise InvalidRating(f"out of range 1..10: {self.value!r}")

    @classmethod
    def parse(cls, raw: Any) -> Rating:
        """A Rating from a Simkl `user_rating`; integral numbers only (8 or "8", never 7.5)."""
        if isinstance(raw, bool) or raw is None:
            raise InvalidRating(f"not an integer: {raw!r}")
        if isinstance(raw, float):
            if not raw.is_integer():
                raise InvalidRating(f"not an integer: {raw!r}")
            raw = int(raw)
        if isinstance(raw, str):
            text = raw.strip()
            if not text.isdigit() or not text.isascii():
                raise InvalidRating(f"not an integer: {raw!r}")
            raw = int(text)
        if not isinstance(raw, int):
            raise InvalidRating(f"not an integer: {raw!r}")
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
