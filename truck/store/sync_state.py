"""How far the hub has the truck's journal and track: the agent's pointers.

The pointer moves only on the hub's acknowledgement ("committed through N"), never on
sending: the journal itself is the buffer (paho keeps unacknowledged messages in memory
only). Losing the latest pointer write in a power cut is harmless, the hub takes the same
entries twice without change, so it is written without waiting for the disk.
"""

from __future__ import annotations

from sqlite_utils import Database

from truck.store.database import write_transaction

JOURNAL = "journal_acked"  # the hub has committed the journal through this sequence number
TRACK = "track_acked"  # the hub has the track through this point of time (UTC text)


def get(db: Database, key: str, default: str = "") -> str:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def journal_acked(db: Database) -> int:
    return int(get(db, JOURNAL, "0"))


def set_value(db: Database, key: str, value: str) -> None:
    with write_transaction(db, durable=False):
        db.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def journal_rows(db: Database, *, after: int, limit: int) -> list[tuple[int, bytes]]:
    """The canonical bytes of the entries after ``after``, in order, as the journal has them."""
    return [
        (seq, bytes(data))
        for seq, data in db.execute(
            "SELECT seq, data FROM journal WHERE seq > ? ORDER BY seq LIMIT ?", [after, limit]
        )
    ]


def journal_last(db: Database) -> int:
    return db.execute("SELECT coalesce(max(seq), 0) FROM journal").fetchone()[0]
