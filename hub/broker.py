"""A Mosquitto broker of our own, on a free loopback port: for the demo, the tests and the bench.

It writes its configuration into a work folder and runs Debian's ``mosquitto`` as a child
process. Production brokers are configured from the files in ``config/mosquitto/`` instead
(docs/operations.md); this class only uses the same settings. It can stop the broker politely,
kill it, and start it again on the same port, with or without persistence, so that tests can
make the outages a truck meets on the road.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType


class BrokerError(RuntimeError):
    """The broker could not be started; str() says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path


class LocalBroker:
    """``mosquitto`` on 127.0.0.1, started and stopped by us.

    ``password_file`` and ``acl_file`` switch anonymous access off; ``tls`` adds a TLS
    listener on ``tls_port``. Queue limits are raised as the hub needs them (pitfalls.md:
    beyond ``max_queued_messages`` Mosquitto drops silently).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        persistence: bool = False,
        password_file: Path | None = None,
        acl_file: Path | None = None,
        tls: TlsFiles | None = None,
        tls_port: int | None = None,
        max_queued_messages: int = 1_000_000,
    ) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.persistence = persistence
        self.password_file = password_file
        self.acl_file = acl_file
        self.tls = tls
        self.tls_port = (tls_port or free_port()) if tls is not None else None
        self.max_queued_messages = max_queued_messages
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "mosquitto.log"

    def config_text(self) -> str:
        lines = [
            f"user {getpass.getuser()}",  # as root, mosquitto would drop to a user that cannot read our files
            "per_listener_settings false",
            f"allow_anonymous {'false' if self.password_file else 'true'}",
            f"max_queued_messages {self.max_queued_messages}",
            "max_queued_bytes 0",
            "max_inflight_messages 100",
            "message_size_limit 0",
            f"persistence {'true' if self.persistence else 'false'}",
            f"persistence_location {self.workdir}/",
            # saved at every change, not every 30 minutes: a killed broker loses nothing queued
            "autosave_interval 1",
            "autosave_on_changes true",
            "log_type error",
            "log_type warning",
            "log_type notice",
            f"log_dest file {self.log}",
            f"listener {self.port} 127.0.0.1",
        ]
        if self.password_file is not None:
            lines.append(f"password_file {self.password_file}")
        if self.acl_file is not None:
            lines.append(f"acl_file {self.acl_file}")
        if self.tls is not None:
            lines += [
                f"listener {self.tls_port} 127.0.0.1",
                f"cafile {self.tls.ca}",
                f"certfile {self.tls.cert}",
                f"keyfile {self.tls.key}",
                "tls_version tlsv1.2",
            ]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 10.0) -> LocalBroker:
        executable = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(executable).exists():
            raise BrokerError("mosquitto fehlt – sudo apt install mosquitto")
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(self.config_text(), encoding="utf-8")
        self.process = subprocess.Popen(
            [executable, "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not self._accepts():
            if self.process.poll() is not None:
                error = (
                    self.process.stderr.read().decode(errors="replace")
                    if self.process.stderr
                    else ""
                )
                raise BrokerError(
                    f"mosquitto beendet sich sofort: {error.strip() or self._log_tail()}"
                )
            if time.monotonic() > deadline:
                self.kill()
                raise BrokerError(f"mosquitto antwortet nicht auf Port {self.port}")
            time.sleep(0.02)
        return self

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-500:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop politely (SIGTERM): with persistence on, the broker saves its state."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """Kill at once (SIGKILL), as a power cut would."""
        self._end(signal.SIGKILL)

    def _end(self, signum: int) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signum)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stderr is not None:
            process.stderr.close()

    def restart(self, *, persistence: bool | None = None) -> LocalBroker:
        self.stop()
        if persistence is not None:
            self.persistence = persistence
        return self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.kill()
