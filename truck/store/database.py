"""Opening the truck's SQLite database: durable settings, one writer at a time, migrations.

Both the till and the agent open the same file. Writes go through ``write_transaction``,
which takes SQLite's write lock up front (BEGIN IMMEDIATE) so that reading the journal's
tail and appending to it cannot interleave between processes.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from tourkasse.sqlite_wal import switch_to_wal
from truck.store.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 15_000


class StoreError(RuntimeError):
    """The database cannot be used; str() says why in the staff's words."""


def open_database(path: Path) -> sqlite_utils.Database:
    """Open (creating if need be) the truck database and bring its schema up to date."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except OSError as exc:
        raise StoreError(f"Datenbank {path} lässt sich nicht öffnen: {exc.strerror}") from exc
    except sqlite3.Error as exc:
        raise StoreError(describe_error(path, exc)) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = switch_to_wal(conn, wait_s=BUSY_TIMEOUT_MS / 1000)
        if mode.lower() != "wal":
            raise StoreError(f"Datenbank {path}: WAL-Modus nicht möglich ({mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        with write_transaction(db):
            MIGRATIONS.apply(db)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(describe_error(path, exc)) from exc
    return db


def open_for_reading(path: Path) -> sqlite_utils.Database:
    """Open the journal only to read it: no lock taken, nothing created or migrated.

    Works on a read-only copy too (a USB stick handed to a tax auditor).
    """
    if not path.exists():
        raise StoreError(f"Datenbank {path} gibt es nicht")
    for query in ("mode=ro", "immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?{query}", uri=True, isolation_level=None
            )
            conn.execute("SELECT count(*) FROM journal").fetchone()
            return sqlite_utils.Database(conn)
        except sqlite3.OperationalError as exc:
            last = exc
            continue
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"Datenbank {path} ist beschädigt oder keine Tourkasse-Datenbank: {exc}"
            ) from exc
    raise StoreError(f"Datenbank {path} lässt sich nicht lesen: {last}")


def describe_error(path: Path, exc: sqlite3.Error) -> str:
    """A database error in the words of the people at the truck."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"Datenbank {path} ist gerade von einem anderen Programm belegt – bitte gleich noch einmal"
    if "readonly" in text or "read-only" in text:
        return f"Datenbank {path} ist schreibgeschützt – ist die Speicherkarte voll oder defekt?"
    if ("disk" in text and "full" in text) or "full" in text:
        return f"Datenbank {path}: der Speicher ist voll"
    if "unable to open" in text:
        return f"Datenbank {path} lässt sich nicht öffnen (fehlt der Ordner oder das Schreibrecht?)"
    return f"Datenbank {path} ist beschädigt oder keine Tourkasse-Datenbank: {exc}"


@contextlib.contextmanager
def write_transaction(
    db: sqlite_utils.Database, *, durable: bool = True
) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE … COMMIT, or a savepoint when already inside one.

    ``durable=False`` commits without waiting for the disk (synchronous=NORMAL): the write
    survives a crashed process but may be lost in a power cut. Only for working state that
    a later durable commit makes safe or that recovery can do without.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    if not durable:
        conn.execute("PRAGMA synchronous = NORMAL")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
    finally:
        if not durable:
            conn.execute("PRAGMA synchronous = FULL")
