"""A simulated driving day behaves like the truck: drives, slows, parks, waits, loses the sky."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import pytest

from tests.truck.devices.gps.conftest import DEPOT, LEAVE, TOUR, at
from truck.devices.gps.drive import (
    LATE_MIN_DWELL,
    LAYBY_BEFORE_M,
    PARKING_M,
    RESUME_AHEAD_MAX,
    Day,
    Halt,
    Outage,
    Sample,
    drive_day,
    nmea_log,
)
from truck.devices.gps.geo import distance_m

CRUISE_KMH = 70
VILLAGE_KMH = 40
STANDING = 0.5  # m/s: below this a receiver's speed is noise
OUTAGES = (Outage(at(5), at(6.5)), Outage(at(30), at(31)))  # driving; standing at a halt


def day(**changes) -> Day:
    arguments = {"outages": OUTAGES, "end": DEPOT, "seed": 7, **changes}
    return drive_day(DEPOT, LEAVE, TOUR, **arguments)


@pytest.fixture(scope="module")
def full_day() -> Day:
    return day()


def position(sample: Sample) -> tuple[float, float]:
    return sample.lat, sample.lon


def during(samples, start, end):
    return [s for s in samples if start <= s.time <= end]


def test_samples_come_every_interval_from_leaving(full_day):
    assert full_day.samples[0].time == LEAVE
    for k, sample in enumerate(full_day.samples):
        assert sample.time == LEAVE + timedelta(seconds=k)
    half = day(interval=0.5)
    assert [s.time for s in half.samples[:3]] == [
        LEAVE + timedelta(seconds=k / 2) for k in range(3)
    ]
    assert len(half.samples) == pytest.approx(2 * len(full_day.samples), abs=2)


def test_reported_speeds_are_those_of_a_truck(full_day):
    speeds = [s.speed for s in full_day.samples]
    assert min(speeds) >= 0
    assert max(speeds) <= CRUISE_KMH / 3.6 + 0.5
    assert max(speeds) >= CRUISE_KMH / 3.6 - 0.5  # the long legs are driven at cruising speed
    changes = [abs(b - a) for a, b in pairwise(speeds)]
    assert max(changes) < 2.0  # m/s per second: no jumps, no emergency stops


def test_reported_speed_agrees_with_the_distance_driven():
    samples = day(jitter_m=0).samples
    pairs = list(pairwise(samples))
    driven = [distance_m(position(a), position(b)) for a, b in pairs]
    reported = [(a.speed + b.speed) / 2 for a, b in pairs]
    assert all(d <= r + 0.6 for d, r in zip(driven, reported, strict=True))
    # Shorter only where a second cuts across a bend of the road.
    agreeing = sum(abs(d - r) <= 0.6 for d, r in zip(driven, reported, strict=True))
    assert agreeing >= 0.995 * len(pairs)


def test_the_truck_stands_near_each_halt_from_arrival_to_departure(full_day):
    exact = day(jitter_m=0)
    for halt, visit, exact_visit in zip(TOUR, full_day.visits, exact.visits, strict=True):
        standing = during(full_day.samples, visit.arrived, visit.departed)
        assert len(standing) >= (visit.departed - visit.arrived).total_seconds() - 1
        for sample in standing:
            assert sample.speed < STANDING
            assert distance_m(position(sample), (halt.lat, halt.lon)) <= PARKING_M[1] + 3.0
        # Parked beside the halt's point, not on it.
        for sample in during(exact.samples, exact_visit.arrived, exact_visit.departed):
            assert PARKING_M[0] - 0.01 <= distance_m(position(sample), (halt.lat, halt.lon))


def test_visits_keep_the_schedule_where_the_road_allows(full_day):
    early, little_late, late, too_late = full_day.visits
    assert [v.name for v in full_day.visits] == [h.name for h in TOUR]
    # Early: it arrives shortly before the scheduled time, not as early as it could have.
    assert at(20) - RESUME_AHEAD_MAX <= early.arrived <= at(20)
    assert early.departed == at(50)
    # Late: arrives late and leaves as scheduled, since there is still time to sell.
    assert little_late.arrived > at(52)
    assert little_late.departed == at(70)
    assert late.arrived > at(75) + timedelta(minutes=2)
    assert late.departed == at(90)
    # Later than the scheduled departure: it still stays as long as scheduled (3 minutes).
    assert too_late.arrived > at(95)
    assert too_late.departed - too_late.arrived == min(LATE_MIN_DWELL, timedelta(minutes=3))


def test_an_early_truck_waits_in_a_layby_not_at_the_halt(full_day):
    lindenhof = (TOUR[0].lat, TOUR[0].lon)
    early = full_day.visits[0]
    waiting = [
        s
        for s in during(full_day.samples, LEAVE, early.arrived - timedelta(seconds=1))
        if s.speed < STANDING and s.time > LEAVE + timedelta(seconds=5)
    ]
    assert len(waiting) > 10 * 60  # it was a quarter of an hour early
    for sample in waiting:
        assert distance_m(position(sample), lindenhof) == pytest.approx(LAYBY_BEFORE_M, abs=20)


def test_approaching_a_halt_the_truck_slows_to_village_speed_and_brakes(full_day):
    for halt, visit in zip(TOUR, full_day.visits, strict=True):
        approach = during(full_day.samples, visit.arrived - timedelta(minutes=3), visit.arrived)
        near = [s for s in approach if distance_m(position(s), (halt.lat, halt.lon)) < 350]
        assert near, halt.name
        assert all(s.speed <= VILLAGE_KMH / 3.6 + 0.5 for s in near)
        assert approach[-1].speed < 3.0  # braking to a stop, not arriving at speed


def test_a_leg_with_a_route_follows_the_road(full_day):
    bend = TOUR[1].route[0]
    leg = during(full_day.samples, full_day.visits[0].departed, full_day.visits[1].arrived)
    assert min(distance_m(position(s), bend) for s in leg) < 10
    # A straight line from Lindenhof to the Dorfplatz passes 260 m from that bend.
    straight = drive_day(DEPOT, LEAVE, [TOUR[0], replace(TOUR[1], route=())], seed=7)
    leg = during(straight.samples, straight.visits[0].departed, straight.visits[1].arrived)
    assert min(distance_m(position(s), bend) for s in leg) > 200


def test_samples_in_an_outage_have_no_fix(full_day):
    for sample in full_day.samples:
        inside = any(o.start <= sample.time < o.end for o in OUTAGES)
        assert sample.valid is not inside
    assert sum(not s.valid for s in full_day.samples) == 90 + 60


def test_the_same_seed_gives_the_same_day_another_seed_another(full_day):
    assert day() == full_day
    other = day(seed=8)
    assert other.samples[100] != full_day.samples[100]


def test_the_position_error_stays_within_jitter_and_drifts_slowly(full_day):
    exact = day(jitter_m=0)
    errors = [
        distance_m(position(a), position(b))
        for a, b in zip(full_day.samples, exact.samples, strict=True)
    ]
    assert max(errors) <= 3.0 + 1e-6
    assert sum(errors) / len(errors) > 1.0  # there is an error, of about the size asked for
    # A standing truck does not jump metres from second to second.
    standing = during(full_day.samples, full_day.visits[0].arrived, full_day.visits[0].departed)
    steps = [distance_m(position(a), position(b)) for a, b in pairwise(standing)]
    assert max(steps) < 2.0


def test_the_day_ends_at_the_end_point_or_at_the_last_departure(full_day):
    last = full_day.samples[-1]
    assert distance_m(position(last), DEPOT) < 5
    assert last.speed < STANDING
    assert last.time > full_day.visits[-1].departed + timedelta(minutes=5)
    without_end = day(end=None)
    assert without_end.samples[-1].time - without_end.visits[-1].departed < timedelta(seconds=1)
    assert without_end.samples[:1000] == full_day.samples[:1000]


def test_the_nmea_log_has_rmc_and_gga_per_sample_with_crlf():
    short = Day(day().samples[:400], ())  # the first outage starts at 5 minutes
    log = nmea_log(short)
    lines = log.split("\r\n")
    assert lines[-1] == ""  # ends with a line end
    assert len(lines) - 1 == 2 * len(short.samples)
    assert [line[:6] for line in lines[:4]] == ["$GPRMC", "$GPGGA", "$GPRMC", "$GPGGA"]
    assert "\n" not in log.replace("\r\n", "")
    no_fix = [line for line in lines if line.startswith("$GPRMC") and ",V," in line]
    assert len(no_fix) == sum(not s.valid for s in short.samples) > 0


def test_times_without_zone_and_departures_before_arrivals_are_refused():
    with pytest.raises(ValueError, match="Zeitzone"):
        drive_day(DEPOT, LEAVE.replace(tzinfo=None), TOUR)
    backwards = Halt("Rückwärts", 51.34, 9.52, at(20), at(10))
    with pytest.raises(ValueError, match="Abfahrt vor Ankunft"):
        drive_day(DEPOT, LEAVE, [backwards])


def test_a_late_truck_stays_its_late_stay_until_it_has_caught_up():
    # Hof Meier is reached late; staff stay 12 of the 15 minutes, so it leaves after 90
    halts = list(TOUR)
    halts[2] = replace(halts[2], late_stay=timedelta(minutes=12))
    _, _, late, _ = drive_day(DEPOT, LEAVE, halts, seed=7).visits
    assert late.arrived > at(78)
    assert late.departed == late.arrived + timedelta(minutes=12)
    assert late.departed > at(90)


def test_a_hold_up_makes_the_leg_that_much_longer_standing_halfway():
    held = list(TOUR)
    held[1] = replace(held[1], hold_up=timedelta(minutes=4))
    plain = drive_day(DEPOT, LEAVE, TOUR, seed=7, interval=5)
    slow = drive_day(DEPOT, LEAVE, held, seed=7, interval=5)
    delay = slow.visits[1].arrived - plain.visits[1].arrived
    # a little more than the four minutes: it brakes to a stand and pulls away again
    assert timedelta(minutes=4) < delay < timedelta(minutes=4, seconds=40)
    departed = plain.visits[0].departed
    standing = [
        s
        for s in during(slow.samples, departed + timedelta(seconds=30), slow.visits[1].arrived)
        if s.speed < STANDING
    ]
    assert len(standing) * 5 >= 4 * 60 - 5  # four minutes standing between the two halts
