"""What the operator's live page reads: the latest receipts, entries of some kinds since a time.

Receipts are followed per truck by sequence number (the journal's primary key), so that the
page learns of new sales from the ``trucks`` table's ``last_seq`` without scanning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.store.dialect import Database
from tourkasse.journal import EntryKind, format_time


def heads(db: Database) -> dict[str, int]:
    """Each truck's last committed entry."""
    return {truck: int(seq) for truck, seq in db.rows("SELECT truck, last_seq FROM trucks")}


def receipts_after(db: Database, truck: str, after: int, limit: int) -> list[bytes]:
    """The truck's receipt entries after ``after``, oldest first, at most ``limit``."""
    rows = db.rows(
        "SELECT data FROM journal WHERE truck = ? AND seq > ? AND kind = ? ORDER BY seq LIMIT ?",
        [truck, after, EntryKind.RECEIPT.value, limit],
    )
    return [bytes(data) for (data,) in rows]


def latest_receipts(db: Database, limit: int) -> list[bytes]:
    """The newest receipts of the fleet, newest first."""
    rows = db.rows(
        "SELECT data FROM journal WHERE kind = ? ORDER BY at DESC LIMIT ?",
        [EntryKind.RECEIPT.value, limit],
    )
    return [bytes(data) for (data,) in rows]


def entries_since(
    db: Database, kinds: Sequence[EntryKind], since: datetime, until: datetime | None = None
) -> list[bytes]:
    """Entries of these kinds dated from ``since`` to before ``until``, per truck in order."""
    marks = ", ".join("?" * len(kinds))
    bound = " AND at < ?" if until is not None else ""
    rows = db.rows(
        f"SELECT data FROM journal WHERE kind IN ({marks}) AND at >= ?{bound} ORDER BY truck, seq",
        [
            *(kind.value for kind in kinds),
            format_time(since),
            *([format_time(until)] if until is not None else []),
        ],
    )
    return [bytes(data) for (data,) in rows]
