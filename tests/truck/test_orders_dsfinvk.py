"""A day with orders (a sale handing one over, one marked not collected) closes, reports and
exports to DSFinV-K like any other: the new entry is no business event of the till, and the
order on a receipt changes no figure."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import TickingClock
from tests.support.dsfinvk_check import check_export
from tests.truck.orders_sample import orders_download
from tests.truck.test_export_dsfinvk import TILL_SERIAL, a_truck, journal_of, run
from truck.config import load_truck_config
from truck.core.order_basket import OrderBasket
from truck.core.payment import settle
from truck.store import articles, downloads
from truck.store import orders as order_store
from truck.till.opening import open_till


def test_a_day_with_orders_closes_and_exports(tmp_path, capsys, catalogue):
    path = a_truck(tmp_path / "truck", catalogue)
    clock = TickingClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))
    opened = open_till(load_truck_config(path), clock=clock)
    try:
        db, till = opened.db, opened.till
        downloads.receive(db, orders_download(1), clock=clock)
        basket = OrderBasket("B-19")
        basket.add_article(articles.by_number(db, "1001"), 2)
        till.sell(basket.receipt(settle(840, cash_tendered=1000), stop="hemeln"))
        order_store.mark_not_collected(db, truck="T01", number="B-18", clock=clock)
        x, _ = till.x_report()
        assert (x.receipts, x.turnover) == (1, 840)
        closing = till.daily_closing({200: 4, 20: 2})  # 8,40 € as expected
        assert closing.figures.turnover == 840
        assert order_store.find(db, "B-19").state.value == "abgeholt"
    finally:
        opened.close()
    usb = tmp_path / "usb"
    usb.mkdir()
    code, _, err = run(capsys, "export", "dsfinvk", "--config", str(path), "--out", str(usb))
    assert (code, err) == (0, ""), err
    _, entries = journal_of(path)
    tables = check_export(usb / f"dsfinvk_{TILL_SERIAL}_Z1", entries)
    assert len(tables["transactions.csv"]) == 1
