"""A Mosquitto broker of our own, on a free loopback port: for the demo, the tests and the bench.

It writes its configuration into a work folder and runs Debian's ``mosquitto`` as a child
process. Production brokers are configured from the files in ``config/mosquitto/`` instead
(docs/operations.md); this class only uses the same settings. It can stop the broker politely,
kill it, and start it again on the same port, with or without persistence, so that tests can
make the outages a truck meets on the road.

Without ``security`` it is one anonymous listener on ``port`` (the demo's and most tests'
broker). With ``security`` (a :class:`BrokerSecurity`, e.g. ``BrokerSecurity.write(folder,
trucks={"T01": "…"}, hub={"hub": "…"})``) it is secured as ``config/mosquitto/`` is: the
trucks' listener on ``port`` (client id = user name = truck id, the trucks' ACL), the hub's
listener on ``hub_port``, and with ``tls`` the trucks' TLS listener on ``tls_port``
(see :mod:`hub.broker_config`).
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from hub.broker_config import BrokerSecurity, TlsFiles, hub_listener, trucks_listener

__all__ = ["BrokerError", "BrokerSecurity", "LocalBroker", "TlsFiles", "free_port"]


class BrokerError(RuntimeError):
    """The broker could not be started; str() says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalBroker:
    """``mosquitto`` on 127.0.0.1, started and stopped by us.

    ``password_file`` and ``acl_file`` switch anonymous access off; ``tls`` adds a TLS
    listener on ``tls_port``. ``security`` instead secures it as in production: the trucks'
    listener on ``port``, the hub's on ``hub_port``, the trucks' TLS listener on ``tls_port``
    (module docstring). Queue limits are raised as the hub needs them (pitfalls.md:
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
        security: BrokerSecurity | None = None,
        hub_port: int | None = None,
    ) -> None:
        if security is not None and (password_file or acl_file):
            raise ValueError("security oder password_file/acl_file, nicht beides")
        self.workdir = workdir
        self.port = port or free_port()
        self.security = security
        # the port the hub's processes use: their own listener when secured
        self.hub_port = (hub_port or free_port()) if security is not None else self.port
        self.persistence = persistence
        self.password_file = password_file
        self.acl_file = acl_file
        self.tls = tls
        self.tls_port = (tls_port or free_port()) if tls is not None else None
        self.max_queued_messages = max_queued_messages
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "mosquitto.log"

    def config_text(self) -> str:
        if self.security is not None:
            return self._secured_config_text(self.security)
        lines = [
            f"user {getpass.getuser()}",  # as root, mosquitto would drop to a user that cannot read our files
            "per_listener_settings false",
            f"allow_anonymous {'false' if self.password_file else 'true'}",
            *self._general_lines(),
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

    def _secured_config_text(self, security: BrokerSecurity) -> str:
        lines = [
            f"user {getpass.getuser()}",
            # password file, ACL and anonymous access per listener: trucks and hub apart
            "per_listener_settings true",
            *self._general_lines(),
            *trucks_listener(self.port, security),
            *hub_listener(self.hub_port, security),
        ]
        if self.tls is not None and self.tls_port is not None:
            lines += trucks_listener(self.tls_port, security, tls=self.tls)
        return "\n".join(lines) + "\n"

    def _general_lines(self) -> list[str]:
        return [
            f"max_queued_messages {self.max_queued_messages}",
            "max_queued_bytes 0",
            "max_inflight_messages 100",
            "message_size_limit 0",
            # acks to the trucks go out at once: with Nagle's algorithm a small message waits for
            # the peer's delayed ACK (up to 40 ms), and a draining backlog stalls every few batches
            "set_tcp_nodelay true",
            f"persistence {'true' if self.persistence else 'false'}",
            f"persistence_location {self.workdir}/",
            # saved at every change, not every 30 minutes: a killed broker loses nothing queued
            "autosave_interval 1",
            "autosave_on_changes true",
            "log_type error",
            "log_type warning",
            "log_type notice",
            f"log_dest file {self.log}",
        ]

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

    @property
    def ports(self) -> tuple[int, ...]:
        """Every port the broker listens on."""
        ports = {self.port, self.hub_port}
        if self.tls_port is not None:
            ports.add(self.tls_port)
        return tuple(sorted(ports))

    def _accepts(self) -> bool:
        # mosquitto opens its listeners one after the other: ready when all of them are
        for port in self.ports:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    pass
            except OSError:
                return False
        return True

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


def main(argv: list[str] | None = None) -> int:
    """``python -m hub.broker --dir DIR --auth AUTH``: a secured broker for the demo.

    AUTH holds ``trucks.passwd`` and ``hub.passwd`` as ``tourkasse hub truck add`` and
    ``tourkasse hub broker-user`` wrote them; the ACLs are the ones in config/mosquitto/.
    Prints ``bereit trucks=PORT hub=PORT`` and runs until SIGTERM or Ctrl+C.
    """
    import argparse
    import threading

    from hub.broker_config import HUB_ACL, TRUCKS_ACL

    parser = argparse.ArgumentParser(prog="python -m hub.broker", description=main.__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="Arbeitsordner des Brokers")
    parser.add_argument("--auth", type=Path, required=True, help="Ordner mit den Passwortdateien")
    args = parser.parse_args(argv)
    (args.auth / "trucks.acl").write_text(TRUCKS_ACL, encoding="utf-8")
    (args.auth / "hub.acl").write_text(HUB_ACL, encoding="utf-8")
    security = BrokerSecurity(
        trucks_passwd=args.auth / "trucks.passwd",
        trucks_acl=args.auth / "trucks.acl",
        hub_passwd=args.auth / "hub.passwd",
        hub_acl=args.auth / "hub.acl",
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with LocalBroker(args.dir, security=security, persistence=True) as broker:
        print(f"bereit trucks={broker.port} hub={broker.hub_port}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
