"""The gpsd adapter against scripted gpsd servers: states, stale fixes, timeouts, reconnects.

The scripted server makes the awkward cases exact (a gpsd that hangs, talks garbage, hangs
up); the same adapter against a real gpsd is in test_gpsd_replay.py.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.truck.devices.gps.conftest import SetClock
from truck.devices.gps.fix import Fix, GpsState
from truck.devices.gps.gpsd_source import GpsdSource, parse_time
from truck.devices.gps.gpsfake import free_port

Session = Callable[[socket.socket, threading.Event], None]

FIX_TIME = datetime(2026, 11, 24, 7, 0, 11, tzinfo=UTC)
VERSION = {
    "class": "VERSION",
    "release": "3.22",
    "rev": "3.22",
    "proto_major": 3,
    "proto_minor": 14,
}
DEVICES = {"class": "DEVICES", "devices": [{"class": "DEVICE", "path": "/dev/pts/3"}]}
WATCH = {"class": "WATCH", "enable": True, "json": False}


def line(obj: dict) -> bytes:
    return json.dumps(obj).encode() + b"\r\n"


def poll(active: int = 1, **tpv_fields) -> dict:
    tpv = {"class": "TPV", "device": "/dev/pts/3", "mode": 3, "time": "2026-11-24T07:00:11.000Z"}
    tpv |= {"lat": 51.3127, "lon": 9.4797, "speed": 11.5, "track": 271.3} | tpv_fields
    return {
        "class": "POLL",
        "time": "2026-11-25T01:46:03.649Z",  # gpsd's own clock: not the fix's time
        "active": active,
        "tpv": [{k: v for k, v in tpv.items() if v is not None}],
        "gst": [{"class": "GST", "device": "/dev/pts/3"}],
        "sky": [{"class": "SKY", "device": "/dev/pts/3", "hdop": 0.9}],
    }


def requests(conn: socket.socket, stopped: threading.Event) -> Iterator[bytes]:
    conn.settimeout(0.05)
    pending = b""
    while not stopped.is_set():
        try:
            chunk = conn.recv(4096)
        except TimeoutError:
            continue
        if not chunk:
            return
        pending += chunk
        while b"\n" in pending:
            request, pending = pending.split(b"\n", 1)
            yield request


def speaking(*answers: dict, before_each: tuple[dict, ...] = ()) -> Session:
    """A gpsd giving ``answers`` to successive POLLs (the last one again after that)."""

    def session(conn: socket.socket, stopped: threading.Event) -> None:
        conn.sendall(line(VERSION))
        polls = 0
        for request in requests(conn, stopped):
            if request.startswith(b"?WATCH"):
                conn.sendall(line(DEVICES) + line(WATCH))
            elif request.startswith(b"?POLL"):
                answer = answers[min(polls, len(answers) - 1)]
                conn.sendall(b"".join(map(line, before_each)) + line(answer))
                polls += 1

    return session


def silent(conn: socket.socket, stopped: threading.Event) -> None:
    stopped.wait()


def welcome_only(conn: socket.socket, stopped: threading.Event) -> None:
    conn.sendall(line(VERSION))
    stopped.wait()


def garbage(conn: socket.socket, stopped: threading.Event) -> None:
    conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
    stopped.wait()


def hanging_up(conn: socket.socket, stopped: threading.Event) -> None:
    conn.sendall(line(VERSION))


class ScriptedGpsd:
    """A TCP server on a free loopback port; connection n runs ``sessions[n]`` (or the last)."""

    def __init__(self, *sessions: Session) -> None:
        self.sessions = sessions
        self.connections = 0
        self.stopped = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            session = self.sessions[min(self.connections, len(self.sessions) - 1)]
            self.connections += 1
            self._open.append(conn)
            threading.Thread(target=self._serve, args=(session, conn), daemon=True).start()

    def _serve(self, session: Session, conn: socket.socket) -> None:
        try:
            session(conn, self.stopped)
        except OSError:
            pass  # the adapter hung up
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopped.set()
        self._thread.join(timeout=5)
        self.listener.close()


@pytest.fixture
def scripted() -> Iterator[Callable[..., ScriptedGpsd]]:
    servers: list[ScriptedGpsd] = []

    def start(*sessions: Session) -> ScriptedGpsd:
        servers.append(ScriptedGpsd(*sessions))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def source(port: int, *, clock: Callable[[], datetime] | None = None, **settings) -> GpsdSource:
    return GpsdSource(
        port=port, clock=clock or SetClock(FIX_TIME + timedelta(seconds=1)), **settings
    )


def test_a_fix_comes_with_the_receivers_time_in_utc(scripted):
    # Lines that are not the POLL answer (streamed reports, device notices) are passed over.
    noise = ({"class": "TPV", "mode": 3}, {"class": "DEVICE", "path": "/dev/pts/3"})
    gpsd = scripted(speaking(poll(time="2026-11-24T07:00:11Z"), before_each=noise))
    with source(gpsd.port) as gps:
        state, fix = gps.read()
    assert state is GpsState.FIX
    assert fix == Fix(time=FIX_TIME, lat=51.3127, lon=9.4797, speed=11.5, track=271.3, mode=3)
    assert fix.time.tzinfo is not None and fix.time.utcoffset() == timedelta(0)
    assert state.text == "GPS-Position aktuell"


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(poll(active=0) | {"tpv": [], "sky": []}, id="receiver not active yet"),
        pytest.param({k: v for k, v in poll().items() if k != "active"}, id="active missing"),
        pytest.param(poll(mode=1, lat=None, lon=None), id="mode 1"),
        pytest.param(poll(mode=0, lat=None, lon=None), id="mode 0"),
        pytest.param(poll(lat=None), id="mode 3 without a position"),
        pytest.param(poll(mode=None), id="a report without mode"),
        pytest.param(poll(time="yesterday"), id="an unreadable time"),
    ],
)
def test_no_usable_fix_reads_as_kein_gps_empfang(scripted, answer):
    gpsd = scripted(speaking(answer))
    with source(gpsd.port) as gps:
        state, fix = gps.read()
    assert (state, fix) == (GpsState.NO_FIX, None)
    assert state.text == "Kein GPS-Empfang"


def test_a_fix_without_a_sky_report_is_still_a_fix(scripted):
    # gpsd-py3 alone fails on the empty list; the position is good all the same.
    gpsd = scripted(speaking(poll() | {"sky": []}))
    with source(gpsd.port) as gps:
        state, fix = gps.read()
    assert state is GpsState.FIX
    assert fix is not None and (fix.lat, fix.lon) == (51.3127, 9.4797)


def test_an_old_fix_is_stale_but_still_given(scripted):
    gpsd = scripted(speaking(poll()))
    clock = SetClock(FIX_TIME + timedelta(seconds=11))
    with source(gpsd.port, clock=clock, max_age=timedelta(seconds=10)) as gps:
        state, fix = gps.read()
        assert state is GpsState.STALE
        assert state.text == "GPS-Position veraltet"
        assert fix is not None and fix.time == FIX_TIME and fix.lat == 51.3127
        clock.now = FIX_TIME + timedelta(seconds=9)
        assert gps.read()[0] is GpsState.FIX
        # The Pi's clock an hour behind (no battery clock): the satellites' time is right.
        clock.now = FIX_TIME - timedelta(hours=1)
        assert gps.read()[0] is GpsState.FIX


def test_nothing_listening_is_gpsd_down_not_an_exception():
    with source(free_port()) as gps:
        started = time.monotonic()
        assert gps.read() == (GpsState.GPSD_DOWN, None)
        assert gps.read() == (GpsState.GPSD_DOWN, None)
    assert time.monotonic() - started < 1.0
    assert GpsState.GPSD_DOWN.text == "GPS-Dienst nicht erreichbar"


@pytest.mark.parametrize("session", [silent, welcome_only], ids=["no welcome", "no answer"])
def test_a_hanging_gpsd_costs_at_most_the_timeout(scripted, session):
    gpsd = scripted(session)
    with source(gpsd.port, timeout=0.3) as gps:
        started = time.monotonic()
        state, fix = gps.read()
        elapsed = time.monotonic() - started
    assert (state, fix) == (GpsState.GPSD_DOWN, None)
    assert 0.25 <= elapsed < 0.8


def test_after_garbage_or_a_hang_up_the_next_read_connects_afresh(scripted):
    gpsd = scripted(garbage, hanging_up, speaking(poll()))
    with source(gpsd.port) as gps:
        assert gps.read() == (GpsState.GPSD_DOWN, None)
        assert gps.read() == (GpsState.GPSD_DOWN, None)
        state, fix = gps.read()
        assert state is GpsState.FIX and fix is not None
        assert gps.read()[0] is GpsState.FIX  # and stays on that connection
    assert gpsd.connections == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24T07:00:11.000Z", FIX_TIME),
        ("2026-11-24T07:00:11Z", FIX_TIME),
        ("2026-11-24T07:00:11.5Z", FIX_TIME + timedelta(milliseconds=500)),
        ("2026-11-24T08:00:11+01:00", FIX_TIME),
        ("2026-11-24T07:00:11", FIX_TIME),  # without zone: gpsd's times are UTC
    ],
)
def test_gpsd_times_become_aware_utc_datetimes(text, expected):
    moment = parse_time(text)
    assert moment == expected
    assert moment.tzinfo is UTC
