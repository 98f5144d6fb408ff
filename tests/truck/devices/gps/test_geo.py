"""Distances and the flat frame the simulated drive uses."""

from __future__ import annotations

import pytest

from truck.devices.gps.geo import LocalFrame, bearing_deg, distance_m, offset


def test_a_degree_of_latitude_is_111_km_and_of_longitude_less_up_north():
    assert distance_m((51.0, 9.0), (52.0, 9.0)) == pytest.approx(111_195, rel=1e-4)
    assert distance_m((51.0, 9.0), (51.0, 10.0)) == pytest.approx(69_976, rel=1e-3)


def test_bearings_point_the_right_way():
    assert bearing_deg((51.0, 9.0), (51.1, 9.0)) == pytest.approx(0.0, abs=1e-6)
    assert bearing_deg((51.0, 9.0), (51.0, 9.1)) == pytest.approx(90.0, abs=0.1)
    assert bearing_deg((51.0, 9.0), (50.9, 9.0)) == pytest.approx(180.0, abs=1e-6)
    assert bearing_deg((51.0, 9.0), (51.0, 8.9)) == pytest.approx(270.0, abs=0.1)


def test_the_flat_frame_agrees_with_haversine_over_a_leg_and_maps_back_exactly():
    frame = LocalFrame((51.3127, 9.4797))
    far = (51.4000, 9.6000)
    east, north = frame.to_metres(far)
    assert (east**2 + north**2) ** 0.5 == pytest.approx(distance_m(frame.origin, far), rel=5e-3)
    assert frame.to_point(east, north) == pytest.approx(far, abs=1e-12)


def test_offset_moves_by_the_metres_asked():
    start = (51.3127, 9.4797)
    moved = offset(start, 3.0, 4.0)
    assert distance_m(start, moved) == pytest.approx(5.0, abs=0.01)
    assert bearing_deg(start, moved) == pytest.approx(36.87, abs=0.1)
