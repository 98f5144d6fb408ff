"""PostgreSQL's own programs for backups: pg_dump and pg_restore, found and run.

A pg_dump older than the server refuses to dump it, and a pg_restore older than the pg_dump
that wrote an archive cannot read it; both say so only in English and halfway through. So the
programs are chosen first: Debian installs each client version in
``/usr/lib/postgresql/<major>/bin`` (package ``postgresql-client-<major>``), and the newest
there that is new enough is taken; elsewhere the one on PATH, if its version fits. The
password never goes on the command line (other users see that in ``ps``): it is handed over
in the environment, as libpq reads it.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hub.store.dialect import StoreError

DEBIAN_PLACES = "/usr/lib/postgresql/*/bin"
VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


class ToolFailed(StoreError):
    """A PostgreSQL program ended with an error; ``said`` is its own message."""

    def __init__(self, text: str, said: str) -> None:
        super().__init__(text)
        self.said = said


@dataclass(frozen=True)
class Tool:
    path: str
    major: int
    version: str


def version_of(path: str) -> Tool | None:
    """The program's PostgreSQL version, or None when it is no PostgreSQL tool that runs."""
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    found = VERSION.search(done.stdout)
    if done.returncode != 0 or found is None:
        return None
    version = found.group(1) + (f".{found.group(2)}" if found.group(2) else "")
    return Tool(path, int(found.group(1)), version)


def candidates(name: str, places: Sequence[str] | None = None) -> list[Tool]:
    """Every runnable ``name``, newest first: Debian's versioned ones, then the one on PATH."""
    if places is None:
        found = [str(Path(place) / name) for place in sorted(glob.glob(DEBIAN_PLACES))]
        if on_path := shutil.which(name):
            found.append(on_path)
    else:  # only these folders (the tests' way to have none)
        found = [str(Path(place) / name) for place in places]
    tools = [tool for path in found if os.access(path, os.X_OK) and (tool := version_of(path))]
    return sorted(tools, key=lambda tool: tool.major, reverse=True)


def choose(name: str, at_least: int, why: str, places: Sequence[str] | None = None) -> Tool:
    """The newest ``name`` of major version ``at_least`` or later; StoreError (German) saying
    what to install when there is none."""
    tools = candidates(name, places)
    if not tools:
        raise StoreError(
            f"{name} fehlt: bitte Debians Paket postgresql-client installieren "
            f"(apt install postgresql-client-{at_least}; Version {at_least} oder neuer, {why})"
        )
    if tools[0].major < at_least:
        raise StoreError(
            f"{name} {tools[0].version} ({tools[0].path}) ist zu alt: {why} braucht Version "
            f"{at_least} oder neuer (apt install postgresql-client-{at_least}, bei Debian "
            "aus apt.postgresql.org, wenn die Distribution sie nicht hat)"
        )
    return tools[0]


def connection(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password for ``--dbname``, and the environment with it."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "15"}
    env.pop("PGPASSWORD", None)
    if password is not None:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**{key: str(value) for key, value in params.items()}), env


def run(tool: Tool, args: Sequence[str], env: dict[str, str]) -> None:
    """Run the tool; StoreError with what it said when it fails."""
    try:
        done = subprocess.run(
            [tool.path, *args], capture_output=True, text=True, env=env, check=False
        )
    except OSError as exc:
        raise StoreError(f"{tool.path} lässt sich nicht starten: {exc}") from exc
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip()
        if done.returncode == -signal.SIGXFSZ:  # past the file size limit: as a full disk
            said = f"{said}\nFile too large (SIGXFSZ)".strip()
        elif done.returncode < 0:
            said = f"{said}\nbeendet durch Signal {signal.Signals(-done.returncode).name}".strip()
        lines = said.splitlines()
        raise ToolFailed(
            f"{Path(tool.path).name} ist fehlgeschlagen (Exit-Code {done.returncode}): "
            + (" / ".join(lines[-5:]) if lines else "ohne Meldung"),
            said,
        )
