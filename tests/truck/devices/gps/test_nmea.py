"""NMEA sentences as a receiver sends them: checksums, fields, and the no-fix pair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from truck.devices.gps import nmea


@dataclass(frozen=True)
class Reading:
    time: datetime
    lat: float
    lon: float
    speed: float
    track: float
    valid: bool = True


MOMENT = datetime(2026, 11, 24, 7, 5, 9, 250_000, tzinfo=UTC)


def fields(line: str) -> list[str]:
    """Split a sentence, checking its checksum independently of the module under test."""
    assert line.startswith("$")
    body, _, given = line[1:].partition("*")
    expected = 0
    for char in body:
        expected ^= ord(char)
    assert given == f"{expected:02X}", line
    return body.split(",")


def degrees(value: str, hemisphere: str, degree_digits: int) -> float:
    result = int(value[:degree_digits]) + float(value[degree_digits:]) / 60
    return -result if hemisphere in "SW" else result


@pytest.mark.parametrize(
    ("body", "expected"),
    [  # the textbook examples of NMEA 0183
        ("GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W", "6A"),
        ("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,", "47"),
    ],
)
def test_checksum_matches_known_sentences(body, expected):
    assert nmea.checksum(body) == expected
    assert nmea.sentence(body) == f"${body}*{expected}"


def test_rmc_carries_time_date_position_knots_and_track():
    reading = Reading(MOMENT, lat=51.312745, lon=9.479712, speed=10.0, track=273.45)
    parts = fields(nmea.rmc(reading))
    assert parts[0] == "GPRMC"
    assert parts[1] == "070509.25"
    assert parts[2] == "A"
    assert degrees(parts[3], parts[4], 2) == pytest.approx(51.312745, abs=1e-6)
    assert degrees(parts[5], parts[6], 3) == pytest.approx(9.479712, abs=1e-6)
    assert float(parts[7]) == pytest.approx(19.44, abs=0.005)  # 10 m/s in knots
    assert float(parts[8]) == pytest.approx(273.45, abs=0.06)  # one decimal
    assert parts[9] == "241126"
    assert parts[12] == "A"


def test_southern_and_western_positions_get_their_hemispheres():
    reading = Reading(MOMENT, lat=-33.8688, lon=-0.1275, speed=0.0, track=0.0)
    parts = fields(nmea.rmc(reading))
    assert (parts[4], parts[6]) == ("S", "W")
    assert degrees(parts[3], parts[4], 2) == pytest.approx(-33.8688, abs=1e-6)
    assert degrees(parts[5], parts[6], 3) == pytest.approx(-0.1275, abs=1e-6)


def test_gga_carries_fix_quality_satellites_hdop_and_altitude():
    reading = Reading(MOMENT, lat=51.5, lon=9.9, speed=3.0, track=10.0)
    parts = fields(nmea.gga(reading, satellites=7, hdop=1.2, altitude=182.5))
    assert parts[0] == "GPGGA"
    assert parts[1] == "070509.25"
    assert parts[2:6] == ["5130.00000", "N", "00954.00000", "E"]
    assert parts[6:10] == ["1", "07", "1.20", "182.5"]
    assert parts[10] == "M"


def test_without_fix_the_pair_has_the_time_but_no_position():
    reading = Reading(MOMENT, lat=51.5, lon=9.9, speed=12.0, track=90.0, valid=False)
    rmc = fields(nmea.rmc(reading))
    gga = fields(nmea.gga(reading))
    assert rmc[1:3] == ["070509.25", "V"]
    assert rmc[3:9] == [""] * 6  # no position, speed or track
    assert rmc[9] == "241126"
    assert rmc[12] == "N"
    assert gga[1] == "070509.25"
    assert gga[2:6] == [""] * 4
    assert gga[6] == "0"


def test_minutes_that_round_up_carry_into_the_degree():
    reading = Reading(MOMENT, lat=51.99999999, lon=9.99999999, speed=0.0, track=0.0)
    parts = fields(nmea.rmc(reading))
    assert parts[3] == "5200.00000"
    assert parts[5] == "01000.00000"


def test_times_in_other_zones_are_written_in_utc():
    berlin = timezone(timedelta(hours=1))
    reading = Reading(datetime(2026, 11, 24, 0, 30, tzinfo=berlin), 51.5, 9.9, 0.0, 0.0)
    parts = fields(nmea.rmc(reading))
    assert (parts[1], parts[9]) == ("233000.00", "231126")  # still the day before in UTC


def test_a_time_without_zone_is_refused():
    reading = Reading(datetime(2026, 11, 24, 7, 0), 51.5, 9.9, 0.0, 0.0)
    with pytest.raises(ValueError):
        nmea.rmc(reading)
