"""Turning on SQLite's write-ahead log for a file that others may be opening too."""

from __future__ import annotations

import sqlite3
import threading
import time


def switch_to_wal(conn: sqlite3.Connection, *, wait_s: float) -> str:
    """Turn on WAL and return the journal mode SQLite reports.

    Changing the journal mode needs the database to itself, and SQLite answers "locked"
    at once instead of calling the busy handler — so when two programs (the till and the
    agent, the hub's ingest and a report) start together on a fresh file one of them would
    fail. This waits for the other, as long as any other lock would be waited for.
    """
    deadline = time.monotonic() + wait_s
    pause = threading.Event()
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            pause.wait(0.02)
