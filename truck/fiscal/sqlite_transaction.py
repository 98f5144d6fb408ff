"""One SQLite write transaction for a TSE's own files (the software TSE's state, the fiskaly
client's ledger): BEGIN IMMEDIATE … COMMIT under the TSE's lock, where a storage failure is the
TSE failing (TseUnavailable: the till goes on in failure mode) rather than a crash."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from truck.fiscal.tse import TseUnavailable


@contextmanager
def immediate(
    lock: threading.Lock | threading.RLock, connection: sqlite3.Connection | None, closed: str
) -> Iterator[sqlite3.Connection]:
    """``closed`` says, in German, what is closed when ``connection`` is None."""
    with lock:
        if connection is None:
            raise TseUnavailable(f"TSE nicht erreichbar: {closed}")
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")
        except BaseException as exc:
            if connection.in_transaction:
                with suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error | OSError):
                raise TseUnavailable(f"TSE nicht erreichbar: Speicherfehler ({exc})") from exc
            raise
