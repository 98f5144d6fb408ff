"""Reading the stored journals back, and what went wrong: refused messages, forks, alerts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from hub.store.dialect import Database
from hub.store.model import Alert, Fork, Rejected
from tourkasse.journal import EntryKind, format_time

PAGE = 500


def committed_through(db: Database, truck: str) -> int:
    row = db.one("SELECT last_seq FROM trucks WHERE truck = ?", [truck])
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class JournalHead:
    """Where a truck's journal ends on the hub: its last entry, when it was written on the
    truck and when the hub stored it."""

    truck: str
    last_seq: int
    last_at: datetime | None
    stored_at: datetime


def journal_heads(db: Database) -> list[JournalHead]:
    rows = db.rows("SELECT truck, last_seq, last_at, updated_at FROM trucks ORDER BY truck")
    return [
        JournalHead(
            truck,
            int(seq),
            datetime.fromisoformat(last_at) if last_at else None,
            datetime.fromisoformat(updated_at),
        )
        for truck, seq, last_at, updated_at in rows
    ]


def counts(db: Database) -> dict[str, int]:
    """How many refused messages and quarantined forks the hub keeps."""
    return {
        table: int(db.one(f"SELECT count(*) FROM {table}")[0]) for table in ("rejected", "forks")
    }


def trucks(db: Database) -> list[str]:
    return [row[0] for row in db.rows("SELECT truck FROM trucks ORDER BY truck")]


def journal(db: Database, truck: str, after: int = 0) -> Iterator[bytes]:
    """The truck's canonical bytes in sequence order, a page at a time."""
    while True:
        page = db.rows(
            "SELECT seq, data FROM journal WHERE truck = ? AND seq > ? ORDER BY seq LIMIT ?",
            [truck, after, PAGE],
        )
        for _, data in page:
            yield bytes(data)
        if len(page) < PAGE:
            return
        after = page[-1][0]


def forks(db: Database, truck: str | None = None) -> list[Fork]:
    sql = "SELECT id, truck, seq, stored_hash, arriving_hash, data, received_at FROM forks"
    params: list[str] = []
    if truck is not None:
        sql, params = sql + " WHERE truck = ?", [truck]
    rows = db.rows(sql + " ORDER BY truck, seq, id", params)
    return [
        Fork(key, owner, seq, stored, arriving, bytes(data), datetime.fromisoformat(received))
        for key, owner, seq, stored, arriving, data, received in rows
    ]


def alerts(db: Database) -> list[Alert]:
    """Trucks whose journal forked: the first forked entry, how many, since when."""
    rows = db.rows(
        "SELECT truck, min(seq), count(*), min(received_at) FROM forks GROUP BY truck "
        "ORDER BY truck"
    )
    return [
        Alert(truck, int(first), int(count), datetime.fromisoformat(seen))
        for truck, first, count, seen in rows
    ]


def rejected(db: Database, limit: int = 100) -> list[Rejected]:
    rows = db.rows(
        "SELECT id, received_at, topic, truck, reason, payload FROM rejected "
        "ORDER BY id DESC LIMIT ?",
        [limit],
    )
    return [
        Rejected(key, datetime.fromisoformat(received), topic, truck, reason, bytes(payload))
        for key, received, topic, truck, reason, payload in rows
    ]


def entries_between(
    db: Database,
    kinds: Sequence[EntryKind],
    since: datetime | None,
    until: datetime,
    truck: str | None = None,
) -> list[bytes]:
    """Entries of these kinds dated from ``since`` (None: the beginning) to before ``until``,
    per truck in sequence order (found through the index on kind and time)."""
    marks = ", ".join("?" * len(kinds))
    sql = f"SELECT data FROM journal WHERE kind IN ({marks}) AND at < ?"
    params: list[object] = [*(kind.value for kind in kinds), format_time(until)]
    if since is not None:
        sql, params = sql + " AND at >= ?", [*params, format_time(since)]
    if truck is not None:
        sql, params = sql + " AND truck = ?", [*params, truck]
    return [bytes(data) for (data,) in db.rows(sql + " ORDER BY truck, seq", params)]


def last_before(db: Database, truck: str, kind: EntryKind, before: datetime) -> bytes | None:
    """The truck's last entry of ``kind`` dated before ``before``."""
    row = db.one(
        "SELECT data FROM journal WHERE truck = ? AND kind = ? AND at < ? ORDER BY seq DESC LIMIT 1",
        [truck, kind.value, format_time(before)],
    )
    return bytes(row[0]) if row else None


def first_after(db: Database, truck: str, kind: EntryKind, since: datetime) -> bytes | None:
    """The truck's first entry of ``kind`` dated from ``since`` on."""
    row = db.one(
        "SELECT data FROM journal WHERE truck = ? AND kind = ? AND at >= ? ORDER BY seq LIMIT 1",
        [truck, kind.value, format_time(since)],
    )
    return bytes(row[0]) if row else None
