"""Noticing arrival at and departure from a stop, from a sequence of GPS fixes.

Pure: time comes from the fixes themselves, never from a clock, so a recorded or generated day
replays in seconds. The rules, and what each guards against:

- Arrival: inside a stop's geofence and slow (standing or rolling to a halt) for ``dwell``
  — driving through a village, or waiting at a junction inside the fence, is not a stop. The
  arrival time is the first such fix.
- Departure: outside the fence (with some slack, ``leave_factor``, so that position jitter of a
  parked truck does not count) for ``leave_after``, or far away at once. The departure time is
  the first fix outside.
- A lost fix changes nothing: the truck is where it was last seen until fixes say otherwise.
- Two stops close together: a fix belongs to the nearest fence it lies in; leaving one and
  arriving at the other are two events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from tourkasse.geo import distance_m


@dataclass(frozen=True)
class Geofence:
    stop_id: str
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class Sighting:
    """One fix: where the truck was at the fix's own time (UTC), and how fast (m/s)."""

    time: datetime
    lat: float
    lon: float
    speed: float


@dataclass(frozen=True)
class StopEvent:
    kind: Literal["arrival", "departure"]
    stop_id: str
    at: datetime


@dataclass(frozen=True)
class Rules:
    slow_mps: float = 2.5  # below this the truck is halting (about 9 km/h)
    dwell: timedelta = timedelta(seconds=60)
    leave_factor: float = 1.25
    leave_after: timedelta = timedelta(seconds=20)
    far_factor: float = 3.0  # this far out the truck has left, whatever the time


class StopDetector:
    """Feed fixes in time order; get arrivals and departures as they happen."""

    def __init__(
        self, fences: Sequence[Geofence], *, at_stop: str | None = None, rules: Rules = Rules()
    ) -> None:
        """``at_stop``: where the truck is already (the journal's last arrival, after a restart)."""
        self.fences = {fence.stop_id: fence for fence in fences}
        self.rules = rules
        self.at_stop = at_stop if at_stop in self.fences else None
        self._candidate: tuple[str, datetime] | None = None
        self._outside_since: datetime | None = None
        self._last_time: datetime | None = None

    def feed(self, sighting: Sighting) -> list[StopEvent]:
        if self._last_time is not None and sighting.time <= self._last_time:
            return []  # a repeated or out-of-order fix tells nothing new
        self._last_time = sighting.time
        events: list[StopEvent] = []
        if self.at_stop is not None:
            departure = self._check_departure(sighting)
            if departure is None:
                return events
            events.append(departure)
        arrival = self._check_arrival(sighting)
        if arrival is not None:
            events.append(arrival)
        return events

    def _check_departure(self, sighting: Sighting) -> StopEvent | None:
        assert self.at_stop is not None
        fence = self.fences[self.at_stop]
        distance = _distance(fence, sighting)
        if distance <= fence.radius_m * self.rules.leave_factor:
            self._outside_since = None
            return None
        if self._outside_since is None:
            self._outside_since = sighting.time
        far = distance > fence.radius_m * self.rules.far_factor
        if not far and sighting.time - self._outside_since < self.rules.leave_after:
            return None
        event = StopEvent("departure", self.at_stop, self._outside_since)
        self.at_stop = None
        self._outside_since = None
        self._candidate = None
        return event

    def _check_arrival(self, sighting: Sighting) -> StopEvent | None:
        fence = self._fence_of(sighting)
        if fence is None or sighting.speed > self.rules.slow_mps:
            self._candidate = None
            return None
        if self._candidate is None or self._candidate[0] != fence.stop_id:
            self._candidate = (fence.stop_id, sighting.time)
        stop_id, since = self._candidate
        if sighting.time - since < self.rules.dwell:
            return None
        self.at_stop = stop_id
        self._candidate = None
        return StopEvent("arrival", stop_id, since)

    def _fence_of(self, sighting: Sighting) -> Geofence | None:
        inside = [
            (distance, fence)
            for fence in self.fences.values()
            if (distance := _distance(fence, sighting)) <= fence.radius_m
        ]
        return min(inside, key=lambda pair: pair[0])[1] if inside else None


def detect(
    fences: Sequence[Geofence], sightings: Iterable[Sighting], *, rules: Rules = Rules()
) -> list[StopEvent]:
    """All arrivals and departures of a day's fixes."""
    detector = StopDetector(fences, rules=rules)
    return [event for sighting in sightings for event in detector.feed(sighting)]


def _distance(fence: Geofence, sighting: Sighting) -> float:
    return distance_m(fence.lat, fence.lon, sighting.lat, sighting.lon)
