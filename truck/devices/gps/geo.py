"""Distances and directions on the earth, good enough for a truck's day in one district.

Distances between two points use the haversine formula on a sphere (radius 6371 km): off by
at most about 0.5 % from the ellipsoid, which is metres on a leg of a few kilometres. Along a
leg, :class:`LocalFrame` flattens the earth around the leg's first point (equirectangular:
metres east = radius · Δlon · cos(lat₀), metres north = radius · Δlat). Over the tens of
kilometres of a leg in Germany that stretches east-west distances by well under 1 % — far
below what matters for a simulated drive — and it maps a point back to exactly the same
coordinates, so a leg ends exactly where it should.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000.0

Point = tuple[float, float]  # (lat, lon) in degrees


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bearing_deg(a: Point, b: Point) -> float:
    """Initial direction from a to b in degrees from true north (0–360)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return math.degrees(math.atan2(y, x)) % 360


@dataclass(frozen=True)
class LocalFrame:
    """Flat metres (east, north) around ``origin``: equirectangular, see the module docstring."""

    origin: Point

    def to_metres(self, point: Point) -> tuple[float, float]:
        lat0, lon0 = self.origin
        east = EARTH_RADIUS_M * math.radians(point[1] - lon0) * math.cos(math.radians(lat0))
        north = EARTH_RADIUS_M * math.radians(point[0] - lat0)
        return east, north

    def to_point(self, east: float, north: float) -> Point:
        lat0, lon0 = self.origin
        lat = lat0 + math.degrees(north / EARTH_RADIUS_M)
        lon = lon0 + math.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(lat0))))
        return lat, lon


def offset(point: Point, east_m: float, north_m: float) -> Point:
    """The point ``east_m`` metres east and ``north_m`` north of ``point``."""
    return LocalFrame(point).to_point(east_m, north_m)
