"""The truck's position from gpsd: one ``read()`` gives the GPS state and the latest fix.

gpsd-py3 alone will not do for a truck that runs all day: it keeps one module-global socket
without a timeout and never reconnects, so a restarted gpsd or a hung socket would stall the
agent for good. So this adapter keeps its own socket per instance and speaks gpsd's JSON
protocol itself — connect, read the VERSION welcome, ``?WATCH={"enable":true}`` (which makes
gpsd open the receiver), then ``?POLL;`` per read — and leaves only the decoding of the POLL
answer to ``gpsd.GpsResponse.from_json``. Every read has one deadline (``timeout``) for
connecting and answering together; any socket error, timeout, end of stream or garbage drops
the connection, reads as "GPS-Dienst nicht erreichbar" and the next read connects afresh.

Things about gpsd 3.22 and gpsd-py3 0.3.0 this relies on:

- After ``?WATCH`` gpsd answers with DEVICES and WATCH (and later DEVICE notifications); with
  ``json`` off in the watch it streams no TPVs. Lines other than POLL are skipped.
- Until the receiver has sent something, POLL says ``"active": 0`` with empty lists;
  ``from_json`` raises ``UserWarning`` for that (and ``KeyError`` when ``active`` is missing,
  ``IndexError`` on an empty ``tpv`` or ``sky``). That is "no fix", not a fault.
- ``from_json`` copies position and time only for mode >= 2, and keeps the time as gpsd's
  ISO 8601 text (``2026-11-24T07:00:11.000Z``); its own ``get_time`` needs the fraction and
  gives a naive datetime, so the time is parsed here.
- ``socket.makefile`` cannot be read again after a timeout, hence the own line buffer.

Not thread-safe: one reader (the agent's GPS loop) per instance.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import gpsd

from truck.devices.gps.fix import Fix, GpsState

logger = logging.getLogger(__name__)

MAX_LINE = 1 << 20  # a POLL with a full sky view is a few kB; far more is not gpsd talking
WATCH = b'?WATCH={"enable":true}\n'
POLL = b"?POLL;\n"


class _Broken(Exception):
    """The connection cannot be trusted any more (EOF, garbage, an answer out of place)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class GpsdSource:
    """Reads fixes from gpsd; reconnects by itself; never raises from ``read``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2947,
        *,
        timeout: float = 2.0,
        max_age: timedelta = timedelta(seconds=10),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.max_age = max_age
        self.clock = clock
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._down_logged = False

    def read(self) -> tuple[GpsState, Fix | None]:
        """The state now and the latest fix (also when stale); blocks at most ``timeout``."""
        deadline = time.monotonic() + self.timeout
        try:
            if self._sock is None:
                self._connect(deadline)
            self._send(POLL, deadline)
            packet = self._answer("POLL", deadline)
        except (OSError, ValueError, _Broken) as error:  # timeouts are OSErrors, bad JSON too
            self._drop()
            if not self._down_logged:
                logger.warning("gpsd at %s:%d unreachable: %s", self.host, self.port, error)
                self._down_logged = True
            return GpsState.GPSD_DOWN, None
        if self._down_logged:
            logger.info("gpsd at %s:%d answers again", self.host, self.port)
            self._down_logged = False
        try:
            fix = _fix(packet)
        except (KeyError, IndexError, TypeError, ValueError, UserWarning) as error:
            # gpsd answered, but with a fix we cannot use (e.g. no mode, an odd time).
            logger.warning("unusable POLL answer from gpsd: %r", error)
            fix = None
        if fix is None:
            return GpsState.NO_FIX, None
        # A fix from the future means the Pi's clock is behind (no battery clock): the
        # satellites are right, so it is fresh.
        if self.clock() - fix.time > self.max_age:
            return GpsState.STALE, fix
        return GpsState.FIX, fix

    def close(self) -> None:
        self._drop()

    def __enter__(self) -> GpsdSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connect(self, deadline: float) -> None:
        self._sock = socket.create_connection((self.host, self.port), _left(deadline))
        self._buffer = b""
        self._answer("VERSION", deadline, first=True)
        # Its answers (DEVICES, WATCH) are passed over while waiting for the POLL answer.
        self._send(WATCH, deadline)

    def _send(self, data: bytes, deadline: float) -> None:
        if self._sock is None:
            raise _Broken("not connected")
        self._sock.settimeout(_left(deadline))
        self._sock.sendall(data)

    def _answer(self, wanted: str, deadline: float, *, first: bool = False) -> dict[str, Any]:
        """The next object of class ``wanted``; others are skipped unless it must come ``first``."""
        while True:
            obj = json.loads(self._line(deadline))
            if not isinstance(obj, dict):
                raise _Broken(f"not a gpsd object: {obj!r:.80}")
            kind = obj.get("class")
            if kind == wanted:
                return obj
            if first or kind == "ERROR":
                raise _Broken(f"expected {wanted}, got {obj!r:.200}")

    def _line(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            if self._sock is None:
                raise _Broken("not connected")
            if len(self._buffer) > MAX_LINE:
                raise _Broken("line too long")
            self._sock.settimeout(_left(deadline))
            chunk = self._sock.recv(65536)
            if not chunk:
                raise _Broken("gpsd closed the connection")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def _drop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._buffer = b""


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("gpsd did not answer in time")
    return left


def _fix(packet: dict[str, Any]) -> Fix | None:
    """The fix in a POLL answer, or None when there is none (inactive receiver, mode < 2)."""
    if not packet.get("active") or not packet.get("tpv"):
        return None
    # gpsd-py3 reads the satellite count from the last SKY; an empty list would make it fail.
    response = gpsd.GpsResponse.from_json({**packet, "sky": packet.get("sky") or [{}]})
    tpv = packet["tpv"][-1]
    # gpsd-py3 fills in 0.0 for a missing lat/lon: a fix without them is no fix, not Null Island.
    if response.mode < 2 or "lat" not in tpv or "lon" not in tpv or not response.time:
        return None
    return Fix(
        time=parse_time(response.time),
        lat=float(response.lat),
        lon=float(response.lon),
        speed=float(response.hspeed),
        track=float(response.track),
        mode=int(response.mode),
    )


def parse_time(text: str) -> datetime:
    """gpsd's ISO 8601 time (``…Z``, fraction optional) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # gpsd's times are UTC by protocol
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
