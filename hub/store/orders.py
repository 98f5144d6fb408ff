"""Orders in the hub store: the orders and their lines, each stop's order deadline, what each
truck was last sent, and the log of who changed, decided or cancelled what.

The rules (who may do what, until when) live in ``hub/orders/service.py``; this module only
reads and writes rows. Writes that belong together run in one transaction here: a new order
gets its number ("B-17") inside the transaction that inserts it, so two orders placed at the
same moment never share one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from hub.orders.model import Channel, Decision, Order, OrderLine, OrderState
from hub.store.dialect import Database
from tourkasse.article import Unit
from tourkasse.journal import EntryKind, format_time

PREFIX = "B-"
_ORDER_COLUMNS = "number, stop, visit, truck, channel, orderer, note, state, placed_at, changed_at"
_LINE_COLUMNS = (
    "number, line, article, text, unit, quantity, unit_price, deposit, for_whom, decision, reason"
)


@dataclass(frozen=True)
class Publication:
    """The orders a truck was sent last."""

    truck: str
    version: int
    text: str  # the JSON text (tourkasse.orders.orders_text) as published
    published_at: datetime


@dataclass(frozen=True)
class LogEntry:
    number: str
    at: datetime
    by: str
    what: str


class Orders:
    """One store connection's orders."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- orders --------------------------------------------------------------------------

    def add(self, order: Order, *, by: str, owner_key: str | None = None) -> Order:
        """Insert ``order`` (its number is ignored) under the next free number; returns it
        with that number. ``owner_key``: the SHA-256 of the key of the browser that placed it
        through a board link (only that browser reads it there, see :meth:`get`)."""
        with self.db.transaction():
            self.db.lock("tourkasse-orders")  # PostgreSQL: two orders at once, two numbers
            row = self.db.one("SELECT max(seq) FROM orders")
            seq = int(row[0] or 0) + 1 if row else 1
            number = f"{PREFIX}{seq}"
            self.db.run(
                f"INSERT INTO orders (seq, owner_key, {_ORDER_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    seq,
                    owner_key,
                    number,
                    order.stop,
                    order.visit.isoformat(),
                    order.truck,
                    order.channel.value,
                    order.orderer,
                    order.note,
                    order.state.value,
                    format_time(order.placed_at),
                    format_time(order.changed_at),
                ],
            )
            self._insert_lines(number, order.lines)
            self._log(number, order.placed_at, by, "bestellt")
        return _with_number(order, number)

    def replace(self, order: Order, *, by: str, what: str, at: datetime, before: Order) -> bool:
        """Store the order's note, state, lines and time of change as they are now, and in
        the log who did ``what`` at ``at``; but only if it is still as ``before`` (as the
        caller read it): False, and nothing stored, when someone changed it meanwhile (the
        operator deciding while the home changes it)."""
        with self.db.transaction():
            self.db.lock(f"tourkasse-order-{order.number}")
            now = self._select("WHERE number = ?", [order.number])
            if not now or _content(now[0]) != _content(before):
                return False
            self.db.run(
                "UPDATE orders SET note = ?, state = ?, changed_at = ? WHERE number = ?",
                [order.note, order.state.value, format_time(order.changed_at), order.number],
            )
            self.db.run("DELETE FROM order_lines WHERE number = ?", [order.number])
            self._insert_lines(order.number, order.lines)
            self._log(order.number, at, by, what)
        return True

    def _insert_lines(self, number: str, lines: Sequence[OrderLine]) -> None:
        self.db.run_many(
            f"INSERT INTO order_lines ({_LINE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    number,
                    line.line,
                    line.article,
                    line.text,
                    line.unit.value,
                    line.quantity,
                    line.unit_price,
                    line.deposit,
                    line.for_whom,
                    line.decision.value,
                    line.reason,
                )
                for line in lines
            ],
        )

    def _log(self, number: str, at: datetime, by: str, what: str) -> None:
        self.db.run(
            "INSERT INTO order_log (number, at, by_user, what) VALUES (?, ?, ?, ?)",
            [number, format_time(at), by, what],
        )

    def get(self, number: str, *, owner_key: str | None = None) -> Order | None:
        """The order; with ``owner_key``, only if it was stored with that key."""
        found = self._select(*_owned("WHERE number = ?", [number], owner_key))
        return found[0] if found else None

    def of_stop(self, stop: str, since: date, *, owner_key: str | None = None) -> list[Order]:
        """The stop's orders for visits from ``since`` on; with ``owner_key``, only those
        stored with that key."""
        return self._select(
            *_owned("WHERE stop = ? AND visit >= ?", [stop, since.isoformat()], owner_key)
        )

    def of_day(self, day: date) -> list[Order]:
        return self._select("WHERE visit = ?", [day.isoformat()])

    def from_day(self, day: date) -> list[Order]:
        """Every order for visits on ``day`` or later, every stop, every state."""
        return self._select("WHERE visit >= ?", [day.isoformat()])

    def open_from(self, day: date) -> list[Order]:
        """Open orders for visits on ``day`` or later, every stop."""
        return self._select(
            "WHERE visit >= ? AND state = ?", [day.isoformat(), OrderState.OPEN.value]
        )

    def _select(self, where: str, params: list[object]) -> list[Order]:
        rows = self.db.rows(
            f"SELECT {_ORDER_COLUMNS} FROM orders {where} ORDER BY visit, seq", params
        )
        if not rows:
            return []
        numbers = [row[0] for row in rows]
        lines: dict[str, list[OrderLine]] = {number: [] for number in numbers}
        marks = ", ".join("?" * len(numbers))
        for row in self.db.rows(
            f"SELECT {_LINE_COLUMNS} FROM order_lines WHERE number IN ({marks}) "
            "ORDER BY number, line",
            numbers,
        ):
            lines[row[0]].append(
                OrderLine(
                    line=int(row[1]),
                    article=row[2],
                    text=row[3],
                    unit=Unit(row[4]),
                    quantity=int(row[5]),
                    unit_price=int(row[6]),
                    deposit=int(row[7]),
                    for_whom=row[8],
                    decision=Decision(row[9]),
                    reason=row[10],
                )
            )
        return [
            Order(
                number=number,
                stop=stop,
                visit=date.fromisoformat(visit),
                truck=truck,
                channel=Channel(channel),
                orderer=orderer,
                note=note,
                lines=tuple(lines[number]),
                state=OrderState(state),
                placed_at=datetime.fromisoformat(placed),
                changed_at=datetime.fromisoformat(changed),
            )
            for number, stop, visit, truck, channel, orderer, note, state, placed, changed in rows
        ]

    def log(self, number: str) -> list[LogEntry]:
        rows = self.db.rows(
            "SELECT number, at, by_user, what FROM order_log WHERE number = ? ORDER BY at, id",
            [number],
        )
        return [LogEntry(n, datetime.fromisoformat(a), b, w) for n, a, b, w in rows]

    # --- deadlines -----------------------------------------------------------------------

    def deadline_hours(self, stop: str) -> int | None:
        row = self.db.one("SELECT hours FROM order_deadlines WHERE stop = ?", [stop])
        return int(row[0]) if row else None

    def set_deadline_hours(self, stop: str, hours: int, by: str, now: datetime) -> None:
        with self.db.transaction():
            self.db.run(
                "INSERT INTO order_deadlines (stop, hours, changed_at, changed_by) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (stop) DO UPDATE SET hours = excluded.hours, "
                "changed_at = excluded.changed_at, changed_by = excluded.changed_by",
                [stop, hours, format_time(now), by],
            )

    # --- what the trucks were sent -------------------------------------------------------

    def publications(self) -> dict[str, Publication]:
        rows = self.db.rows("SELECT truck, version, text, published_at FROM order_publications")
        return {
            truck: Publication(truck, int(version), text, datetime.fromisoformat(at))
            for truck, version, text, at in rows
        }

    def published(self, truck: str, version: int, text: str, now: datetime) -> None:
        with self.db.transaction():
            self.db.run(
                "INSERT INTO order_publications (truck, version, text, published_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (truck) DO UPDATE SET version = excluded.version, "
                "text = excluded.text, published_at = excluded.published_at",
                [truck, version, text, format_time(now)],
            )

    # --- what the trucks' journals say ---------------------------------------------------

    def naming_entries(
        self, numbers: Sequence[str], since: datetime, until: datetime
    ) -> list[bytes]:
        """Receipt and order_not_collected entries dated from ``since`` to before ``until``
        whose bytes name one of these orders, per truck in journal order.

        The journal's index on (kind, at) narrows it to the entries of those days; the text
        match picks the few that name an order (a canonical entry writes ``"order":"B-17"``
        exactly so; a note quoting that text would have its quotes escaped). The caller
        decodes and checks each one.
        """
        if not numbers:
            return []
        kinds = (EntryKind.RECEIPT.value, EntryKind.ORDER_NOT_COLLECTED.value)
        names = " OR ".join(f"{self._data_like} ?" for _ in numbers)
        rows = self.db.rows(
            f"SELECT data FROM journal WHERE kind IN (?, ?) AND at >= ? AND at < ? AND ({names}) "
            "ORDER BY truck, seq",
            [
                *kinds,
                format_time(since),
                format_time(until),
                *(self._pattern(f'%"order":"{number}"%') for number in numbers),
            ],
        )
        return [bytes(data) for (data,) in rows]

    @property
    def _data_like(self) -> str:
        # SQLite's LIKE finds nothing in a BLOB unless it is read as text; PostgreSQL
        # compares bytea with bytea (its text form of bytea would be hex)
        return "CAST(data AS TEXT) LIKE" if self.db.name == "sqlite" else "data LIKE"

    def _pattern(self, text: str) -> str | bytes:
        return text if self.db.name == "sqlite" else text.encode()

    def voids_after(self, truck: str, since: datetime) -> list[bytes]:
        """The truck's receipts from ``since`` on that void another receipt."""
        rows = self.db.rows(
            "SELECT data FROM journal WHERE kind = ? AND at >= ? AND truck = ? AND "
            f"{self._data_like} ? ORDER BY seq",
            [EntryKind.RECEIPT.value, format_time(since), truck, self._pattern('%"void_of":%')],
        )
        return [bytes(data) for (data,) in rows]


def _owned(where: str, params: list[object], owner_key: str | None) -> tuple[str, list[object]]:
    if owner_key is None:
        return where, params
    return f"{where} AND owner_key = ?", [*params, owner_key]


def _content(order: Order) -> tuple[object, ...]:
    return order.note, order.state, order.lines, order.changed_at


def _with_number(order: Order, number: str) -> Order:
    return replace(order, number=number)
