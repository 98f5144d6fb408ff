"""What became of orders at the truck, as the trucks' journals on the hub say.

An order is collected ("abgeholt") by a sale whose receipt names it (``Receipt.order``): an
ordinary receipt, not training, not itself a void. It is not collected ("nicht abgeholt")
where the truck wrote an ``order_not_collected`` entry naming it. Where the journal says both
(marked not collected, then fetched after all), the later entry counts.

A sale that collected an order and was voided later (a void receipt of the same truck naming
its number) no longer counts: the goods went back, the order is open again (and is sent to the
truck again while its visit is still to come), unless another entry says otherwise.

Only the orders asked for are looked up: the journal entries of their days (receipts and
not-collected marks, from the earliest order's placing to a week after the latest visit)
whose bytes name one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta

from hub.orders.model import Collection, Order, OrderState
from hub.store import HubStore
from tourkasse.journal import Entry, EntryKind, JournalError, decode_entry
from tourkasse.receipt import BonType, LineKind, Receipt

LATE_DAYS = 8  # a receipt naming an order is looked for until a week after the visit's day


def with_collections(store: HubStore, orders: Sequence[Order]) -> list[Order]:
    """The orders with ``collection`` filled where the journals say what became of them; an
    open order that was collected (or not) takes that state."""
    found = collections_of(store, orders)
    result = []
    for order in orders:
        collection = found.get(order.number)
        if collection is None:
            result.append(order)
            continue
        state = collection.state if order.state is OrderState.OPEN else order.state
        result.append(replace(order, collection=collection, state=state))
    return result


def collections_of(store: HubStore, orders: Sequence[Order]) -> dict[str, Collection]:
    """What the journals say of each order (orders they say nothing of are left out)."""
    wanted = {order.number: order for order in orders if order.state is not OrderState.CANCELLED}
    if not wanted:
        return {}
    since = min(order.placed_at for order in wanted.values())
    last = max(order.visit for order in wanted.values()) + timedelta(days=LATE_DAYS)
    until = datetime.combine(last, time(0), store.zone)
    events: dict[str, list[tuple[Entry, Collection]]] = {}
    for data in store.orders.naming_entries(sorted(wanted), since, until):
        try:
            entry = decode_entry(data)
        except JournalError:  # stored by the ingest, so readable; a damaged one says nothing
            continue
        number = entry.body.get("order") if entry.kind is EntryKind.ORDER_NOT_COLLECTED else None
        if number in wanted:
            events.setdefault(number, []).append((entry, _not_collected(entry)))
            continue
        sale = _sale(entry)
        if sale is not None and sale.order in wanted:
            collected = _collected(entry, sale, wanted[sale.order])
            events.setdefault(sale.order, []).append((entry, collected))
    _drop_voided(store, events)
    return {
        number: max(found, key=lambda item: item[0].at)[1]
        for number, found in events.items()
        if found
    }


def _sale(entry: Entry) -> Receipt | None:
    """The receipt of an entry if it is an ordinary sale (no training, no void)."""
    if entry.kind is not EntryKind.RECEIPT:
        return None
    try:
        receipt = Receipt.from_dict(entry.body["receipt"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if receipt.bon_type is not BonType.RECEIPT or receipt.void_of is not None:
        return None
    return receipt


def _not_collected(entry: Entry) -> Collection:
    return Collection(OrderState.NOT_COLLECTED, entry.at, entry.truck)


def _collected(entry: Entry, receipt: Receipt, order: Order) -> Collection:
    ordered = list(dict.fromkeys(line.article for line in order.lines))
    sold: dict[str, list[int]] = {}
    for line in receipt.lines:
        if line.kind is LineKind.SALE and line.article_no in ordered:
            figures = sold.setdefault(line.article_no, [0, 0])
            figures[0] += line.quantity
            figures[1] += line.total
    number = entry.body.get("number")
    return Collection(
        OrderState.COLLECTED,
        entry.at,
        entry.truck,
        receipt=number if isinstance(number, int) else None,
        total=receipt.total,
        sold=tuple((a, *sold[a]) for a in ordered if a in sold),  # type: ignore[misc]
    )


def _drop_voided(store: HubStore, events: dict[str, list[tuple[Entry, Collection]]]) -> None:
    """Take out the collections whose receipt a later void of the same truck names."""
    collected = [
        (entry, collection)
        for found in events.values()
        for entry, collection in found
        if collection.state is OrderState.COLLECTED and collection.receipt is not None
    ]
    if not collected:
        return
    voided: set[tuple[str, int]] = set()
    first: dict[str, datetime] = {}
    for entry, _ in collected:
        first[entry.truck] = min(first.get(entry.truck, entry.at), entry.at)
    for truck, since in first.items():
        for data in store.orders.voids_after(truck, since):
            try:
                entry = decode_entry(data)
                void_of = entry.body["receipt"].get("void_of")
            except (JournalError, KeyError, AttributeError):
                continue
            if isinstance(void_of, int):
                voided.add((truck, void_of))
    for number, found in events.items():
        events[number] = [
            (entry, collection)
            for entry, collection in found
            if (entry.truck, collection.receipt) not in voided
        ]
