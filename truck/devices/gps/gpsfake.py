"""A real gpsd fed from an NMEA log by gpsfake (Debian's gpsd-clients), for tests and the demo.

``GpsFake(log).start()`` runs ``gpsfake -P PORT -n -c CYCLE -q [-1] LOG`` in its own process
group on 127.0.0.1 and a free port; ``stop()`` ends it (also on leaving the ``with`` block, so a
failing test stops it too). ``once=False`` replays the log over and over (demo); then the times
jump back at every round, as they do in the log. Nothing here sleeps a fixed time to wait for
gpsd: ``start`` polls until gpsd accepts connections, :func:`wait_for_fix` polls the adapter
until gpsd reports mode >= 2, each with a deadline.

What we found about gpsfake / gpsd 3.22 (Debian bookworm), which this module works around:

- Root: gpsd started as root (as here, and in CI) drops privileges to the ``gpsd`` user. It can
  still read gpsfake's pty (gpsfake makes it world-readable), so it works as root. But the
  control socket it creates (``$TMPDIR/gpsfake-<pid>.sock``) cannot be removed by it after the
  drop, so each run would leave one in /tmp: we give gpsfake a private TMPDIR and remove it.
  gpsd also logs "unable to connect to the DBUS system bus" even with ``-q``: harmless; the
  child's output goes to ``output.log`` in that directory.
- gpsd lives in /usr/sbin, which is not on a normal user's PATH; gpsfake searches PATH (and
  GPSD_HOME), so /usr/sbin and /sbin are put on the child's PATH.
- ``-c`` is the pause after every *sentence*, not per fix: with RMC+GGA per second of the log,
  ``-c 0.02`` replays a second of driving in 0.04 s.
- gpsfake writes into the pty from the moment it has started, whether gpsd has opened it or not;
  without ``-n`` gpsd opens the device only when a client watches, and the first second or so of
  the log is lost. ``-n`` makes gpsd open it at once, so the log plays from its first line. Even
  so, a client connecting later sees only what is being replayed by then.
- The first POLL after ``?WATCH`` says ``"active": 0`` — nothing read yet: wait for mode >= 2.
- With ``-1`` gpsfake stays alive after the log ran out (gpsd keeps the last fix) until its own
  timeout (``-W``, 60 s), then exits with "Test timed out".
- gpsfake's SIGTERM handler kills gpsd but can then spin forever (it polls the killed child
  from inside the handler, while the interrupted code holds subprocess's wait lock). So ``stop``
  sends SIGTERM to the whole group (gpsd ends cleanly), waits briefly, then SIGKILLs what is
  left, and waits until the port is closed so a new gpsd can listen on it at once.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from truck.devices.gps.fix import Fix, GpsState
from truck.devices.gps.gpsd_source import GpsdSource

SBIN = ("/usr/sbin", "/sbin")
TERM_GRACE = 0.5  # seconds for gpsfake to end after SIGTERM before it is killed
POLL_PAUSE = 0.01  # between two checks of a condition


class GpsFakeError(RuntimeError):
    """gpsfake could not be started (not installed, port taken, gpsd died)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class GpsFake:
    """gpsfake + gpsd replaying ``log``; use as a context manager or start()/stop()."""

    def __init__(
        self,
        log: Path,
        *,
        port: int | None = None,
        cycle: float = 0.02,
        once: bool = True,
        startup_timeout: float = 10.0,
    ) -> None:
        self.log = Path(log)
        self.port = port if port is not None else free_port()
        self.cycle = cycle
        self.once = once
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> GpsFake:
        """Start gpsfake and return once gpsd accepts connections on ``port``."""
        if self._process is not None:
            raise GpsFakeError("gpsfake läuft schon")
        program = shutil.which("gpsfake", path=_child_path())
        if program is None:
            raise GpsFakeError("gpsfake nicht gefunden (Debian-Paket gpsd-clients)")
        self._workdir = Path(tempfile.mkdtemp(prefix="tourkasse-gpsfake-"))
        command = [program, "-P", str(self.port), "-n", "-c", str(self.cycle), "-q"]
        if self.once:
            command.append("-1")
        command.append(str(self.log))
        env = {**os.environ, "PATH": _child_path(), "TMPDIR": str(self._workdir)}
        with open(self._workdir / "output.log", "wb") as output:
            self._process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, gpsd included, for stop()
            )
        try:
            self._wait_listening(time.monotonic() + self.startup_timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """End gpsfake and its gpsd; return when the port is free again. Safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            _signal_group(process.pid, signal.SIGTERM)
            # gpsfake may get stuck in its own SIGTERM handler (see the module docstring).
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=TERM_GRACE)
            _signal_group(process.pid, signal.SIGKILL)  # whatever of the group is left
            process.wait()
            _wait_closed(self.port, time.monotonic() + 5.0)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def output(self) -> str:
        """What gpsfake and gpsd wrote (for error messages)."""
        if self._workdir is None:
            return ""
        try:
            return (self._workdir / "output.log").read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> GpsFake:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_listening(self, deadline: float) -> None:
        while True:
            if self._process is None or self._process.poll() is not None:
                raise GpsFakeError(f"gpsfake hat sich beendet: {self.output().strip()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise GpsFakeError(f"gpsd antwortet nicht auf Port {self.port}")
            time.sleep(POLL_PAUSE)


def poll_until(
    source: GpsdSource,
    done: Callable[[GpsState, Fix | None], bool],
    timeout: float = 10.0,
) -> list[tuple[GpsState, Fix | None]]:
    """Every reading of ``source`` until ``done`` says so; TimeoutError after ``timeout``."""
    readings: list[tuple[GpsState, Fix | None]] = []
    deadline = time.monotonic() + timeout
    while True:
        state, fix = source.read()
        readings.append((state, fix))
        if done(state, fix):
            return readings
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"nicht erreicht in {timeout} s von gpsd auf Port {source.port}; "
                f"zuletzt {readings[-3:]}"
            )
        time.sleep(POLL_PAUSE)


def wait_for_fix(source: GpsdSource, timeout: float = 10.0) -> Fix:
    """Poll ``source`` until gpsd reports a fix (mode >= 2); raise TimeoutError after ``timeout``."""
    _, fix = poll_until(source, lambda _, fix: fix is not None, timeout)[-1]
    assert fix is not None
    return fix


def _child_path() -> str:
    path = os.environ.get("PATH", os.defpath).split(os.pathsep)
    return os.pathsep.join([*path, *(entry for entry in SBIN if entry not in path)])


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group has gone
        os.killpg(pgid, signum)


def _wait_closed(port: int, deadline: float) -> None:
    """Until nothing accepts connections on ``port`` any more (gpsd has really gone)."""
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return
        time.sleep(POLL_PAUSE)
