"""NMEA 0183 sentences as a GPS receiver sends them: ``$GPRMC`` and ``$GPGGA``.

Used to write replay logs for gpsfake (tests, demo). A receiver without a fix keeps sending both
sentences every second, with the time but without a position: RMC with status ``V`` and GGA with
fix quality 0. gpsd reads that as mode 1 ("no fix"), which is what the pair written here for an
invalid reading does.

Fields follow NMEA 0183 2.3 (RMC ends with the mode indicator ``A``/``N``); positions are written
as degrees and minutes with five decimals (about 2 cm), speed in knots, times with hundredths.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import reduce
from typing import Protocol

KNOTS_PER_MPS = 3600 / 1852


class Reading(Protocol):
    """What a receiver measured at one instant; ``valid`` False means it had no fix."""

    @property
    def time(self) -> datetime: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def speed(self) -> float: ...  # m/s
    @property
    def track(self) -> float: ...  # degrees from true north
    @property
    def valid(self) -> bool: ...


def checksum(body: str) -> str:
    """The two hex digits after ``*``: XOR of every character between ``$`` and ``*``."""
    return f"{reduce(lambda acc, char: acc ^ ord(char), body, 0):02X}"


def sentence(body: str) -> str:
    """A whole sentence (without line end) for ``body`` such as ``GPRMC,...``."""
    return f"${body}*{checksum(body)}"


def rmc(reading: Reading) -> str:
    """Recommended minimum data: time, status, position, speed, track, date."""
    moment = _utc(reading.time)
    if not reading.valid:
        fields = [_hhmmss(moment), "V", "", "", "", "", "", "", _ddmmyy(moment), "", "", "N"]
    else:
        fields = [
            _hhmmss(moment),
            "A",
            *_latitude(reading.lat),
            *_longitude(reading.lon),
            f"{max(reading.speed, 0.0) * KNOTS_PER_MPS:.2f}",
            f"{reading.track % 360:.1f}",
            _ddmmyy(moment),
            "",  # magnetic variation: receivers without a compass leave it empty
            "",
            "A",  # autonomous fix
        ]
    return sentence(",".join(["GPRMC", *fields]))


def gga(
    reading: Reading,
    *,
    satellites: int = 8,
    hdop: float = 0.9,
    altitude: float = 250.0,
    geoid_separation: float = 47.0,
) -> str:
    """Fix data: time, position, fix quality (1 GPS, 0 none), satellites, HDOP, altitude."""
    moment = _utc(reading.time)
    if not reading.valid:
        fields = [_hhmmss(moment), "", "", "", "", "0", "00", "99.99", "", "", "", "", "", ""]
    else:
        fields = [
            _hhmmss(moment),
            *_latitude(reading.lat),
            *_longitude(reading.lon),
            "1",
            f"{satellites:02d}",
            f"{hdop:.2f}",
            f"{altitude:.1f}",
            "M",
            f"{geoid_separation:.1f}",
            "M",
            "",  # age of differential data: no DGPS
            "",
        ]
    return sentence(",".join(["GPGGA", *fields]))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("NMEA times are UTC: a timezone-aware datetime is needed")
    return moment.astimezone(UTC)


def _hhmmss(moment: datetime) -> str:
    hundredths = round(moment.microsecond / 10_000)
    if hundredths == 100:  # 59.996 s must not become "60.00"; keep the whole second
        hundredths = 99
    return f"{moment:%H%M%S}.{hundredths:02d}"


def _ddmmyy(moment: datetime) -> str:
    return f"{moment:%d%m%y}"


def _latitude(lat: float) -> tuple[str, str]:
    return _degrees_minutes(abs(lat), 2), "N" if lat >= 0 else "S"


def _longitude(lon: float) -> tuple[str, str]:
    return _degrees_minutes(abs(lon), 3), "E" if lon >= 0 else "W"


def _degrees_minutes(value: float, degree_digits: int) -> str:
    # Rounded as a whole in units of 1e-5 minutes, so 59.999996' carries into the degrees
    # instead of being written as "60.00000".
    total = round(value * 60 * 100_000)
    degrees, rest = divmod(total, 60 * 100_000)
    minutes, fraction = divmod(rest, 100_000)
    return f"{degrees:0{degree_digits}d}{minutes:02d}.{fraction:05d}"
