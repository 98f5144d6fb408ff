"""The adapter against a real gpsd, fed a simulated drive by gpsfake (Debian gpsd-clients).

gpsfake replays a second of the log every 0.02 s (two sentences, ``-c 0.01``). Nothing waits by
sleeping: the tests poll the adapter until what they expect has happened, with a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.truck.devices.gps.conftest import DEPOT, LEAVE, TOUR, SetClock
from truck.devices.gps import gpsfake
from truck.devices.gps.drive import Day, Outage, Sample, drive_day, nmea_log
from truck.devices.gps.fix import Fix, GpsState
from truck.devices.gps.gpsd_source import GpsdSource
from truck.devices.gps.gpsfake import GpsFake, wait_for_fix

CYCLE = 0.01  # seconds after each sentence
DEADLINE = 15.0  # seconds; each replay below takes about a second
A_DAY = timedelta(days=1)


def short_drive(*outages: Outage) -> Day:
    """The first 50 seconds of the tour: pulling away from the depot and up to speed."""
    whole = drive_day(DEPOT, LEAVE, TOUR[:1], outages=outages, seed=3)
    return Day(whole.samples[:50], ())


def write_log(day: Day, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(nmea_log(day).encode("ascii"))
    return path


def poll_until(
    gps: GpsdSource, done: Callable[[GpsState, Fix | None], bool]
) -> list[tuple[GpsState, Fix | None]]:
    """Every reading until ``done`` says so; fails the test after the deadline."""
    try:
        return gpsfake.poll_until(gps, done, DEADLINE)
    except TimeoutError as late:
        pytest.fail(str(late))


def time_is(moment: datetime) -> Callable[[GpsState, Fix | None], bool]:
    return lambda state, fix: fix is not None and fix.time == moment


@dataclass
class Replay:
    day: Day
    fake: GpsFake
    readings: list[tuple[GpsState, Fix | None]]


OUTAGE = Outage(LEAVE + timedelta(seconds=20), LEAVE + timedelta(seconds=32))


@pytest.fixture(scope="module")
def replay(tmp_path_factory) -> Iterator[Replay]:
    """The short drive with a stretch without fix, read through once while gpsd replays it."""
    day = short_drive(OUTAGE)
    log = write_log(day, tmp_path_factory.mktemp("gps"), "drive.nmea")
    with GpsFake(log, cycle=CYCLE, once=True) as fake:
        last = day.samples[-1].time
        with GpsdSource(port=fake.port, max_age=A_DAY, clock=SetClock(last)) as gps:
            readings = poll_until(gps, time_is(last))
        yield Replay(day, fake, readings)


def test_fixes_from_gpsd_have_the_logged_positions_and_times(replay):
    logged = {sample.time: sample for sample in replay.day.samples}
    fixes = [fix for state, fix in replay.readings if fix is not None]
    assert all(state is GpsState.FIX for state, fix in replay.readings if fix is not None)
    for fix in fixes:
        sample = logged[fix.time]
        assert sample.valid
        assert fix.lat == pytest.approx(sample.lat, abs=1e-6)  # 1e-6° ≈ 0.1 m
        assert fix.lon == pytest.approx(sample.lon, abs=1e-6)
        assert fix.speed == pytest.approx(sample.speed, abs=0.01)
        assert fix.track == pytest.approx(sample.track, abs=0.06)
        assert fix.mode >= 2
    times = [fix.time for fix in fixes]
    assert times == sorted(times)
    # Polled every 5 ms while a second of the log passes every 20 ms, the adapter keeps up.
    assert len(set(times)) >= 0.33 * sum(sample.valid for sample in replay.day.samples)
    assert max(fix.speed for fix in fixes) > 8  # really driving, not standing at the depot


def test_the_stretch_without_fix_reads_as_no_fix(replay):
    first_fix = next(i for i, (_, fix) in enumerate(replay.readings) if fix is not None)
    states = [state for state, _ in replay.readings[first_fix:]]
    runs = [state for i, state in enumerate(states) if i == 0 or state is not states[i - 1]]
    assert runs == [GpsState.FIX, GpsState.NO_FIX, GpsState.FIX]
    fix_times = [fix.time for _, fix in replay.readings if fix is not None]
    assert not [t for t in fix_times if OUTAGE.start <= t < OUTAGE.end]
    seen_before = max(t for t in fix_times if t < OUTAGE.start)
    seen_after = min(t for t in fix_times if t >= OUTAGE.end)
    assert seen_before >= OUTAGE.start - timedelta(seconds=3)
    assert seen_after <= OUTAGE.end + timedelta(seconds=3)


def test_a_fix_that_stops_coming_turns_stale(tmp_path):
    # The log runs out: the last fix stays the last, while the (injected) time goes on. A
    # replay of its own, read while it plays: long after a replay has ended (a busy machine
    # running other tests first), gpsd itself may no longer report the device's fix.
    day = short_drive()
    last: Sample = day.samples[-1]
    clock = SetClock(last.time + timedelta(seconds=2))
    with (
        GpsFake(write_log(day, tmp_path, "drive.nmea"), cycle=CYCLE, once=True) as fake,
        GpsdSource(port=fake.port, max_age=timedelta(seconds=10), clock=clock) as gps,
    ):
        state, fix = poll_until(gps, time_is(last.time))[-1]
        assert state is GpsState.FIX
        clock.now = last.time + timedelta(seconds=11)
        state, stale = gps.read()
    assert state is GpsState.STALE
    assert stale == fix
    assert stale is not None and stale.lat == pytest.approx(last.lat, abs=1e-6)


def test_gpsd_gone_reads_as_down_and_a_new_gpsd_is_found_again(tmp_path):
    log = write_log(short_drive(), tmp_path, "drive.nmea")
    gps = GpsdSource(max_age=A_DAY, clock=SetClock(LEAVE), timeout=0.5)
    try:
        with GpsFake(log, cycle=CYCLE) as first:
            gps.port = first.port
            wait_for_fix(gps, DEADLINE)
        started = time.monotonic()
        assert gps.read() == (GpsState.GPSD_DOWN, None)  # the connection it had
        assert gps.read() == (GpsState.GPSD_DOWN, None)  # nobody listening
        assert time.monotonic() - started < 1.0
        # played again and again: however long the adapter takes to find the new gpsd (a
        # busy machine), a fix is still coming when it does
        with GpsFake(log, cycle=CYCLE, port=first.port, once=False):
            fix = wait_for_fix(gps, DEADLINE)  # the same adapter, without any help
            assert gps.read()[0] is GpsState.FIX
        assert LEAVE <= fix.time <= LEAVE + timedelta(seconds=50)
    finally:
        gps.close()


def test_in_loop_mode_the_log_plays_again_and_again(tmp_path):
    day = Day(short_drive().samples[:15], ())
    log = write_log(day, tmp_path, "loop.nmea")
    with (
        GpsFake(log, cycle=CYCLE, once=False) as fake,
        GpsdSource(port=fake.port, max_age=A_DAY, clock=SetClock(LEAVE)) as gps,
    ):
        seen: list[datetime] = []

        def went_back(state: GpsState, fix: Fix | None) -> bool:
            if fix is not None:
                seen.append(fix.time)
            return len(seen) > 1 and seen[-1] < seen[-2]

        poll_until(gps, went_back)
    assert seen[-1] <= day.samples[2].time  # back at the beginning of the log
    assert seen[-2] >= day.samples[-3].time  # from its end
