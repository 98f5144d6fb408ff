"""A realistic driving day of the sales truck, as its GPS receiver reports it, for replay.

``drive_day`` is pure: the same arguments (and seed) give the same day, and every time comes
from ``leave_at`` and the halts — never from the wall clock — so a recorded day replays fast.

How the day is driven:

- The truck leaves ``start`` at ``leave_at`` and drives leg by leg, along the halt's ``route``
  points or straight. Speed is planned along the road (:mod:`truck.devices.gps.motion`):
  ``village_kmh`` in the last (and, leaving a halt, the first) ``VILLAGE_ZONE_M`` metres,
  ``cruise_kmh`` between, slower through bends, pulling away and braking to 0 at truck rates.
- It parks a few metres from the halt's point (``PARKING_M``, direction by seed), never on it.
- Late (the leg cannot be driven by the scheduled arrival): it arrives when it arrives and still
  stays ``LATE_MIN_DWELL`` (or the halt's ``late_stay``; the scheduled stay, if shorter) —
  customers are waiting — and leaves at the scheduled departure if it has caught up by then.
- Held up (the halt's ``hold_up``): halfway along the leg the truck stands that long.
- Early: the driver does not open the shop early. If the leg is long enough, the truck pulls in
  ``LAYBY_BEFORE_M`` metres before the halt (a lay-by outside the village, *not* at the halt),
  waits there, and drives on to arrive up to ``RESUME_AHEAD_MAX`` before the scheduled time.
  On a short leg there is no such place: it arrives early and waits at the halt. Either way it
  stays until the scheduled departure.
- After the last halt it drives to ``end``, or the day ends at the last departure.

What the receiver adds: a position error of up to ``jitter_m`` metres on every sample —
gaussian, but correlated over ``JITTER_CORRELATION`` like a real receiver's drift, so that a
standing truck does not appear to jump metres every second — a little speed noise (standing
still reads below 0.5 m/s, as real receivers do), and no fix inside an :class:`Outage`.
Standing, the reported track stays at the last heading. The true position is kept in samples
without fix too, but a receiver reports nothing there (see :func:`nmea_log`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from truck.devices.gps import nmea
from truck.devices.gps.geo import Point, offset
from truck.devices.gps.motion import Drive, Road

VILLAGE_ZONE_M = 400.0
PARKING_M = (4.0, 12.0)  # how far from the halt's point the truck parks
LATE_MIN_DWELL = timedelta(minutes=5)
LAYBY_BEFORE_M = 800.0
EARLY_ENOUGH_TO_WAIT = timedelta(minutes=2)  # less than this early: just arrive early
RESUME_AHEAD_MAX = timedelta(minutes=1)
JITTER_CORRELATION = timedelta(seconds=30)
STANDING_SPEED_SIGMA = 0.15  # m/s
STANDING_SPEED_MAX = 0.45  # m/s
MOVING_SPEED_SIGMA = 0.1  # m/s
TRACK_SIGMA = 1.0  # degrees


@dataclass(frozen=True)
class Halt:
    """One stop of the day as the driver drives it."""

    name: str
    lat: float
    lon: float
    arrive: datetime  # scheduled (UTC)
    depart: datetime  # scheduled (UTC)
    # Points of the road from the previous halt, without the halts themselves; empty: straight.
    route: tuple[tuple[float, float], ...] = ()
    # How long the staff stay when the truck is late (None: LATE_MIN_DWELL, or the scheduled
    # stay if shorter); a late truck never stays past the scheduled departure.
    late_stay: timedelta | None = None
    # Held up on the way here (road works, a level crossing): standing this long halfway.
    hold_up: timedelta = timedelta()


@dataclass(frozen=True)
class Outage:
    """A stretch without fix (forest, valley, standing in a hall): [start, end)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Visit:
    """What really happened at a halt: standing still from ``arrived`` to ``departed``."""

    name: str
    arrived: datetime
    departed: datetime


@dataclass(frozen=True)
class Sample:
    """What the receiver reported at one instant (``valid`` False: no fix)."""

    time: datetime  # UTC
    lat: float
    lon: float
    speed: float  # m/s
    track: float  # degrees from true north
    valid: bool


@dataclass(frozen=True)
class Day:
    samples: tuple[Sample, ...]
    visits: tuple[Visit, ...]


def drive_day(
    start: tuple[float, float],
    leave_at: datetime,
    halts: Sequence[Halt],
    *,
    interval: float = 1.0,
    cruise_kmh: float = 70,
    village_kmh: float = 40,
    jitter_m: float = 3.0,
    outages: Sequence[Outage] = (),
    seed: int = 0,
    end: tuple[float, float] | None = None,
) -> Day:
    """The day's samples every ``interval`` seconds from ``leave_at``, and the real visits."""
    _check(leave_at, halts, outages, interval, cruise_kmh, village_kmh, jitter_m)
    leave_at = leave_at.astimezone(UTC)
    plan = _Plan(leave_at, cruise_kmh / 3.6, village_kmh / 3.6, random.Random(f"{seed}:plan"))
    here: Point = start
    for halt in halts:
        here = plan.visit(here, halt)
    if end is not None:
        plan.drive(Road.through([here, end]), slow_start=True, slow_end=True)
    receiver = _Receiver(seed, interval, jitter_m)
    count = math.ceil(plan.clock / interval - 1e-9) + 1
    samples = []
    phase = 0
    for k in range(count):
        seconds = k * interval
        while phase < len(plan.phases) - 1 and seconds > plan.phases[phase].end:
            phase += 1
        point, speed, heading = plan.phases[phase].at(seconds) if plan.phases else (start, 0, 0)
        moment = leave_at + timedelta(seconds=seconds)
        valid = not any(outage.start <= moment < outage.end for outage in outages)
        samples.append(receiver.measure(moment, point, speed, heading, valid))
    return Day(tuple(samples), tuple(plan.visits))


def nmea_log(day: Day) -> str:
    """The day as a receiver's serial output: RMC and GGA per sample, CRLF line ends."""
    return "".join(f"{nmea.rmc(sample)}\r\n{nmea.gga(sample)}\r\n" for sample in day.samples)


@dataclass(frozen=True)
class _Phase:
    """Driving a road, or standing (``drive`` None) at ``point`` — from ``start`` to ``end``."""

    start: float  # seconds after leaving
    end: float
    drive: Drive | None
    point: Point
    heading: float

    def at(self, seconds: float) -> tuple[Point, float, float]:
        if self.drive is None:
            return self.point, 0.0, self.heading
        return self.drive.at(seconds - self.start)


class _Plan:
    """The day's phases, built leg by leg; ``clock`` is seconds after leaving."""

    def __init__(self, leave_at: datetime, cruise: float, village: float, rng: random.Random):
        self.leave_at = leave_at
        self.cruise = cruise
        self.village = village
        self.rng = rng
        self.clock = 0.0
        self.heading = 0.0
        self.phases: list[_Phase] = []
        self.visits: list[Visit] = []

    def visit(self, here: Point, halt: Halt) -> Point:
        """Drive to the halt, stay, and return where the truck stood."""
        bearing = math.radians(self.rng.uniform(0, 360))
        distance = self.rng.uniform(*PARKING_M)
        parking = offset(
            (halt.lat, halt.lon), distance * math.sin(bearing), distance * math.cos(bearing)
        )
        road = Road.through([here, *halt.route, parking])
        arrive_at = self._seconds(halt.arrive)
        whole = self._plan(road, slow_start=True, slow_end=True)
        spare = arrive_at - (self.clock + whole.duration)
        if halt.hold_up > timedelta():
            first_half, rest = road.split(road.length / 2)
            self.drive(first_half, slow_start=True, slow_end=True)
            self.stand(first_half.end, until=self.clock + halt.hold_up.total_seconds())
            self.drive(rest, slow_start=True, slow_end=True)
        elif spare > EARLY_ENOUGH_TO_WAIT.total_seconds() and road.length > 2 * LAYBY_BEFORE_M:
            to_layby, rest = road.split(road.length - LAYBY_BEFORE_M)
            self.drive(to_layby, slow_start=True, slow_end=False)
            last = self._plan(rest, slow_start=False, slow_end=True)
            ahead = self.rng.uniform(0, RESUME_AHEAD_MAX.total_seconds())
            self.stand(to_layby.end, until=arrive_at - last.duration - ahead)
            self._append(last)
        else:
            self._append(whole)
        arrived = self.clock
        late_stay = LATE_MIN_DWELL if halt.late_stay is None else halt.late_stay
        stay = min(late_stay, halt.depart - halt.arrive).total_seconds()
        self.stand(parking, until=max(self._seconds(halt.depart), arrived + stay))
        self.visits.append(
            Visit(halt.name, self._moment(arrived), self._moment(self.clock)),
        )
        return parking

    def drive(self, road: Road, *, slow_start: bool, slow_end: bool) -> None:
        self._append(self._plan(road, slow_start=slow_start, slow_end=slow_end))

    def stand(self, point: Point, *, until: float) -> None:
        if until <= self.clock:
            return
        self.phases.append(_Phase(self.clock, until, None, point, self.heading))
        self.clock = until

    def _plan(self, road: Road, *, slow_start: bool, slow_end: bool) -> Drive:
        return Drive.plan(
            road,
            cruise=self.cruise,
            village=self.village,
            village_at_start=VILLAGE_ZONE_M if slow_start else 0.0,
            village_at_end=VILLAGE_ZONE_M if slow_end else 0.0,
        )

    def _append(self, drive: Drive) -> None:
        if drive.duration == 0:
            return
        self.phases.append(
            _Phase(self.clock, self.clock + drive.duration, drive, drive.road.end, 0.0)
        )
        self.clock += drive.duration
        self.heading = drive.at(drive.duration)[2]

    def _seconds(self, moment: datetime) -> float:
        return (moment - self.leave_at).total_seconds()

    def _moment(self, seconds: float) -> datetime:
        return self.leave_at + timedelta(seconds=seconds)


class _Receiver:
    """Adds what a receiver adds to the true motion: drifting position error, speed noise."""

    def __init__(self, seed: int, interval: float, jitter_m: float) -> None:
        # The same draws happen whatever jitter_m is, so days differing only in jitter_m
        # differ only in the position error.
        self._noise = random.Random(f"{seed}:receiver")
        self._limit = jitter_m
        self._sigma = jitter_m / 2
        self._keep = math.exp(-interval / JITTER_CORRELATION.total_seconds())
        self._east = self._noise.gauss(0, self._sigma)
        self._north = self._noise.gauss(0, self._sigma)
        self._track: float | None = None

    def measure(
        self, moment: datetime, point: Point, speed: float, heading: float, valid: bool
    ) -> Sample:
        fresh = math.sqrt(1 - self._keep**2)
        self._east = self._keep * self._east + fresh * self._noise.gauss(0, self._sigma)
        self._north = self._keep * self._north + fresh * self._noise.gauss(0, self._sigma)
        error = math.hypot(self._east, self._north)
        if error > self._limit:
            self._east *= self._limit / error
            self._north *= self._limit / error
        lat, lon = offset(point, self._east, self._north)
        noise = self._noise.gauss(0, 1)
        if speed > 0:
            reported = max(0.0, speed + MOVING_SPEED_SIGMA * noise)
            self._track = (heading + TRACK_SIGMA * self._noise.gauss(0, 1)) % 360
        else:
            reported = min(abs(STANDING_SPEED_SIGMA * noise), STANDING_SPEED_MAX)
            if self._track is None:
                self._track = heading
        return Sample(moment, lat, lon, reported, self._track, valid)


def _check(
    leave_at: datetime,
    halts: Sequence[Halt],
    outages: Sequence[Outage],
    interval: float,
    cruise_kmh: float,
    village_kmh: float,
    jitter_m: float,
) -> None:
    # These reach the person who wrote the tour file for the demo, hence German.
    times = [leave_at, *(t for h in halts for t in (h.arrive, h.depart))]
    times += [t for o in outages for t in (o.start, o.end)]
    if any(moment.tzinfo is None for moment in times):
        raise ValueError("Alle Zeiten brauchen eine Zeitzone (UTC).")
    if interval <= 0 or cruise_kmh <= 0 or village_kmh <= 0 or jitter_m < 0:
        raise ValueError(
            "Takt und Geschwindigkeiten müssen positiv sein, die Streuung nicht negativ."
        )
    for halt in halts:
        if halt.depart < halt.arrive:
            raise ValueError(f"Halt {halt.name}: Abfahrt vor Ankunft.")
