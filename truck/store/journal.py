"""Appending to the truck's journal and reading it back.

One function appends, for the till and the agent alike: it takes the write lock, reads the
tail, allocates the next sequence number, links the hash chain and inserts the entry, all
in one transaction together with whatever effects the caller adds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from tourkasse.journal import (
    GENESIS_HASH,
    ChainBroken,
    ChainSummary,
    Entry,
    EntryKind,
    check_chain,
    decode_entry,
    encode_entry,
)
from truck.store.database import write_transaction


class ClockBehindJournal(RuntimeError):
    """The clock says a time before the journal's last entry: nothing may be written."""

    def __init__(self, now: datetime, last: datetime) -> None:
        super().__init__(
            "Die Uhr der Kasse geht nach: sie zeigt "
            f"{now.astimezone():%d.%m.%Y %H:%M:%S}, der letzte Eintrag im Journal ist vom "
            f"{last.astimezone():%d.%m.%Y %H:%M:%S}. Verkauf gesperrt, bis die Zeit bestätigt ist."
        )
        self.now = now
        self.last = last


@dataclass(frozen=True)
class Tail:
    seq: int
    hash: str
    at: datetime | None


def tail(db: Database) -> Tail:
    row = db.execute("SELECT seq, hash, at FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        return Tail(0, GENESIS_HASH, None)
    return Tail(row[0], row[1], datetime.fromisoformat(row[2]))


def check_clock(last: Tail, now: datetime) -> None:
    """Refuse a time before the journal's last entry (a Pi without battery clock)."""
    if last.at is not None and now < last.at:
        raise ClockBehindJournal(now, last.at)


Effects = Callable[[Database, Entry], None]


def append(
    db: Database,
    *,
    truck: str,
    kind: EntryKind,
    body: dict[str, Any] | Callable[[Database], dict[str, Any]],
    clock: Callable[[], datetime],
    effects: Effects | None = None,
    before_commit: Callable[[str], None] | None = None,
) -> Entry:
    """Append one entry and its effects atomically; return the entry as stored.

    The time is read from ``clock`` inside the lock, so entries are in time order. A clock
    behind the journal's last entry raises ClockBehindJournal, except for the entries that
    record a clock override or correction, which are allowed to set time back.
    ``body`` may be a function of the database, called inside the transaction, for bodies
    that carry a number which must be drawn under the same lock (receipt and closing numbers).
    ``before_commit`` is called with the names of the commit's steps (for crash tests).
    """
    step = before_commit or _no_step
    with write_transaction(db):
        last = tail(db)
        now = clock()
        if not kind.resets_clock:
            check_clock(last, now)
        content = body(db) if callable(body) else body
        entry = encode_entry(
            truck=truck, seq=last.seq + 1, at=now, kind=kind, prev=last.hash, body=content
        )
        db.execute(
            "INSERT INTO journal (seq, kind, at, hash, data) VALUES (?, ?, ?, ?, ?)",
            [entry.seq, kind.value, entry.at.isoformat(), entry.hash, entry.data],
        )
        step("after_journal_write")
        if effects is not None:
            effects(db, entry)
        step("before_commit")
    return entry


def next_receipt_number(db: Database) -> int:
    """The next gap-free receipt number; call inside the entry's transaction."""
    return db.execute("SELECT coalesce(max(number), 0) + 1 FROM receipts").fetchone()[0]


def entries(db: Database, *, after: int = 0, kinds: tuple[EntryKind, ...] = ()) -> Iterator[Entry]:
    sql = "SELECT data FROM journal WHERE seq > ?"
    params: list[Any] = [after]
    if kinds:
        sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
        params.extend(kind.value for kind in kinds)
    for (data,) in db.execute(sql + " ORDER BY seq", params):
        yield decode_entry(bytes(data))


def entry(db: Database, seq: int) -> Entry | None:
    row = db.execute("SELECT data FROM journal WHERE seq = ?", [seq]).fetchone()
    return decode_entry(bytes(row[0])) if row else None


def numbered_entry(db: Database, number: int) -> Entry | None:
    """The entry that carries receipt number ``number`` (a receipt or a cash event)."""
    row = db.execute(
        "SELECT j.data FROM receipts r JOIN journal j ON j.seq = r.seq WHERE r.number = ?", [number]
    ).fetchone()
    return decode_entry(bytes(row[0])) if row else None


def last_of(db: Database, *kinds: EntryKind) -> Entry | None:
    marks = ", ".join("?" * len(kinds))
    row = db.execute(
        f"SELECT data FROM journal WHERE kind IN ({marks}) ORDER BY seq DESC LIMIT 1",
        [kind.value for kind in kinds],
    ).fetchone()
    return decode_entry(bytes(row[0])) if row else None


def verify(db: Database, *, truck: str | None = None) -> ChainSummary:
    """Check the whole chain and the receipt index; raises ChainBroken at the first fault."""
    rows = db.execute("SELECT seq, data, hash FROM journal ORDER BY seq")
    summary = check_chain(((seq, bytes(data), hash_) for seq, data, hash_ in rows), truck=truck)
    numbered = [kind.value for kind in EntryKind if kind.numbered]
    marks = ", ".join("?" * len(numbered))
    mismatch = db.execute(
        f"""SELECT j.seq FROM journal j LEFT JOIN receipts r ON r.seq = j.seq
            WHERE j.kind IN ({marks}) AND r.seq IS NULL
            UNION SELECT r.seq FROM receipts r LEFT JOIN journal j ON j.seq = r.seq
            WHERE j.seq IS NULL OR j.kind NOT IN ({marks})
            ORDER BY 1 LIMIT 1""",
        numbered + numbered,
    ).fetchone()
    if mismatch is not None:
        raise ChainBroken(mismatch[0], "Bonverzeichnis passt nicht zum Journal")
    return summary


def _no_step(name: str) -> None:
    return None
