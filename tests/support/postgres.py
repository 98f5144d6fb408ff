"""A throwaway PostgreSQL cluster for the tests: Debian's initdb and pg_ctl, a free loopback port.

No server needs to be running on the machine: the session starts its own cluster in a temporary
folder (``fsync=off``, trust authentication on 127.0.0.1 and a socket in that folder) and stops
and removes it at the end of the session, also when tests fail. ``initdb`` refuses to run as
root, so as root the cluster runs as the ``postgres`` system user (or ``nobody``).

Use the ``postgres_cluster`` fixture (session scope) and give each test its own database::

    name = postgres_cluster.create_database()
    ...  # postgres_cluster.url(name)
    postgres_cluster.drop_database(name)
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SUPERUSER = "tourkasse"
MISSING = (
    "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). The hub's store is "
    "tested on PostgreSQL too: scripts/test installs Debian's `postgresql` package, or run "
    "`apt-get install postgresql` once."
)


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    candidates = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        version = Path(initdb).parent.parent.name
        if version.isdigit():
            candidates.append((int(version), Path(initdb).parent))
    return max(candidates)[1] if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_as() -> str | None:
    """The unprivileged user to run the cluster as when we are root; None when we are not."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and found neither a postgres nor a nobody user")


class PostgresCluster:
    """A running throwaway cluster; ``url(name)`` connects as its superuser over TCP."""

    def __init__(self, bin_dir: Path, base: Path, user: str | None) -> None:
        self.bin_dir = bin_dir
        self.base = base
        self.data = base / "data"
        self.socket_dir = base / "socket"
        self.log = base / "server.log"
        self.user = user
        self.port = 0
        self.started_in = 0.0  # seconds from initdb to accepting connections
        self._names = itertools.count(1)

    def _command(self, *args: str) -> list[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        return ["runuser", "-u", self.user, "--", *command] if self.user else command

    def _run(self, *args: str) -> None:
        done = subprocess.run(self._command(*args), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
                f"\n{log}"
            )

    def start(self) -> None:
        began = time.monotonic()
        self.socket_dir.mkdir()
        if self.user:
            entry = pwd.getpwnam(self.user)
            for path in (self.base, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        for attempt in range(5):
            self.port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} "
                f"-c unix_socket_directories={self.socket_dir} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=50"
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-w",
                    "-t",
                    "30",
                    "-o",
                    options,
                    "start",
                )
                break
            except RuntimeError:
                if attempt == 4:
                    raise
        self.started_in = time.monotonic() - began

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_cluster() -> PostgresCluster:
    """Start a cluster, or fail the test with how to install PostgreSQL."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.fail(MISSING, pytrace=False)
    base = Path(tempfile.mkdtemp(prefix="tourkasse-pg-"))
    cluster = PostgresCluster(bin_dir, base, _run_as())
    atexit.register(cluster.stop)  # also when the session dies before the fixture's teardown
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
