"""PostgreSQL: a batch that continues a truck's journal is stored while the hub reads the next.

The ingest's usual way (ingest.py) waits for the database four times per batch: for the
truck's chain state, for the start and the end of the COPY, and for the COMMIT. Here the hub
remembers where each truck's journal ends, as it committed it, and checks the next batch
against that in memory. It then sends the whole transaction as one script with the COPY's
rows (BEGIN, the truck's lock, a check that the journal on the server still ends there, the
COPY, the chain state, the turnover, COMMIT) and reads the answers only once it has read the
next batch. The server stores one batch while the hub reads the next.

Whatever is not plain goes the usual way: the first batch of a truck this process sees, a
batch that does not start where the journal ends (duplicates, forks, gaps), an entry that is
refused. So does a script the server refuses, for example when another hub process stored
entries of the truck meanwhile (its check fails, nothing of the script is kept): the batch is
then taken again the usual way, which reads what the server holds. The outcome of a batch is
known, and the truck may be told, only once its COMMIT has been answered.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.store.dialect import PostgresDatabase
from hub.store.ingest import (
    JOURNAL_COLUMNS,
    ChainState,
    accept_batch,
    chain_state,
    save_state,
    taken,
)
from hub.store.model import BatchOutcome
from hub.store.projections import Deltas, apply
from tourkasse.journal import ChainWalk, EntryKind, JournalError, format_time
from tourkasse.protocol import JournalBatch

# PostgreSQL's binary COPY format: a header, rows of (field count, then length and bytes of
# each field), and -1 as the end
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_COPY_END = struct.pack("!h", -1)
_LENGTH = struct.Struct("!i")
_SEQ_THEN_HASH = struct.Struct("!iqi")  # the seq (8 bytes) and the length of the hash after it


def _field(value: bytes) -> bytes:
    return _LENGTH.pack(len(value)) + value


_KIND_FIELDS = {kind: _field(kind.value.encode()) for kind in EntryKind}


class Script:
    """Statements with their values written in as literals, for :meth:`send_script`.

    It takes ``run`` and ``run_many`` like a database, so the ingest's own statements (the
    chain state, the turnover) go into it unchanged. ``run_many`` becomes one statement with
    a row per parameter set: the rows of one call must not hit the same key (PostgreSQL
    refuses to update a row twice in one statement; the turnover's keys are unique).
    """

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db
        self.statements: list[str] = []

    def add(self, sql: str) -> None:
        self.statements.append(sql)

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.statements.append(self._filled(sql, [params])[0])
        return -1

    def run_many(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        if not params:
            return
        marks = "(" + ", ".join("?" * len(params[0])) + ")"
        if sql.count(marks) != 1 or sql.count("?") != len(params[0]):
            for row in params:
                self.run(sql, row)
            return
        head, tail = sql.split(marks)
        rows = self._filled(marks, params)
        self.statements.append(f"{head}{', '.join(rows)}{tail}")

    def _filled(self, sql: str, params: Sequence[Sequence[Any]]) -> list[str]:
        pieces = sql.split("?")
        literal = self.db.literal
        filled = []
        for row in params:
            if len(row) != len(pieces) - 1:
                raise ValueError(f"{len(row)} Werte für {len(pieces) - 1} Platzhalter")
            parts = [pieces[0]]
            for value, piece in zip(row, pieces[1:], strict=True):
                parts += (literal(value), piece)
            filled.append("".join(parts))
        return filled

    def text(self) -> str:
        return ";\n".join(self.statements)


@dataclass(frozen=True)
class _Sent:
    """A batch whose script is on its way: what it holds once its COMMIT is answered."""

    batch: JournalBatch
    received_at: datetime
    outcome: BatchOutcome


@dataclass(frozen=True)
class _Prepared:
    script: str
    rows: bytes
    outcome: BatchOutcome
    after: ChainState


class Pipeline:
    """The ingest's batches on PostgreSQL, one in flight while the next is read."""

    def __init__(self, db: PostgresDatabase, zone: ZoneInfo) -> None:
        self.db = db
        self.zone = zone
        # where each truck's journal ends once the batch in flight has committed
        self.chains: dict[str, ChainState] = {}
        self.sent: _Sent | None = None

    @property
    def in_flight(self) -> bool:
        return self.sent is not None

    @property
    def answered(self) -> bool:
        """The batch in flight has its answer already (another statement read it)."""
        return self.sent is not None and not self.db.script_unread

    def submit(self, batch: JournalBatch, received_at: datetime) -> list[BatchOutcome]:
        """Take ``batch``; returns the outcomes known now, in order: of the batch that was in
        flight, and of this one unless it is in flight now."""
        state = self.chains.get(batch.truck)
        prepared = None
        if state is not None and batch.entries and batch.first == state.last_seq + 1:
            prepared = self._prepare(batch, state, received_at)  # before the wait: the point
        outcomes, as_expected = self._settle()
        if prepared is None or not as_expected:
            outcomes.append(self._usual_way(batch, received_at))
            return outcomes
        self.db.send_script(prepared.script, prepared.rows)
        self.chains[batch.truck] = prepared.after
        self.sent = _Sent(batch, received_at, prepared.outcome)
        return outcomes

    def settle(self) -> list[BatchOutcome]:
        """Wait for the batch in flight; its outcome (none when nothing is in flight)."""
        return self._settle()[0]

    def _settle(self) -> tuple[list[BatchOutcome], bool]:
        sent, self.sent = self.sent, None
        if sent is None:
            return [], True
        if self.db.finish_script() is None:
            return [sent.outcome], True
        # refused and rolled back: the journal on the server is not where this process saw it
        # end (another hub process stored entries meanwhile) or the server found something
        # else wrong; the usual way reads what is stored and says what became of the batch
        return [self._usual_way(sent.batch, sent.received_at)], False

    def _usual_way(self, batch: JournalBatch, received_at: datetime) -> BatchOutcome:
        """The batch taken as ingest.py takes it; what is remembered of its truck is read
        again from the store (forgotten until then: the usual way may refuse the batch)."""
        self.chains.pop(batch.truck, None)
        outcome = accept_batch(self.db, self.zone, batch, received_at)
        if outcome.through > 0:
            self.chains[batch.truck] = chain_state(self.db, batch.truck)
        return outcome

    def _prepare(
        self, batch: JournalBatch, state: ChainState, received_at: datetime
    ) -> _Prepared | None:
        """The batch's script and COPY rows, or None when an entry is refused (the usual way
        then says why)."""
        truck = batch.truck
        received = format_time(received_at)
        walk = state.walk(truck)
        deltas = Deltas(self.zone)
        head = struct.pack("!h", len(JOURNAL_COLUMNS)) + _field(truck.encode())
        tail = _field(received.encode())
        length = _LENGTH.pack
        rows = [_COPY_HEADER]
        try:
            for seq, data in enumerate(batch.entries, batch.first):
                entry = taken(walk, deltas, data, truck, seq)
                hash_ = entry.hash.encode()
                at = entry.at_text.encode()
                # the entry's bytes go into the list as they are: copied once, by the join
                rows += (
                    head,
                    _SEQ_THEN_HASH.pack(8, seq, len(hash_)),
                    hash_,
                    _KIND_FIELDS[entry.kind],
                    length(len(at)),
                    at,
                    length(len(data)),
                    data,
                    tail,
                )
        except JournalError:
            return None
        rows.append(_COPY_END)
        try:
            return self._script(truck, state, walk, deltas, received, b"".join(rows))
        except ValueError:  # a text the script cannot carry: the usual way says what it is
            return None

    def _script(
        self,
        truck: str,
        state: ChainState,
        walk: ChainWalk,
        deltas: Deltas,
        received: str,
        rows: bytes,
    ) -> _Prepared:
        after = state.after(walk.summary())
        literal = self.db.literal
        script = Script(self.db)
        script.add("BEGIN")
        script.add(f"SELECT pg_advisory_xact_lock(hashtext({literal(f'tourkasse-truck:{truck}')}))")
        script.add(
            f"SELECT tourkasse_expect_chain({literal(truck)}, {state.last_seq}, "
            f"{literal(state.last_hash)})"
        )
        script.add(f"COPY journal ({', '.join(JOURNAL_COLUMNS)}) FROM STDIN (FORMAT BINARY)")
        save_state(script, truck, after, received)
        apply(script, deltas)
        script.add("COMMIT")
        outcome = BatchOutcome(truck, after.last_seq, walk.count, 0, 0)
        return _Prepared(script.text(), rows, outcome, after)
