"""Storing the trucks' journals: idempotent, gap-aware, chain-checked, forks quarantined.

A batch is taken entry by entry inside one transaction. An entry the hub holds already is a
duplicate when its bytes hash the same, and a fork (kept apart, raised as an alert, never
stored over the journal) when they do not. The entry after the last committed one must
continue the hash chain, the receipt and closing numbers and the time of the truck's journal as
the hub has it (the per-truck state in ``trucks``); the first that does not is refused with its
reason, and nothing after it is stored. An entry further on than the next one is a gap: the
truck is asked to send again from the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.store.dialect import Database, Writes
from hub.store.model import BatchOutcome
from hub.store.projections import Deltas, apply
from tourkasse import protocol
from tourkasse.journal import (
    GENESIS_HASH,
    ChainSummary,
    ChainWalk,
    Entry,
    JournalError,
    decode_entry,
    format_time,
)


@dataclass(frozen=True)
class ChainState:
    """Where a truck's journal stands on the hub: what the next entry must continue."""

    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    next_number: int | None = 1
    next_closing_number: int | None = 1
    last_at: datetime | None = None

    def walk(self, truck: str) -> ChainWalk:
        """The chain check of the entries that come next."""
        return ChainWalk(
            truck=truck,
            prev_hash=self.last_hash,
            first_seq=self.last_seq + 1,
            next_number=self.next_number,
            next_closing_number=self.next_closing_number,
            prev_at=self.last_at,
        )

    def after(self, summary: ChainSummary) -> ChainState:
        return replace(
            self,
            last_seq=summary.last_seq if summary.last_seq is not None else self.last_seq,
            last_hash=summary.last_hash,
            next_number=summary.next_number,
            next_closing_number=summary.next_closing_number,
            last_at=summary.last_at,
        )


def chain_state(db: Database, truck: str) -> ChainState:
    row = db.one(
        "SELECT last_seq, last_hash, next_number, next_closing_number, last_at "
        "FROM trucks WHERE truck = ?",
        [truck],
    )
    if row is None:
        return ChainState()
    last_at = datetime.fromisoformat(row[4]) if row[4] is not None else None
    return ChainState(row[0], row[1], row[2], row[3], last_at)


def save_state(db: Writes, truck: str, state: ChainState, now: str) -> None:
    db.run(
        "INSERT INTO trucks (truck, last_seq, last_hash, next_number, next_closing_number, "
        "last_at, first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (truck) DO UPDATE SET last_seq = excluded.last_seq, "
        "last_hash = excluded.last_hash, next_number = excluded.next_number, "
        "next_closing_number = excluded.next_closing_number, last_at = excluded.last_at, "
        "updated_at = excluded.updated_at",
        [
            truck,
            state.last_seq,
            state.last_hash,
            state.next_number,
            state.next_closing_number,
            format_time(state.last_at) if state.last_at is not None else None,
            now,
            now,
        ],
    )


def _read(data: bytes, truck: str, seq: int) -> Entry:
    """The entry at position ``seq`` of ``truck``'s batch, or JournalError saying why not."""
    entry = decode_entry(data)
    if entry.truck != truck:
        raise JournalError(f"gehört zu Wagen {entry.truck}, nicht zu {truck}")
    if entry.seq != seq or seq < 1:
        raise JournalError(f"steht an Stelle {seq}, nennt sich aber {entry.seq}")
    return entry


def _stored_hashes(db: Database, truck: str, first: int, last: int) -> dict[int, str]:
    if last < first:
        return {}
    rows = db.rows(
        "SELECT seq, hash FROM journal WHERE truck = ? AND seq >= ? AND seq <= ?",
        [truck, first, last],
    )
    return dict(rows)


def journal_topic(truck: str) -> str:
    try:
        return protocol.truck_topic(truck, "journal")
    except ValueError:
        return f"{protocol.PREFIX}/truck/{truck}/journal"


JOURNAL_COLUMNS = ("truck", "seq", "hash", "kind", "at", "data", "received_at")


def accept_batch(
    db: Database, zone: ZoneInfo, batch: protocol.JournalBatch, received_at: datetime
) -> BatchOutcome:
    """Store what is new in ``batch`` and update the projections, in one transaction."""
    received = format_time(received_at)
    truck = batch.truck
    duplicates = forks = 0
    reason: str | None = None
    with db.transaction():
        db.lock(f"tourkasse-truck:{truck}")
        state = chain_state(db, truck)
        known = _stored_hashes(db, truck, batch.first, min(batch.last, state.last_seq))
        # entries the hub holds already: duplicates, or forks to keep apart
        for seq, data in zip(range(batch.first, state.last_seq + 1), batch.entries, strict=False):
            try:
                entry = _read(data, truck, seq)
            except JournalError as exc:
                reason = f"Eintrag {seq}: {exc}"
                break
            if known.get(seq) == entry.hash:
                duplicates += 1
            else:
                _quarantine(db, entry, known.get(seq, ""), received)
                forks += 1
        fresh = batch.entries[max(0, state.last_seq + 1 - batch.first) :] if reason is None else ()
        if fresh and batch.first > state.last_seq + 1:
            # only the first fresh entry can leave a gap: the batch's entries are contiguous
            try:
                _read(fresh[0], truck, batch.first)
            except JournalError as exc:  # said first, as the batch is then kept as refused
                reason = f"Eintrag {batch.first}: {exc}"
            else:
                gap = f"Lücke: erwartet Eintrag {state.last_seq + 1}, bekommen ab {batch.first}"
                return BatchOutcome(truck, state.last_seq, 0, 0, 0, state.last_seq + 1, gap)
            fresh = ()
        deltas = Deltas(zone)
        walk = state.walk(truck)
        if fresh:
            with db.appending("journal", JOURNAL_COLUMNS) as append:
                for seq, data in enumerate(fresh, state.last_seq + 1):
                    try:
                        entry = taken(walk, deltas, data, truck, seq)
                    except JournalError as exc:
                        reason = str(exc)
                        break
                    append(
                        (truck, seq, entry.hash, entry.kind._value_, entry.at_text, data, received)
                    )
        if reason is not None:
            # a broken chain or an unreadable entry: what came before it is kept, the batch
            # is kept as refused with the first reason, and the truck is asked from there
            _reject_batch(db, batch, reason, received)
        if walk.count:
            state = state.after(walk.summary())
            with db.unanswered():
                save_state(db, truck, state, received)
                apply(db, deltas)
    resend_from = state.last_seq + 1 if reason is not None else None
    said = storable(reason) if reason is not None else None  # also told to the truck
    return BatchOutcome(truck, state.last_seq, walk.count, duplicates, forks, resend_from, said)


def taken(walk: ChainWalk, deltas: Deltas, data: bytes, truck: str, seq: int) -> Entry:
    """The next entry of the truck's journal, checked and counted; JournalError (its text
    naming the entry) when it may not be stored, and then nothing is counted."""
    try:
        entry = _read(data, truck, seq)
    except JournalError as exc:
        raise JournalError(f"Eintrag {seq}: {exc}") from exc
    walk.check(seq, entry, entry.hash)  # ChainBroken names the entry itself
    try:
        deltas.add(entry)  # counts nothing when the receipt cannot be read
    except JournalError as exc:
        raise JournalError(f"Eintrag {seq}: {exc}") from exc
    walk.advance(entry, entry.hash)
    return entry


def _quarantine(db: Database, entry: Entry, stored_hash: str, received: str) -> None:
    """Keep a forked entry apart (once, however often it arrives)."""
    db.run(
        "INSERT INTO forks (truck, seq, stored_hash, arriving_hash, data, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (truck, seq, arriving_hash) DO NOTHING",
        [entry.truck, entry.seq, stored_hash, entry.hash, entry.data, received],
    )


def _reject_batch(db: Database, batch: protocol.JournalBatch, reason: str, received: str) -> None:
    """Keep a refused batch (its entries' bytes unchanged); the same one again is kept once."""
    reason = storable(reason)
    payload = protocol.encode(batch)
    same = db.rows(
        "SELECT payload FROM rejected WHERE truck = ? AND reason = ?", [batch.truck, reason]
    )
    if any(bytes(row[0]) == payload for row in same):
        return
    insert_rejected(db, journal_topic(batch.truck), payload, reason, received, batch.truck)


def storable(reason: str) -> str:
    """A reason as a text column holds it: a reason may quote what came (a truck id, say),
    and PostgreSQL's text cannot hold a NUL character."""
    return reason.replace("\x00", "\\x00")


def insert_rejected(
    db: Database, topic: str, payload: bytes, reason: str, received: str, truck: str | None
) -> None:
    reason = storable(reason)
    db.run(
        "INSERT INTO rejected (received_at, topic, truck, reason, payload) VALUES (?, ?, ?, ?, ?)",
        [received, topic, truck, reason, payload],
    )
