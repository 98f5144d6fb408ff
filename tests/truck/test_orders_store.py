"""Orders on the truck: received like the other downloads (but in use at once), and what became
of each order read from the journal alone."""

from __future__ import annotations

from datetime import date

import pytest

from tests.truck.orders_sample import VISIT, orders_download, sample_orders
from tourkasse.journal import EntryKind
from truck.core.order_basket import OrderBasket
from truck.core.payment import settle
from truck.store import articles, downloads, journal
from truck.store import orders as order_store
from truck.store.orders import OrderRefused, OrderState
from truck.till.figures import day_figures


@pytest.fixture
def db(till_parts):
    db, _ = till_parts
    return db


def states(db) -> dict[str, str]:
    return {found.number: found.state.value for found in order_store.all_orders(db)}


def sell_order(till, db, number: str | None, *, training: bool = False):
    basket = OrderBasket(number or "", training=training)
    basket.add_article(articles.by_number(db, "1001"), 1)
    if number is None:
        basket.order = None  # an ordinary sale
    receipt = basket.receipt(settle(basket.total, cash_tendered=basket.total))
    return till.sell(receipt)


def test_orders_are_kept_in_use_at_once_older_ones_ignored_broken_ones_refused(db, clock):
    said = downloads.receive(db, orders_download(3), clock=clock)
    assert said == "Bestellungen Version 3 erhalten (3 Bestellungen) – gilt ab sofort"
    assert order_store.version(db) == 3
    assert [o.number for o in order_store.current(db)] == ["B-17", "B-18", "B-19"]
    assert downloads.pending(db, "orders") is None  # nothing waits for a receipt to end

    fewer = orders_download(2, sample_orders()[:1])
    assert downloads.receive(db, fewer, clock=clock) == (
        "Bestellungen Version 2 ignoriert – der Wagen hat schon Version 3"
    )
    again = downloads.receive(db, orders_download(3), clock=clock)  # the broker's retained copy
    assert again == "Bestellungen Version 3 ignoriert – hat der Wagen schon"

    broken = orders_download(4, content='{"v": 1, "orders": [{"number": "B-20"}]}')
    said = downloads.receive(db, broken, clock=clock)
    assert (
        said == "Bestellungen Version 4 abgelehnt: Bestellung B-20: Besuchstag None ist kein Datum"
    )
    assert (
        downloads.refused(db, "orders")[0].problem
        == "Bestellung B-20: Besuchstag None ist kein Datum"
    )
    assert order_store.version(db) == 3  # the good list stays in use
    assert "schon abgelehnt" in downloads.receive(db, broken, clock=clock)

    one = orders_download(5, sample_orders()[:1])
    assert "(1 Bestellung)" in downloads.receive(db, one, clock=clock)
    assert [o.number for o in order_store.current(db)] == ["B-17"]


def test_orders_per_stop_and_per_day(db, clock):
    downloads.receive(db, orders_download(1), clock=clock)
    gimte = order_store.orders_for_stop(db, "gimte", VISIT)
    assert [found.number for found in gimte] == ["B-17", "B-18"]
    assert [found.number for found in order_store.orders_of_day(db, VISIT)] == [
        "B-17",
        "B-18",
        "B-19",
    ]
    assert order_store.orders_of_day(db, date(2026, 11, 27)) == []
    assert all(found.state is OrderState.OPEN for found in gimte)


def test_collected_by_a_paid_receipt_until_it_is_voided_not_by_training(db, clock, till):
    downloads.receive(db, orders_download(1), clock=clock)
    sell_order(till, db, "B-19", training=True)  # practice: hands nothing over
    sell_order(till, db, None)  # an ordinary sale in between
    assert states(db)["B-19"] == "offen"

    sold = sell_order(till, db, "B-17")
    found = order_store.find(db, "B-17")
    assert (found.state, found.receipt) == (OrderState.COLLECTED, sold.number)
    with pytest.raises(OrderRefused, match=f"schon abgeholt \\(Bon {sold.number}\\)"):
        order_store.openable(db, "B-17")
    with pytest.raises(OrderRefused, match="schon abgeholt"):
        order_store.mark_not_collected(db, truck="T01", number="B-17", clock=clock)

    till.void(sold.number)  # taken back: nothing was handed over after all
    assert states(db)["B-17"] == "offen"


def test_not_collected_is_a_journal_entry_and_only_once(db, clock, till):
    downloads.receive(db, orders_download(1), clock=clock)
    entry = order_store.mark_not_collected(db, truck="T01", number="B-18", clock=clock)
    assert entry.kind is EntryKind.ORDER_NOT_COLLECTED
    assert entry.body == {"order": "B-18", "stop": "gimte", "visit": "2026-11-24"}
    assert states(db) == {"B-17": "offen", "B-18": "nicht abgeholt", "B-19": "offen"}
    before = journal.tail(db).seq
    with pytest.raises(OrderRefused, match="schon als „nicht abgeholt“"):
        order_store.mark_not_collected(db, truck="T01", number="B-18", clock=clock)
    with pytest.raises(OrderRefused, match="nicht \\(mehr\\) in der Liste"):
        order_store.mark_not_collected(db, truck="T01", number="B-99", clock=clock)
    assert journal.tail(db).seq == before  # nothing written by a refusal
    journal.verify(db, truck="T01")
    # the day's figures (X and Z reports) pass over the new entry and the order on a receipt
    sell_order(till, db, "B-17")
    figures = day_figures(journal.entries(db))
    assert (figures.receipts, figures.turnover) == (1, 420)
