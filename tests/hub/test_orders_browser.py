"""Must show (issue 11), end to end with real parts: a seniors' home's staff order in a headless
Chromium for two residents before the deadline, the operator confirms, the truck's agent —
started only afterwards, as a truck coming back into coverage — receives the order, the till
(the real Textual app, a Dialog 06 scale over a pty) checks it out with the cheese weighing
more than ordered, the journal goes to the hub, and the home's page shows the order collected
with the receipt's real figures beside the ordered ones; a second order is cancelled in two
steps.

Real parts: Mosquitto, the hub's web server (uvicorn) publishing the orders and its ingest on
SQLite, the truck's agent and till on their own files, Chromium.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hub import access
from hub.broker import LocalBroker
from hub.catalogue import office
from hub.catalogue.article_csv import read_article_file
from hub.orders import service
from hub.store import open_store
from tests.conftest import EXAMPLE_ARTICLES, EXAMPLE_TOUR, TickingClock
from tests.hub.test_web_live_browser import hub_settings
from tests.support.browser import chromium, new_page
from tests.support.fleet import IngestThread, SyncThread, truck_config
from tests.support.waiting import eventually
from tests.support.web import PASSWORD, WebThread, add_user, browser_log_in
from tests.truck.pos.conftest import make_session, sign_on
from tourkasse.journal import EntryKind
from tourkasse.receipt import Receipt
from truck.devices.scale.dialog06_simulator import Dialog06Simulator
from truck.pos.app import TillApp
from truck.pos.screens.order_flow import WeighOrdered
from truck.pos.screens.orders import OrdersScreen
from truck.pos.screens.sale import SaleScreen
from truck.store import journal, stops
from truck.store import orders as truck_orders

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
HOME = "rehberg-empfang"


def stock_the_hub(url: str) -> None:
    """The hub's article list is the one the truck has (the example list)."""
    now = datetime.now(UTC)
    rows, departments = read_article_file("articles.toml", EXAMPLE_ARTICLES.read_bytes())
    with open_store(url) as store:
        office.apply_import(store, rows, "olga", now, now.astimezone(BERLIN).date(), departments)
        hashed = access.hash_password(PASSWORD)
        store.users.put(HOME, hashed, frozenset({"home"}), now, stop="rehberg")


def place_the_order(page, base: str) -> date:
    """The home's staff order for Frau Kühn and Herr Ott; the visit's day."""
    browser_log_in(page, base, HOME)
    page.goto(f"{base}/bestellungen")
    visit = date.fromisoformat(page.locator("#visit option").first.get_attribute("value"))
    page.select_option("#visit", visit.isoformat())
    page.select_option("#article-1", "2101")  # Gouda mittelalt, by weight
    page.fill("#qty-1", "400 g")
    page.fill("#for-1", "Frau Kühn")
    page.select_option("#article-2", "1001")  # Landbrot, a piece
    page.fill("#qty-2", "1")
    page.fill("#for-2", "Herr Ott")
    page.fill("#note", "Bitte an der Pforte abgeben")
    page.click("#send")
    page.wait_for_selector("#order-B-1")
    assert "B-1" in page.locator("#message").inner_text()
    card = page.locator("#order-B-1").inner_text()
    assert "Frau Kühn" in card and "Herr Ott" in card and "ca. 400 g" in card
    return visit


def confirm(page, base: str, visit: date) -> None:
    browser_log_in(page, base, "olga")
    page.goto(f"{base}/orders?day={visit.isoformat()}")
    page.click("#confirm-all-B-1")
    page.wait_for_selector("#line-B-1-2[data-decision=confirmed]")
    assert page.locator("#line-B-1-1").get_attribute("data-decision") == "confirmed"


async def hand_over(session, scale: Dialog06Simulator) -> Receipt:
    """At the stop the order opens as the receipt, the cheese is weighed, paid in cash."""
    app = TillApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_on(pilot)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, OrdersScreen)
        detail = str(app.screen.query_one("#order-detail").render())
        assert "Frau Kühn" in detail and "Herr Ott" in detail
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WeighOrdered)
        scale.weight = 437  # the piece of Gouda cut at the truck: more than the 400 g ordered
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("f9")  # paid exactly, in cash
        await pilot.pause()
    [entry] = journal.entries(session.opened.db, kinds=(EntryKind.RECEIPT,))
    return Receipt.from_dict(entry.body["receipt"])


def test_a_home_orders_the_truck_hands_it_over_and_the_hub_shows_the_real_figures(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    add_user(url, "olga", "operator")
    stock_the_hub(url)
    tour = tmp_path / "tour.toml"
    tour.write_text(EXAMPLE_TOUR.read_text(encoding="utf-8"), encoding="utf-8")
    with (
        LocalBroker(tmp_path / "broker") as broker,
        Dialog06Simulator() as scale,
        WebThread(hub_settings(url, broker.port, tour)) as web,
    ):
        with chromium() as browser:
            visit = place_the_order(new_page(browser), web.url)
            confirm(new_page(browser), web.url, visit)

        # the truck was out of coverage meanwhile; its agent connects now
        config = truck_config(tmp_path / "truck", port=broker.port)
        config.write_text(
            config.read_text(encoding="utf-8").replace(
                'protocol = "simulated"', f'protocol = "dialog06"\ndevice = "{scale.device}"'
            ),
            encoding="utf-8",
        )
        at_the_stop = datetime.combine(visit, time(12, 50), BERLIN).astimezone(UTC)
        session = make_session(config, TickingClock(at_the_stop), scale_from_config=True)
        try:
            with SyncThread(config), IngestThread(url, broker.port):
                db = session.opened.db
                eventually(
                    lambda: truck_orders.find(db, "B-1"), timeout=20, what="Bestellung beim Wagen"
                )
                stops.record(
                    db,
                    truck="T01",
                    kind=EntryKind.STOP_ARRIVAL,
                    body={"stop": "rehberg", "name": "Seniorenheim Am Rehberg"},
                    clock=session.clock,
                )
                receipt = asyncio.run(hand_over(session, scale))
                assert receipt.order == "B-1"
                gouda = next(line for line in receipt.lines if line.article_no == "2101")
                assert gouda.quantity == 437

                def collected():
                    with open_store(url) as store:
                        found = service.find_order(store, "B-1")
                        return found if found and found.collection else None

                order = eventually(collected, timeout=30, what="abgeholt bei der Zentrale")
                assert order.collection.total == receipt.total
        finally:
            session.opened.close()

        with chromium() as browser:
            page = new_page(browser)
            browser_log_in(page, web.url, HOME)
            page.goto(f"{web.url}/bestellungen")
            card = page.locator("#order-B-1")
            assert card.get_attribute("data-state") == "collected"
            shown = card.inner_text()
            real = f"{receipt.total // 100},{receipt.total % 100:02d} €"
            assert real in card.locator(".real-total").inner_text()
            assert "437" in shown  # sold, beside the ordered "ca. 400 g"
            assert "ca. 400 g" in shown

            # an order the home thinks better of: cancelling asks first
            page.select_option("#article-1", "1001")
            page.fill("#qty-1", "2")
            page.fill("#for-1", "Herr Ott")
            page.click("#send")
            page.wait_for_selector("#order-B-2")
            assert not page.locator("#cancel-confirm-B-2").is_visible()
            page.click("#cancel-B-2")
            page.click("#cancel-confirm-B-2")
            page.wait_for_selector("#order-B-2[data-state=cancelled]")
