"""How the truck moves along one road from standstill to standstill: where it is after t seconds.

A :class:`Road` is a polyline in a flat local frame (see :mod:`truck.devices.gps.geo`). A
:class:`Drive` plans the speed along it on a grid of a few metres: a speed limit per grid point
(cruising speed; village speed in the zones at either end; slower through bends), then the
fastest profile that starts and ends at 0 and never accelerates or brakes harder than a loaded
delivery truck does (a forward pass for accelerating, a backward pass for braking). Time along
the road follows from the profile.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from truck.devices.gps.geo import LocalFrame, Point

ACCELERATION = 0.8  # m/s², a loaded 7.5 t sales truck pulling away
BRAKING = 1.2  # m/s², ordinary braking, not an emergency stop
GRID_M = 2.0  # resolution of the speed profile
BEND_SPEED_MIN = 15 / 3.6  # m/s through a right-angle turn or sharper
BEND_FREE_DEG = 15.0  # bends gentler than this are taken at full speed
SAME_POINT_M = 0.5  # consecutive route points closer than this are one point


@dataclass(frozen=True)
class Road:
    """A polyline through points (lat, lon), measured in metres from its first point."""

    frame: LocalFrame
    east: tuple[float, ...]
    north: tuple[float, ...]
    along: tuple[float, ...]  # distance from the start to each point

    @classmethod
    def through(cls, points: Sequence[Point]) -> Road:
        if not points:
            raise ValueError("a road needs at least one point")
        frame = LocalFrame(points[0])
        east: list[float] = [0.0]
        north: list[float] = [0.0]
        along: list[float] = [0.0]
        for point in points[1:]:
            x, y = frame.to_metres(point)
            step = math.hypot(x - east[-1], y - north[-1])
            if step < SAME_POINT_M:  # a route point repeating the halt: not a segment
                continue
            east.append(x)
            north.append(y)
            along.append(along[-1] + step)
        return cls(frame, tuple(east), tuple(north), tuple(along))

    @property
    def length(self) -> float:
        return self.along[-1]

    @property
    def end(self) -> Point:
        return self.frame.to_point(self.east[-1], self.north[-1])

    def position(self, distance: float) -> tuple[Point, float]:
        """The point ``distance`` metres along, and the heading there (degrees from north)."""
        if len(self.along) == 1:
            return self.frame.origin, 0.0
        distance = min(max(distance, 0.0), self.length)
        i = min(bisect_right(self.along, distance), len(self.along) - 1)
        share = (distance - self.along[i - 1]) / (self.along[i] - self.along[i - 1])
        x = self.east[i - 1] + share * (self.east[i] - self.east[i - 1])
        y = self.north[i - 1] + share * (self.north[i] - self.north[i - 1])
        return self.frame.to_point(x, y), self._heading(i)

    def split(self, distance: float) -> tuple[Road, Road]:
        """The road up to ``distance`` metres along, and the rest of it."""
        point, _ = self.position(distance)
        i = bisect_right(self.along, distance)
        points = [self.frame.to_point(x, y) for x, y in zip(self.east, self.north, strict=True)]
        return Road.through([*points[:i], point]), Road.through([point, *points[i:]])

    def bends(self) -> list[tuple[float, float]]:
        """(distance along, change of direction in degrees) at every inner point."""
        return [
            (self.along[i], _angle_between(self._heading(i), self._heading(i + 1)))
            for i in range(1, len(self.along) - 1)
        ]

    def _heading(self, segment: int) -> float:
        """Direction of the segment ending at point ``segment``."""
        dx = self.east[segment] - self.east[segment - 1]
        dy = self.north[segment] - self.north[segment - 1]
        return math.degrees(math.atan2(dx, dy)) % 360


@dataclass(frozen=True)
class Drive:
    """A road driven from standstill to standstill: speed and elapsed time along it."""

    road: Road
    along: tuple[float, ...]  # grid: metres from the start
    speed: tuple[float, ...]  # m/s at each grid point
    elapsed: tuple[float, ...]  # seconds from the start to each grid point

    @classmethod
    def plan(
        cls,
        road: Road,
        *,
        cruise: float,
        village: float,
        village_at_start: float = 0.0,
        village_at_end: float = 0.0,
    ) -> Drive:
        """Speeds in m/s; the village zones are metres at the start and end of the road."""
        length = road.length
        if length == 0:
            return cls(road, (0.0,), (0.0,), (0.0,))
        cells = max(2, math.ceil(length / GRID_M))  # >= 2: a moving point between the stops
        step = length / cells
        along = [i * step for i in range(cells + 1)]
        limit = [
            village if s < village_at_start or length - s < village_at_end else cruise
            for s in along
        ]
        for distance, angle in road.bends():
            i = round(distance / step)
            limit[i] = min(limit[i], _bend_speed(angle, cruise))
        speed = [0.0] * (cells + 1)
        for i in range(1, cells + 1):
            speed[i] = min(limit[i], math.sqrt(speed[i - 1] ** 2 + 2 * ACCELERATION * step))
        speed[-1] = 0.0
        for i in range(cells - 1, 0, -1):
            speed[i] = min(speed[i], math.sqrt(speed[i + 1] ** 2 + 2 * BRAKING * step))
        elapsed = [0.0]
        for i in range(1, cells + 1):
            # Average speed over the cell; never 0 at both ends since the limits are positive.
            elapsed.append(elapsed[-1] + 2 * step / (speed[i - 1] + speed[i]))
        return cls(road, tuple(along), tuple(speed), tuple(elapsed))

    @property
    def duration(self) -> float:
        return self.elapsed[-1]

    def at(self, seconds: float) -> tuple[Point, float, float]:
        """Position, speed (m/s) and heading ``seconds`` after setting off."""
        if len(self.elapsed) == 1:
            point, heading = self.road.position(0.0)
            return point, 0.0, heading
        seconds = min(max(seconds, 0.0), self.duration)
        i = min(bisect_right(self.elapsed, seconds), len(self.elapsed) - 1)
        share = (seconds - self.elapsed[i - 1]) / (self.elapsed[i] - self.elapsed[i - 1])
        distance = self.along[i - 1] + share * (self.along[i] - self.along[i - 1])
        speed = self.speed[i - 1] + share * (self.speed[i] - self.speed[i - 1])
        point, heading = self.road.position(distance)
        return point, speed, heading


def _angle_between(a: float, b: float) -> float:
    return abs((b - a + 180) % 360 - 180)


def _bend_speed(angle: float, cruise: float) -> float:
    if angle < BEND_FREE_DEG:
        return cruise
    # From cruising speed at a gentle bend down to walking-pace-and-a-bit at 90° and more.
    share = min(1.0, (angle - BEND_FREE_DEG) / (90 - BEND_FREE_DEG))
    return cruise - share * (cruise - BEND_SPEED_MIN)
