"""Stop detection from fixes with their own times: arrivals and departures, and the traps."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from truck.core.stops import Geofence, Sighting, StopDetector, detect

T0 = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
SQUARE = Geofence("gimte", 51.4441, 9.6602, 80)
NEIGHBOUR = Geofence("volkmarshausen", 51.4468, 9.6735, 70)  # about 1 km east


def offset(fence: Geofence, east_m: float, north_m: float = 0.0) -> tuple[float, float]:
    lat = fence.lat + north_m / 111_195
    lon = fence.lon + east_m / (111_195 * math.cos(math.radians(fence.lat)))
    return lat, lon


def track(points: list[tuple[float, float, float]], step_s: int = 5) -> list[Sighting]:
    """Sightings every ``step_s`` seconds from (east metres from SQUARE, north metres, speed)."""
    sightings = []
    for index, (east, north, speed) in enumerate(points):
        lat, lon = offset(SQUARE, east, north)
        sightings.append(Sighting(T0 + timedelta(seconds=index * step_s), lat, lon, speed))
    return sightings


def approach_stand_leave(stand_s: int, *, jitter: float = 0.0, seed: int = 1):
    """From 600 m west at 14 m/s, halt 10 m from the square's point, stand, drive east."""
    rng = random.Random(seed)
    points = [(-600 + 70 * i, 0.0, 14.0) for i in range(8)]  # up to -110 m
    points += [(-60.0, 0.0, 6.0), (-20.0, 0.0, 2.0), (10.0, 0.0, 0.5)]
    points += [
        (10 + rng.gauss(0, jitter), rng.gauss(0, jitter), abs(rng.gauss(0, 0.2)))
        for _ in range(stand_s // 5)
    ]
    points += [(20.0, 0.0, 3.0), (60.0, 0.0, 8.0)] + [(130 + 70 * i, 0.0, 14.0) for i in range(8)]
    return track(points)


def test_a_stop_is_found_with_arrival_and_departure_at_the_right_fixes():
    sightings = approach_stand_leave(stand_s=600)
    events = detect([SQUARE], sightings)
    assert [(e.kind, e.stop_id) for e in events] == [
        ("arrival", "gimte"),
        ("departure", "gimte"),
    ]
    arrival, departure = events
    assert arrival.at == sightings[9].time  # the first slow fix inside: 20 m before the point
    # the first fix beyond the fence and its slack (80 m × 1.25): 130 m east of the point
    assert departure.at == next(s.time for s in sightings[12:] if s.speed == 14.0)


def test_passing_through_or_waiting_briefly_is_not_a_stop():
    through = track([(-600 + 50 * i, 0.0, 11.0) for i in range(25)])  # 40 km/h right across
    assert detect([SQUARE], through) == []
    brief = approach_stand_leave(stand_s=30)  # a junction: half a minute inside the fence
    assert detect([SQUARE], brief) == []


def test_jitter_of_a_parked_truck_does_not_end_the_stop():
    events = detect([SQUARE], approach_stand_leave(stand_s=1800, jitter=15.0, seed=7))
    assert [e.kind for e in events] == ["arrival", "departure"]


def test_a_lost_fix_at_the_stop_changes_nothing():
    sightings = approach_stand_leave(stand_s=900)
    without_fix = sightings[:20] + sightings[120:]  # ten minutes without any fix while standing
    events = detect([SQUARE], without_fix)
    assert [e.kind for e in events] == ["arrival", "departure"]
    assert events == detect([SQUARE], sightings)


def test_two_stops_close_together_are_two_visits():
    east = NEIGHBOUR
    first = approach_stand_leave(stand_s=300)[:-8]  # leaves the square eastwards …
    start = first[-1].time
    distance_east = (east.lon - SQUARE.lon) * 111_195 * math.cos(math.radians(SQUARE.lat))
    north = (east.lat - SQUARE.lat) * 111_195
    legs = []
    for i in range(1, 21):  # … drives straight to the neighbour, halts there
        f = i / 20
        legs.append(
            (start + timedelta(seconds=5 * i), distance_east * f, north * f, 12.0 * (1 - f))
        )
    legs += [(legs[-1][0] + timedelta(seconds=5 * i), distance_east, north, 0.1) for i in range(30)]
    second = [Sighting(t, *offset(SQUARE, e, n), speed) for t, e, n, speed in legs]
    events = detect([SQUARE, NEIGHBOUR], first + second)
    assert [(e.kind, e.stop_id) for e in events] == [
        ("arrival", "gimte"),
        ("departure", "gimte"),
        ("arrival", "volkmarshausen"),
    ]


def test_after_a_restart_at_a_stop_there_is_no_second_arrival():
    sightings = approach_stand_leave(stand_s=600)
    detector = StopDetector([SQUARE], at_stop="gimte")
    events = [e for s in sightings[30:] for e in detector.feed(s)]
    assert [e.kind for e in events] == ["departure"]


def test_fixes_out_of_order_are_ignored():
    sightings = approach_stand_leave(stand_s=600)
    shuffled = [*sightings[:50], sightings[10], *sightings[50:]]
    assert detect([SQUARE], shuffled) == detect([SQUARE], sightings)
