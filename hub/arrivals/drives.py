"""How fast a truck usually gets from one stop to the next, learnt from the weeks before.

A leg's usual speed is the straight-line distance between its stops over the time the trucks
really drove it: from leaving one stop to arriving at the next, less the time they stood on
the way (a truck that is early waits in a lay-by; the hub's track shows it standing). It is
the median of the last weeks, so one day behind a tractor does not change it. A leg never
driven before (a new stop, a stop skipped today) gets the median speed of all legs, and
with no history at all ``DEFAULT_KMH``.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.arrivals.stop_events import StopEvent, stop_events
from hub.store import HubStore
from tourkasse.geo import distance_m
from tourkasse.tour import TourPlan

DEFAULT_KMH = 30.0  # straight line: about 40 km/h on the roads between villages
STANDING_CM_S = 100  # slower than this the truck stands
LONGEST_LEG = timedelta(hours=3)  # more between two stops is a break, not a drive
SLOWEST_KMH, FASTEST_KMH = 3.0, 120.0  # outside this a measured leg is a fault, not a speed

Leg = tuple[str, str]  # (from stop, to stop); the depot is "depot:<tour id>"


@dataclass(frozen=True)
class UsualSpeeds:
    """Straight-line metres per second, per leg and over all legs."""

    legs: Mapping[Leg, float]
    overall: float

    def of(self, leg: Leg) -> float:
        return self.legs.get(leg, self.overall)


def places(plan: TourPlan) -> dict[str, tuple[float, float]]:
    """Where each stop and each tour's depot is."""
    found: dict[str, tuple[float, float]] = {}
    for tour in plan.tours:
        found[depot(tour.id)] = (tour.depot.lat, tour.depot.lon)
        for stop in tour.stops:
            found.setdefault(stop.id, (stop.lat, stop.lon))
    return found


def depot(tour_id: str) -> str:
    return f"depot:{tour_id}"


def usual_speeds(store: HubStore, plan: TourPlan, since: datetime, until: datetime) -> UsualSpeeds:
    """The usual speeds on the legs driven from ``since`` to before ``until``."""
    where = places(plan)
    measured: dict[Leg, list[float]] = {}
    by_truck: dict[str, list[StopEvent]] = {}
    for event in stop_events(store, since, until):
        by_truck.setdefault(event.truck, []).append(event)
    for truck, events in by_truck.items():
        legs = list(_legs(events))
        if not legs:
            continue
        standing = _standing(store, truck, legs[0][1], legs[-1][2])
        for (origin, target), left, arrived in legs:
            if origin not in where or target not in where:
                continue
            driven = (arrived - left) - _overlap(standing, left, arrived)
            metres = distance_m(*where[origin], *where[target])
            if driven.total_seconds() <= 0 or metres < 1:
                continue
            speed = metres / driven.total_seconds()
            if SLOWEST_KMH / 3.6 <= speed <= FASTEST_KMH / 3.6:
                measured.setdefault((origin, target), []).append(speed)
    legs = {leg: statistics.median(speeds) for leg, speeds in measured.items()}
    overall = statistics.median(legs.values()) if legs else DEFAULT_KMH / 3.6
    return UsualSpeeds(legs, overall)


def _legs(events: list[StopEvent]) -> Iterator[tuple[Leg, datetime, datetime]]:
    """(leg, left, arrived) for each departure followed by an arrival elsewhere."""
    for before, after in itertools.pairwise(events):
        if before.arrived or not after.arrived or before.stop is None or after.stop is None:
            continue
        if before.stop == after.stop or after.at - before.at > LONGEST_LEG:
            continue
        yield (before.stop, after.stop), before.at, after.at


def _standing(
    store: HubStore, truck: str, since: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """The stretches the hub's track shows the truck standing, from ``since`` to ``until``."""
    stretches = []
    start: datetime | None = None
    last: datetime | None = None
    for point in store.track(truck, since):
        at = datetime.fromisoformat(point.time)
        if at > until:
            break
        if point.speed_cm_s < STANDING_CM_S:
            start = start or at
        elif start is not None and last is not None:
            stretches.append((start, last))
            start = None
        last = at
    if start is not None and last is not None:
        stretches.append((start, last))
    return stretches


def _overlap(
    stretches: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> timedelta:
    total = timedelta()
    for a, b in stretches:
        low, high = max(a, start), min(b, end)
        if high > low:
            total += high - low
    return total
