"""The one clock. Everything that asks "what time is it" asks here, so tests and replays can set it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class FixedClock:
    """A clock that stands still unless told, ticking `step` per reading so stored rows keep their order."""

    def __init__(self, at: datetime, step: timedelta = timedelta(microseconds=1)) -> None:
        self.at = at if at.tzinfo else at.replace(tzinfo=UTC)
        self.step = step

    def __call__(self) -> datetime:
        now = self.at
        self.at = self.at + self.step
        return now

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta


_clock: Clock = system_clock


def utcnow() -> datetime:
    """Now, in UTC, from the clock in force (the system clock unless one was set)."""
    return _clock()


def set_clock(clock: Clock | None) -> Clock:
    """Put `clock` in force (None: the system clock); returns the one it replaced."""
    global _clock
    previous, _clock = _clock, (clock or system_clock)
    return previous


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)
