"""The orders this truck is to hand over, and what became of each one here.

The list is the newest good ``orders`` download (truck/store/downloads.py); what became of an
order comes from the journal alone, so it is the same after a restart and on the hub:

- collected ("abgeholt"): a paid receipt names the order (``Receipt.order``) and has not been
  voided since (a void of it gives the order back: nothing was handed over after all);
- not collected ("nicht abgeholt"): an ``order_not_collected`` entry names it;
- open: neither.

Training and aborted receipts never count.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from tourkasse.journal import Entry, EntryKind
from tourkasse.orders import VisitOrder, parse_orders
from tourkasse.receipt import Receipt
from tourkasse.tour import TourPlan
from truck.store import downloads, journal

# receipts this long before the earliest visit in the list are not looked at (a year's journal
# need not be read for a list of next week's orders)
LOOK_BACK = timedelta(days=3)


class OrderState(enum.StrEnum):
    OPEN = "offen"
    COLLECTED = "abgeholt"
    NOT_COLLECTED = "nicht abgeholt"


class OrderRefused(ValueError):
    """Something staff asked of an order that cannot be done; str() is German."""


@dataclass(frozen=True)
class TruckOrder:
    """An order as the truck sees it: what was ordered and what became of it here."""

    order: VisitOrder
    state: OrderState
    receipt: int | None = None  # the receipt number that handed it over

    @property
    def number(self) -> str:
        return self.order.number

    @property
    def is_open(self) -> bool:
        return self.state is OrderState.OPEN


def current(db: Database) -> tuple[VisitOrder, ...]:
    """The orders of the newest good download; () when none has come yet."""
    found = downloads.applied(db, "orders")
    return parse_orders(found.content) if found is not None else ()


def version(db: Database) -> int | None:
    found = downloads.applied(db, "orders")
    return found.version if found is not None else None


def all_orders(db: Database) -> list[TruckOrder]:
    """Every order of the current list with its state, by visit, stop and number."""
    orders = current(db)
    if not orders:
        return []
    since = min(order.visit for order in orders) - LOOK_BACK
    states = _states(_entries_since(db, since))
    found = [
        TruckOrder(order, *states.get(order.number, (OrderState.OPEN, None))) for order in orders
    ]
    return sorted(found, key=lambda o: (o.order.visit, o.order.stop, _number_key(o.number)))


def orders_of_day(db: Database, day: date) -> list[TruckOrder]:
    """The picking list: every order for ``day``, all stops."""
    return [found for found in all_orders(db) if found.order.visit == day]


def orders_for_stop(db: Database, stop: str, day: date) -> list[TruckOrder]:
    """The orders to hand over at ``stop`` on ``day``."""
    return [found for found in orders_of_day(db, day) if found.order.stop == stop]


@dataclass
class StopOrders:
    """One stop's part of a list of orders."""

    stop: str
    name: str
    orders: list[TruckOrder]


def group_by_stop(found: list[TruckOrder], stops: list[tuple[str, str]]) -> list[StopOrders]:
    """``found`` per stop: stops named in ``stops`` (id, name) first, in that order."""
    names = dict(stops)
    rank = {stop: index for index, (stop, _) in enumerate(stops)}
    groups: dict[str, StopOrders] = {}
    for item in found:
        stop = item.order.stop
        group = groups.setdefault(stop, StopOrders(stop, names.get(stop, stop), []))
        group.orders.append(item)
    return sorted(groups.values(), key=lambda g: (rank.get(g.stop, len(rank)), g.stop))


def stops_in_tour_order(plan: TourPlan | None, day: date, truck: str) -> list[tuple[str, str]]:
    """(id, name) of ``truck``'s stops on ``day`` in driving order, then every other stop."""
    if plan is None:
        return []
    known = [(stop.id, stop.name) for stop, _ in plan.watched_stops(day, truck)]
    ids = {stop for stop, _ in known}
    return known + [(sid, name) for sid, name in plan.stop_names().items() if sid not in ids]


def find(db: Database, number: str) -> TruckOrder | None:
    return next((found for found in all_orders(db) if found.number == number), None)


def openable(db: Database, number: str) -> VisitOrder:
    """The order ``number`` if it can still be handed over; OrderRefused says why not."""
    found = find(db, number)
    if found is None:
        raise OrderRefused(f"Bestellung {number} ist nicht (mehr) in der Liste dieses Wagens")
    if found.state is OrderState.COLLECTED:
        raise OrderRefused(
            f"Bestellung {number} ist schon abgeholt (Bon {found.receipt}) – "
            "nicht noch einmal öffnen"
        )
    if found.state is OrderState.NOT_COLLECTED:
        raise OrderRefused(f"Bestellung {number} ist schon als „nicht abgeholt“ vermerkt")
    return found.order


def mark_not_collected(
    db: Database, *, truck: str, number: str, clock: Callable[[], datetime]
) -> Entry:
    """Journal that order ``number`` was not collected; refused unless it is open.

    The check runs inside the entry's transaction, so the till and a second till process
    cannot both mark (or sell and mark) the same order.
    """

    def body(locked: Database) -> dict:
        order = openable(locked, number)
        return {"order": order.number, "stop": order.stop, "visit": order.visit.isoformat()}

    return journal.append(
        db, truck=truck, kind=EntryKind.ORDER_NOT_COLLECTED, body=body, clock=clock
    )


# --- inside -----------------------------------------------------------------------------------


def _entries_since(db: Database, since: date) -> Iterable[Entry]:
    """Receipts and not-collected marks from the first entry on ``since`` (UTC) on."""
    row = db.execute("SELECT min(seq) FROM journal WHERE at >= ?", [since.isoformat()]).fetchone()
    if row is None or row[0] is None:
        return ()
    kinds = (EntryKind.RECEIPT, EntryKind.ORDER_NOT_COLLECTED)
    return journal.entries(db, after=row[0] - 1, kinds=kinds)


def _states(entries: Iterable[Entry]) -> dict[str, tuple[OrderState, int | None]]:
    states: dict[str, tuple[OrderState, int | None]] = {}
    collected_by: dict[int, str] = {}  # receipt number → order
    for entry in entries:
        if entry.kind is EntryKind.ORDER_NOT_COLLECTED:
            number = entry.body.get("order")
            if isinstance(number, str) and number not in states:
                states[number] = (OrderState.NOT_COLLECTED, None)
            continue
        receipt = Receipt.from_dict(entry.body["receipt"])
        if receipt.void_of is not None and receipt.void_of in collected_by:
            order = collected_by.pop(receipt.void_of)
            states.pop(order, None)  # handed back: open again
        elif receipt.order is not None and receipt.counts_as_turnover and not receipt.is_void:
            collected_by[entry.body["number"]] = receipt.order
            states[receipt.order] = (OrderState.COLLECTED, entry.body["number"])
    return states


def _number_key(number: str) -> tuple:
    """B-9 before B-10."""
    head = number.rstrip("0123456789")
    tail = number[len(head) :]
    return (head, int(tail) if tail else -1, number)
