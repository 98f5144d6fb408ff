"""Must show, in a real headless Chromium: the operator uploads the wholesaler's CSV, sees the
preview, takes it over and sends it; then changes a price and sends again — and the new price
reaches a running truck agent through the broker and is taken over by its till between
receipts.

Real parts: Mosquitto, the hub's web server, the agent's sync, the till's session on the
truck's real database.
"""

from __future__ import annotations

import pytest

from hub.broker import LocalBroker
from tests.hub.test_catalogue import WHOLESALER
from tests.hub.test_web_live_browser import hub_settings, tour_running_today
from tests.support.browser import chromium, new_page
from tests.support.fleet import SyncThread, truck_config, wall_clock
from tests.support.waiting import eventually
from tests.support.web import WebThread, add_user, browser_log_in

pytestmark = pytest.mark.slow


def test_a_price_changed_in_the_browser_reaches_the_running_truck_and_its_till(tmp_path):
    from truck.config import load_truck_config
    from truck.devices.scale.simulated import SimulatedScale
    from truck.fiscal.software_tse import SoftwareTse
    from truck.pos.start import start_session
    from truck.store import articles

    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    add_user(url, "olga", "operator")
    csv = tmp_path / "grosshandel.csv"
    csv.write_bytes(WHOLESALER)
    with LocalBroker(tmp_path / "broker") as broker:
        config = hub_settings(url, broker.port, tour_running_today(tmp_path))
        truck_path = truck_config(tmp_path / "truck", port=broker.port)
        truck = load_truck_config(truck_path)
        SoftwareTse(truck.paths.tse, create=True).close()
        till = start_session(truck, clock=wall_clock, scale=SimulatedScale())
        try:
            with (
                WebThread(config) as web,
                SyncThread(truck_path),
                chromium() as browser,
            ):
                page = new_page(browser)
                browser_log_in(page, web.url, "olga")
                page.goto(f"{web.url}/articles")
                page.set_input_files("input[name=file]", str(csv))
                page.click("text=Vorschau")
                assert "5 neu" in page.locator("#summary").inner_text()
                page.click("#take-over")
                page.wait_for_selector("#articles tr[data-number='1001']")
                page.click("#push")
                assert "Version 1 veröffentlicht" in page.locator("[role=status]").inner_text()

                def till_takes_over() -> bool:
                    return any("übernommen" in said for said in till.take_downloads())

                eventually(till_takes_over, timeout=20, what="die Kasse übernimmt Version 1")
                assert articles.by_number(till.opened.db, "1001").price == 420

                page.click("#articles tr[data-number='1001'] a")
                page.fill("input[name=price]", "4,50")
                page.click("text=Speichern")
                assert "4,50 €" in page.locator("#articles tr[data-number='1001']").inner_text()
                page.click("#push")
                assert "Version 2 veröffentlicht" in page.locator("[role=status]").inner_text()
                eventually(till_takes_over, timeout=20, what="die Kasse übernimmt Version 2")
                assert articles.by_number(till.opened.db, "1001").price == 450
                history = page.locator(".history").inner_text()
                assert "olga" in history and "4,20 → 4,50 €" in history
        finally:
            till.opened.close()
