"""Must show: what became of an order is read from the truck's journal as the hub stored it —
a sale naming the order makes it "abgeholt" with the receipt's number, real total and what
was sold of the ordered articles; an order_not_collected entry makes it "nicht abgeholt"; a
training receipt or another order's sale says nothing; a later void of the sale opens the
order again; a collected order is no longer sent to the truck. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.orders import publishing, service
from hub.orders.model import Decision, OrderState
from tests.hub.orders_helpers import NOW, TUESDAY, example_plan, order, stocked
from tests.support.journals import STAFF, JournalWriter, paid
from tourkasse.article import Unit
from tourkasse.journal import EntryKind
from tourkasse.protocol import JournalBatch
from tourkasse.receipt import BonType, LineKind, Receipt, ReceiptLine, line_amount
from tourkasse.vat import VatRate

AT_THE_HOME = datetime(2026, 12, 8, 11, 50, tzinfo=UTC)  # Tuesday, 12:50 in Germany


@pytest.fixture
def store(hub_url):
    yield from stocked(hub_url)


def sold(article: str, text: str, quantity: int, unit: Unit, price: int) -> ReceiptLine:
    return ReceiptLine(
        LineKind.SALE,
        text,
        quantity,
        unit,
        price,
        VatRate.REDUCED,
        line_amount(quantity, unit, price),
        "Lebensmittel",
        article_no=article,
    )


def sale(order_number: str | None, bon_type: BonType = BonType.RECEIPT) -> Receipt:
    lines, payments = paid(
        [
            sold("1001", "Landbrot 1000 g", 2, Unit.PIECE, 430),  # the price of the day
            sold("4001", "Äpfel Elstar", 534, Unit.KG, 299),  # the scale's weight
            sold("1002", "Brötchen", 4, Unit.PIECE, 45),  # not ordered, bought as well
        ],
        "cash",
    )
    return Receipt(bon_type, lines, payments, STAFF, stop="rehberg", order=order_number)


def store_journal(store, writer: JournalWriter, after: int = 0) -> None:
    data = tuple(entry.data for entry in writer.entries[after:])
    store.accept_batch(JournalBatch(writer.truck, data, after + 1), received_at=AT_THE_HOME)


def test_a_sale_naming_the_order_collects_it_and_a_void_opens_it_again(store):
    plan = example_plan()
    placed = order(store, plan)
    other = order(store, plan)
    for number in (placed.number, other.number):
        service.decide(store, number, 1, Decision.CONFIRMED, "", by="olga", now=NOW)
    writer = JournalWriter("T01", start=AT_THE_HOME)
    writer.receipt(sale(placed.number, BonType.TRAINING))  # training: says nothing
    number = writer.next_number
    writer.receipt(sale(placed.number))
    writer.receipt(sale(None))  # a sale to someone else
    store_journal(store, writer)

    found = service.find_order(store, placed.number, stop="rehberg")
    assert found is not None and found.state is OrderState.COLLECTED
    collection = found.collection
    assert collection is not None
    assert (collection.truck, collection.receipt, collection.total) == (
        "T01",
        number,
        2 * 430 + 160 + 4 * 45,  # 534 g at 2,99 €/kg = 1,60 €
    )
    assert collection.sold == (("1001", 2, 860), ("4001", 534, 160))
    assert service.find_order(store, other.number).state is OrderState.OPEN
    assert [o.state for o in service.orders_of_day(store, TUESDAY)] == [
        OrderState.COLLECTED,
        OrderState.OPEN,
    ]
    monday = NOW.date()
    assert [o.number for o in publishing.truck_orders(store, plan, "T01", monday)] == ["B-2"]

    done = len(writer.entries)
    writer.void(number)
    store_journal(store, writer, done)
    reopened = service.find_order(store, placed.number)
    assert (reopened.state, reopened.collection) == (OrderState.OPEN, None)
    assert [o.number for o in publishing.truck_orders(store, plan, "T01", monday)] == [
        "B-1",
        "B-2",
    ]


def test_an_order_marked_not_collected_and_fetched_later_counts_as_the_later(store):
    placed = order(store)
    writer = JournalWriter("T01", start=AT_THE_HOME)
    writer.add(
        EntryKind.ORDER_NOT_COLLECTED,
        {"order": placed.number, "stop": "rehberg", "visit": TUESDAY.isoformat()},
    )
    store_journal(store, writer)
    [missed] = service.orders_of_stop(store, "rehberg", since=TUESDAY)
    assert missed.state is OrderState.NOT_COLLECTED
    assert missed.collection is not None and missed.collection.receipt is None
    done = len(writer.entries)
    writer.receipt(sale(placed.number))
    store_journal(store, writer, done)
    assert service.find_order(store, placed.number).state is OrderState.COLLECTED
