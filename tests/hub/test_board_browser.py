"""A stop's board in a real headless Chromium: it follows the truck by itself (no reload), says
when the truck is silent and then goes back to the plan, shows a stop called off from the
operator's page, a visit that is over and a day without one; a renewed link's open board
empties itself; without JavaScript it shows the same and refreshes itself. A connection that
breaks silently (no ping from the hub) or with an error is said in the yellow box, the time
greyed, and the board comes back by itself. On a 10-inch tablet, on its side or upright, the
board fits the screen without scrolling.

Real parts: the hub's web app in uvicorn on a loopback port, SQLite, Debian's Chromium. What
the ingest would store (stop events of the truck's journal, its latest position) the test
writes into the hub store while the page is open; the web's clock is the test's, running on
from where the test sets it. The day is Tuesday 24 November 2026 on the test tour: the
seniors' home Weserblick 09:13–09:55, the next visits on Tuesdays.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from hub.web import board_pages
from tests.hub.test_board_links import (
    HOME,
    HOME_NAME,
    TUESDAY,
    Clock,
    Hub,
    Truck,
    local,
    make_hub,
)
from tests.support.browser import TIMEOUT_MS, chromium, new_page
from tests.support.tour_days import TOUR
from tests.support.web import browser_log_in, serving

TABLET = {"width": 1280, "height": 800}  # a 10-inch tablet on its side, in CSS pixels
UPRIGHT = {"width": 800, "height": 1280}
PHONE = {"width": 390, "height": 844}
CUT = "Verbindung zur Zentrale unterbrochen – die Anzeige versucht es weiter"
MIDWAY = (51.4702, 9.6413)  # on the road from Volkmarshausen to the home


class RunningClock(Clock):
    """The web's clock running on in real time from the moment the test sets."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock.moment)
        self.since = time.monotonic()

    def __call__(self) -> datetime:
        return self.moment + timedelta(seconds=time.monotonic() - self.since)

    def set(self, clock: str, on: date = TUESDAY) -> None:
        self.moment, self.since = local(clock, on), time.monotonic()


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    return make_hub(tmp_path)


def running(hub: Hub) -> RunningClock:
    clock = RunningClock(hub.clock)
    hub.app.state.events.clock = clock
    return clock


def board_page(browser: Browser, base: str, token: str, **context: Any) -> Page:
    page = browser.new_context(viewport=TABLET, **context).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base}/tafel/{token}")
    return page


def fits(page: Page) -> None:
    """The whole board on the screen without scrolling, its headline on one line."""
    sizes = page.evaluate(
        """() => {
          const headline = document.getElementById("headline");
          const style = getComputedStyle(headline);
          return {
            height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth,
            screen: window.innerHeight, across: window.innerWidth,
            lines: headline.getBoundingClientRect().height / parseFloat(style.lineHeight),
          };
        }"""
    )
    assert sizes["height"] <= sizes["screen"] and sizes["width"] <= sizes["across"], sizes
    assert sizes["lines"] < 1.5, sizes


def test_the_board_follows_the_truck_by_itself(hub: Hub):
    clock = running(hub)
    truck = Truck(hub.url)
    with serving(hub.app) as base, chromium() as browser:
        page = board_page(browser, base, hub.token)
        headline, text = page.locator("#headline"), page.locator("#state-text")
        expect(page.locator("h1")).to_have_text(HOME_NAME)
        expect(headline).to_have_text("09:13")
        expect(text).to_have_text("kommt laut Fahrplan um 09:13")
        expect(page.locator("#planned")).to_have_text("laut Fahrplan 09:13–09:55 Uhr")
        expect(page.locator("#next li").first).to_have_text("Di, 1.12. 09:13–09:55 Uhr")
        # readable from three metres: the time very large, and all of it on the screen
        size = headline.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 200, size
        box = headline.bounding_box()
        assert box is not None and box["y"] + box["height"] <= TABLET["height"]
        fits(page)
        page.evaluate("window.notReloaded = true")

        # 15 minutes late at Gimte: the delay, shrunk by shorter stays, reaches the home
        truck.arrive("gimte", "08:20")
        truck.at(51.4441, 9.6602, "08:25", speed_cm_s=0)
        clock.set("08:25")
        expect(text).to_have_text("kommt ca. 09:19 (+6 min)")
        expect(headline).to_have_text("09:19")
        expect(page.locator("[data-field=as_of]")).to_have_text("Stand der Anzeige: 08:25 Uhr")

        # on the road from Volkmarshausen, half way
        truck.leave("gimte", "08:38")
        truck.arrive("volkmarshausen", "08:40")
        truck.leave("volkmarshausen", "09:05")
        truck.at(*MIDWAY, "09:08")
        clock.set("09:08")
        expect(text).to_have_text(re.compile(r"^kommt ca\. 09:1\d \(\+\d min\)$"))
        expect(text).not_to_have_text("kommt ca. 09:19 (+6 min)")

        truck.arrive(HOME, "09:20")
        clock.set("09:20")
        expect(text).to_have_text("ist da")
        expect(headline).to_have_text("Ist da")

        truck.leave(HOME, "09:50")
        clock.set("09:51")
        expect(text).to_have_text("war heute da (09:20–09:50)")
        expect(headline).to_have_text("War da")
        assert page.evaluate("window.notReloaded") is True  # all of it without a reload
        assert page.locator("#connection").inner_text() == ""


def test_a_silent_truck_shows_how_old_the_basis_is_and_later_the_plan(hub: Hub):
    clock = running(hub)
    truck = Truck(hub.url)
    for stop, came, left in (("gimte", "08:06", "08:35"), ("volkmarshausen", "08:38", "09:05")):
        truck.arrive(stop, came)
        truck.leave(stop, left)
    truck.at(*MIDWAY, "09:06")
    clock.set("09:06")
    with serving(hub.app) as base, chromium() as browser:
        page = board_page(browser, base, hub.token)
        text, basis = page.locator("#state-text"), page.locator("#basis")
        expect(text).to_have_text(re.compile(r"^kommt ca\. 09:1\d "))
        expect(basis).to_be_hidden()

        clock.set("09:10")  # four minutes without a word from the truck (a dead zone)
        expect(basis).to_have_text("Stand 09:06, seit 4 min keine Verbindung zum Wagen")
        expect(basis).to_be_visible()
        expect(text).to_have_text(re.compile(r"^kommt ca\. 09:1\d "))

        clock.set("09:40")  # too long: the plan again, and why
        expect(text).to_have_text("kommt laut Fahrplan um 09:13")
        expect(basis).to_have_text("seit 34 min keine Verbindung zum Wagen – Zeit laut Fahrplan")

        truck.at(*MIDWAY, "09:41")  # back: the basis goes
        clock.set("09:41")
        expect(basis).to_be_hidden()
        expect(text).to_have_text(re.compile(r"^kommt ca\. "))

        clock.set("10:40")  # silent again, past the planned stay: the words, and on one line
        expect(text).to_have_text("laut Fahrplan 09:13–09:55, keine Meldung vom Wagen")
        expect(page.locator("#headline")).to_have_text("Keine Meldung")
        expect(page.locator("#planned")).to_be_hidden()  # the text says the plan already
        expect(basis).to_be_visible()
        fits(page)
        page.set_viewport_size(UPRIGHT)
        fits(page)


def test_a_stop_called_off_on_the_operators_page_and_a_renewed_link(hub: Hub):
    running(hub)
    with serving(hub.app) as base, chromium() as browser:
        board = board_page(browser, base, hub.token)
        text = board.locator("#state-text")
        expect(text).to_have_text("kommt laut Fahrplan um 09:13")

        office = new_page(browser)
        browser_log_in(office, base, "olga")
        office.goto(f"{base}/arrivals")
        row = office.locator(f'tr[data-stop="{HOME}"]')
        expect(row.locator("a.board-link")).to_have_text(f"{base}/tafel/{hub.token}")
        row.get_by_label("Grund").fill("Hausfest im Garten")
        row.get_by_role("button", name="Halt heute absagen").click()
        expect(office.get_by_role("status")).to_contain_text("fällt heute aus: Hausfest")

        expect(text).to_have_text("fällt heute aus: Hausfest im Garten")
        expect(board.locator("#headline")).to_have_text("Fällt aus")
        expect(board.locator("#planned")).to_be_hidden()

        row.get_by_role("button", name="Absage zurücknehmen").click()
        expect(office.get_by_role("status")).to_contain_text("fährt heute doch")
        expect(text).to_have_text("kommt laut Fahrplan um 09:13")

        row.get_by_role("button", name="Link erneuern").click()
        expect(office.get_by_role("status")).to_contain_text("der alte zeigt nichts mehr")
        expect(row.locator("a.board-link")).not_to_have_text(f"{base}/tafel/{hub.token}")
        # the open board of the old link empties itself
        expect(board.locator("body")).to_contain_text("Diese Anzeige gibt es nicht (mehr)")
        expect(board.get_by_text("Weserblick")).to_have_count(0)
        expect(board.get_by_text("09:13")).to_have_count(0)


def test_a_day_without_a_visit_and_the_board_without_javascript(hub: Hub):
    clock = running(hub)
    clock.set("09:00", TUESDAY + timedelta(days=1))  # a Wednesday: no tour
    tour = hub.app.state.config.tours.file
    tour.write_text(
        TOUR + '\n[[exception]]\ndate = "2026-12-01"\ntour = "weser-heime"\n'
        'skip = ["weserblick"]\nnote = "Betriebsausflug"\n',
        encoding="utf-8",
    )
    with serving(hub.app) as base, chromium() as browser:
        page = board_page(browser, base, hub.token)
        expect(page.locator("#headline")).to_have_text("Heute nicht")
        expect(page.locator("#state-text")).to_have_text("Heute kommt der Verkaufswagen nicht")
        expect(page.locator("#next-visit")).to_have_text(
            "Nächster Besuch: Dienstag, 8. Dezember, 09:13 Uhr"
        )
        visits = page.locator("#next li")
        expect(visits).to_have_count(4)
        expect(visits.nth(0)).to_have_text("Di, 1.12. fällt aus: Betriebsausflug")
        expect(visits.nth(1)).to_have_text("Di, 8.12. 09:13–09:55 Uhr")
        fits(page)
        expect(page.get_by_role("link", name="Fahrplan zum Ausdrucken")).to_have_attribute(
            "href", f"/tafel/{hub.token}/fahrplan"
        )
        expect(
            page.get_by_role("link", name="Termine in den Kalender übernehmen")
        ).to_have_attribute("href", f"/tafel/{hub.token}/kalender.ics")

        # on a phone: nothing wider than the screen
        phone = browser.new_context(viewport=PHONE).new_page()
        phone.goto(f"{base}/tafel/{hub.token}")
        expect(phone.locator("#state-text")).to_have_text("Heute kommt der Verkaufswagen nicht")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # without JavaScript: the same texts, and the page refreshes itself every minute
        still = board_page(browser, base, hub.token, java_script_enabled=False)
        expect(still.locator('meta[http-equiv="refresh"]')).to_have_attribute("content", "60")
        expect(still.locator("#state-text")).to_have_text("Heute kommt der Verkaufswagen nicht")
        expect(still.locator("#next-visit")).to_have_text(
            "Nächster Besuch: Dienstag, 8. Dezember, 09:13 Uhr"
        )
        # the truck's position is stored before the clock moves on: the open board's watcher
        # works out one answer per second of the clock, and must not work out 09:30:00 without it
        Truck(hub.url).at(*MIDWAY, "09:29")
        clock.set("09:30")  # Tuesday, the truck on its way to the home
        still.reload()  # what the refresh does
        state = still.request.get(f"{base}/tafel/{hub.token}/stand").json()
        expect(still.locator("#state-text")).to_have_text(state["text"])
        expect(still.locator("#headline")).to_have_text(state["headline"])
        assert state["text"].startswith("kommt ca. ")


def test_a_board_that_loses_its_connection_says_so_and_comes_back(hub: Hub, monkeypatch):
    monkeypatch.setattr(board_pages, "KEEPALIVE_S", 0.5)  # the page's watchdog: 1.5 s
    with chromium() as browser:
        with serving(hub.app) as base:
            page = board_page(browser, base, hub.token)
            basis, main = page.locator("#basis"), page.locator("#board")
            expect(page.locator("#headline")).to_have_text("09:13")
            expect(basis).to_be_hidden()

            # the lobby's WiFi: the connection stays open but nothing comes through any more,
            # and new ones hang too
            page.route("**/tafel/**", lambda route: None)
            monkeypatch.setattr(board_pages, "KEEPALIVE_S", 3600.0)
            expect(basis).to_have_text(CUT)
            expect(main).to_have_class(re.compile(r"\boffline\b"))
            opacity = page.locator("#headline").evaluate("e => getComputedStyle(e).opacity")
            assert float(opacity) < 0.5, opacity
            fits(page)

            page.unroute("**/tafel/**")  # back: the next try gets through
            monkeypatch.setattr(board_pages, "KEEPALIVE_S", 0.5)
            expect(basis).to_be_hidden()
            expect(main).not_to_have_class(re.compile(r"\boffline\b"))
            expect(page.locator("#headline")).to_have_text("09:13")
        # the hub goes away: the stream ends with an error
        expect(basis).to_have_text(CUT)
        expect(page.locator("#connection")).to_contain_text("Verbindung unterbrochen")
