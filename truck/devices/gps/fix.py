"""A position fix as the receiver reported it, and the GPS state the till and the agent show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class Fix:
    """One fix with the receiver's own time (UTC), not the time it was read."""

    time: datetime  # timezone-aware UTC, from the satellites: right even when the Pi's clock is not
    lat: float  # degrees, north positive
    lon: float  # degrees, east positive
    speed: float  # m/s over ground
    track: float  # degrees from true north
    mode: int  # gpsd's mode: 0/1 no fix, 2 = 2D, 3 = 3D


class GpsState(StrEnum):
    """How good the position is right now; ``text`` is what the screen says about it."""

    FIX = "fix"
    NO_FIX = "no_fix"
    STALE = "stale"
    GPSD_DOWN = "gpsd_down"

    @property
    def text(self) -> str:
        return _TEXTS[self]


_TEXTS = {
    GpsState.FIX: "GPS-Position aktuell",
    GpsState.NO_FIX: "Kein GPS-Empfang",
    GpsState.STALE: "GPS-Position veraltet",
    GpsState.GPSD_DOWN: "GPS-Dienst nicht erreichbar",
}
