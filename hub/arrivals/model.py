"""What a stop's board says about today: the state of the visit and, ahead, the expected time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class State(StrEnum):
    EXPECTED = "expected"  # kommt ca. 10:12 (+8 min): predicted from the truck's live data
    SCHEDULED = "scheduled"  # laut Fahrplan 10:30: no live basis (not yet, or too old)
    HERE = "here"  # ist da: standing at the stop
    VISITED = "visited"  # war heute da (10:02–10:41)
    MISSED = "missed"  # the truck went on to later stops without one being seen here
    CANCELLED = "cancelled"  # fällt heute aus: reason


@dataclass(frozen=True)
class Arrival:
    """Today's visit of one stop, as the board and the operator see it (times UTC)."""

    stop: str
    name: str
    tour: str
    truck: str
    state: State
    planned: datetime  # arrival by the plan
    planned_depart: datetime
    expected: datetime | None = None  # EXPECTED: the predicted arrival
    arrived: datetime | None = None  # HERE, VISITED
    departed: datetime | None = None  # VISITED
    reason: str = ""  # CANCELLED: what the operator wrote
    basis_at: datetime | None = None  # the truck's latest word the prediction rests on
    silent_for: timedelta | None = None  # set when the truck has been silent too long
    overdue: bool = False  # SCHEDULED, and the planned stay is over without word of a visit

    @property
    def delay_minutes(self) -> int:
        """Minutes behind the plan (negative: ahead), for EXPECTED."""
        if self.expected is None:
            return 0
        # half a minute and more counts as a minute, as the rounded clock time on the board
        return math.floor((self.expected - self.planned).total_seconds() / 60 + 0.5)

    def text(self, zone: ZoneInfo) -> str:
        """The state in the words of the board, e.g. ``kommt ca. 10:12 (+8 min)``."""
        match self.state:
            case State.EXPECTED:
                assert self.expected is not None
                delay = self.delay_minutes
                when = f"kommt ca. {_clock(self.expected + timedelta(seconds=30), zone)}"
                if delay == 0:
                    return f"{when} (pünktlich)"
                return f"{when} ({delay:+d} min)"
            case State.SCHEDULED if self.overdue:
                span = f"{_clock(self.planned, zone)}–{_clock(self.planned_depart, zone)}"
                return f"laut Fahrplan {span}, keine Meldung vom Wagen"
            case State.SCHEDULED:
                return f"kommt laut Fahrplan um {_clock(self.planned, zone)}"
            case State.HERE:
                return "ist da"
            case State.VISITED:
                if self.arrived is None and self.departed is None:
                    return "war heute da"
                if self.departed is None:
                    assert self.arrived is not None
                    return f"war heute da (ab {_clock(self.arrived, zone)})"
                if self.arrived is None:
                    return f"war heute da (bis {_clock(self.departed, zone)})"
                span = f"{_clock(self.arrived, zone)}–{_clock(self.departed, zone)}"
                return f"war heute da ({span})"
            case State.MISSED:
                return "heute kein Halt erfasst"
            case State.CANCELLED:
                return f"fällt heute aus: {self.reason}" if self.reason else "fällt heute aus"

    def basis_text(self, zone: ZoneInfo) -> str:
        """When the truck is silent: how old the basis is, e.g. ``Stand 10:05, seit 12 min
        keine Verbindung zum Wagen``; empty otherwise."""
        if self.silent_for is None:
            return ""
        minutes = int(self.silent_for.total_seconds() // 60)
        silent = f"seit {minutes} min keine Verbindung zum Wagen"
        if self.state is State.SCHEDULED or self.basis_at is None:
            return f"{silent} – Zeit laut Fahrplan"
        return f"Stand {_clock(self.basis_at, zone)}, {silent}"


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    """The time of day, as on a clock (the minute begun; ``text`` rounds expectations)."""
    return moment.astimezone(zone).strftime("%H:%M")
