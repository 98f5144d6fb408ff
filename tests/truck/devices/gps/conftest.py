"""A short tour in Nordhessen to drive, and a clock the tests set by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from truck.devices.gps.drive import Halt

LEAVE = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
DEPOT = (51.3127, 9.4797)


def at(minutes: float) -> datetime:
    return LEAVE + timedelta(minutes=minutes)


TOUR = (
    # 4 km, plenty of time: the truck is early.
    Halt("Seniorenheim Lindenhof", 51.3400, 9.5200, at(20), at(50)),
    # 1.8 km along the road through two points, 2 minutes for it: a little late.
    Halt(
        "Dorfplatz Wolfsanger",
        51.3300,
        9.5400,
        at(52),
        at(70),
        route=((51.3380, 9.5300), (51.3330, 9.5320)),
    ),
    # 8.7 km in 5 minutes: late, but still leaves on time.
    Halt("Hof Meier", 51.4000, 9.6000, at(75), at(90)),
    # 5 km in 2 minutes, 3 minutes' stay: arrives after the scheduled departure.
    Halt("Kirche Ihringshausen", 51.3650, 9.5400, at(92), at(95)),
)


class SetClock:
    """An injected clock that says what the test set."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def tour() -> tuple[Halt, ...]:
    return TOUR
