"""Must show: the loading list and the stop evaluation equal figures computed by hand from a
fixed set of journals (three Tuesdays of one truck at two stops), on SQLite and PostgreSQL.

The journal (local times, Europe/Berlin; prices: Brötchen 0,45 €, Vollmilch 1,19 €, Äpfel
2,99 €/kg, Apfelsaft 1,89 € + 0,15 € Pfand):

3 Nov  A 09:02–09:32  R1 6 Brötchen + 2 Milch = 5,08   R2 1250 g Äpfel = 3,74 (3,7375)
       B 10:01–10:41  R3 4 Brötchen = 1,80
10 Nov A 09:00–09:20  R4 10 Brötchen = 4,50   R5 void of R4 = -4,50   R6 3 Milch = 3,57
       B (GPS out, staff chose B, no times)   R7 2 Milch = 2,38
17 Nov A 09:05–09:45  R8 1 Brötchen + 2 Milch − 1 Milch returned = 1,64
                      R9 Apfelsaft + Pfand = 2,04   a training receipt of 5 Brötchen
       B skipped
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hub.config import HubConfig, HubToursSettings, StoreSettings
from hub.planning.evaluation import evaluate
from hub.planning.loading import loading_list
from hub.store import open_store
from hub.web.app import create_app
from tests.support.journals import STAFF, JournalWriter, deposit, line, paid
from tests.support.web import add_user, log_in
from tourkasse.article import Unit
from tourkasse.journal import EntryKind
from tourkasse.protocol import JournalBatch
from tourkasse.receipt import BonType, LineKind, Receipt, ReceiptLine
from tourkasse.tour import load_tour_plan
from tourkasse.vat import VatRate

ZONE = ZoneInfo("Europe/Berlin")
BROT, MILCH, AEPFEL, SAFT = 1, 2, 3, 5  # tests/support/journals.py ARTICLES

TOUR = """
state = "NI"
timezone = "Europe/Berlin"

[[tour]]
id = "test"
name = "Testtour"
truck = "T01"
weekdays = ["di"]

[tour.depot]
name = "Lager"
lat = 51.42
lon = 9.65
leave = "08:30"

[[tour.stop]]
id = "A"
name = "Adorf, Kirche"
address = "Kirchweg 1"
lat = 51.44
lon = 9.66
arrive = "09:00"
depart = "09:30"

[[tour.stop]]
id = "B"
name = "Bedorf, Schule"
address = "Schulweg 2"
lat = 51.45
lon = 9.67
arrive = "10:00"
depart = "10:45"
"""


def sale(stop: str, *lines: ReceiptLine, bon_type: BonType = BonType.RECEIPT) -> Receipt:
    items, payments = paid(lines, "cash")
    return Receipt(bon_type, items, payments, staff=STAFF, stop=stop)


def milk_back() -> ReceiptLine:
    return ReceiptLine(
        LineKind.RETURN, "Vollmilch 1 l", -1, Unit.PIECE, 119, VatRate.REDUCED, -119, "Molkerei"
    )


def journal() -> JournalWriter:
    writer = JournalWriter("T01", start=datetime(2026, 11, 3, 6, 0, tzinfo=ZONE))

    def at(day: int, clock: str) -> None:
        hours, minutes = map(int, clock.split(":"))
        writer.at = datetime.combine(date(2026, 11, day), time(hours, minutes), ZONE)

    def arrive(stop: str) -> None:
        writer.add(EntryKind.STOP_ARRIVAL, {"stop": stop, "name": stop}, minutes=0)

    def depart(stop: str) -> None:
        writer.add(EntryKind.STOP_DEPARTURE, {"stop": stop, "name": stop}, minutes=0)

    at(3, "09:02")
    arrive("A")
    writer.receipt(sale("A", line(BROT, 6), line(MILCH, 2)))
    writer.receipt(sale("A", line(AEPFEL, 1250)))
    at(3, "09:32")
    depart("A")
    at(3, "10:01")
    arrive("B")
    writer.receipt(sale("B", line(BROT, 4)))
    at(3, "10:41")
    depart("B")

    at(10, "09:00")
    arrive("A")
    writer.receipt(sale("A", line(BROT, 10)))
    writer.void(writer.next_number - 1)
    writer.receipt(sale("A", line(MILCH, 3)))
    at(10, "09:20")
    depart("A")
    at(10, "10:05")
    writer.add(EntryKind.STOP_CHOSEN, {"stop": "B", "name": "B", "staff": {"number": "1"}})
    writer.receipt(sale("B", line(MILCH, 2)))

    at(17, "09:05")
    arrive("A")
    writer.receipt(sale("A", line(BROT, 1), line(MILCH, 2), milk_back()))
    writer.receipt(sale("A", line(SAFT, 1), deposit(1, 0)))
    writer.receipt(sale("A", line(BROT, 5), bon_type=BonType.TRAINING))
    at(17, "09:45")
    depart("A")
    return writer


@pytest.fixture
def planned(hub_url, tmp_path: Path):
    entries = tuple(entry.data for entry in journal().entries)
    with open_store(hub_url) as store:
        store.accept_batch(JournalBatch("T01", entries, 1), received_at=datetime.now(ZONE))
    tour = tmp_path / "tour.toml"
    tour.write_text(TOUR, encoding="utf-8")
    return hub_url, tour


def quantities(items) -> dict[str, tuple[int, str]]:
    return {q.text: (q.quantity, q.unit) for q in items}


def test_the_loading_list_for_a_tuesday_equals_the_hand_computed_one(planned):
    url, tour = planned
    with open_store(url) as store:
        listing = loading_list(store, load_tour_plan(tour), date(2026, 11, 24), 4, ZONE)
    [truck] = listing.trucks
    assert (truck.truck, truck.tour) == ("T01", "Testtour")
    a, b = truck.stops
    assert (a.stop, a.visits, b.stop, b.visits) == ("A", 3, "B", 2)
    # A: Brötchen 6+10−10+1 = 7 over 3 visits → 3; Milch 2+3+2−1 = 6 → 2;
    # Äpfel 1250 g → 417 g → 500 g; Apfelsaft 1 → 1; the training receipt and Pfand not
    assert quantities(a.expected) == {
        "Brötchen": (3, "piece"),
        "Vollmilch 1 l": (2, "piece"),
        "Äpfel Elstar": (500, "kg"),
        "Apfelsaft 1 l": (1, "piece"),
    }
    # B: Brötchen 4 over 2 visits → 2; Milch 2 → 1
    assert quantities(b.expected) == {"Brötchen": (2, "piece"), "Vollmilch 1 l": (1, "piece")}
    assert quantities(truck.total) == {
        "Brötchen": (5, "piece"),
        "Vollmilch 1 l": (3, "piece"),
        "Äpfel Elstar": (500, "kg"),
        "Apfelsaft 1 l": (1, "piece"),
    }
    # what A sold on Tuesdays over the weeks (the history the list comes from)
    visits, sold = a.by_weekday[1]
    assert visits == 3 and quantities(sold)["Brötchen"] == (7, "piece")


def test_no_tour_that_day_no_loading_list(planned):
    url, tour = planned
    with open_store(url) as store:
        listing = loading_list(store, load_tour_plan(tour), date(2026, 11, 25), 4, ZONE)
    assert listing.trucks == ()


def test_the_stop_evaluation_equals_the_hand_computed_figures(planned):
    url, tour = planned
    with open_store(url) as store:
        figures = evaluate(store, load_tour_plan(tour), date(2026, 11, 1), date(2026, 11, 23), ZONE)
    a, b = figures
    # A: 6 receipts (the void not), 5,08+3,74+4,50−4,50+3,57+1,64+2,04 = 16,07 €
    assert (a.stop, a.name, a.visits, a.planned_visits) == ("A", "Adorf, Kirche", 3, 3)
    assert (a.receipts, a.turnover, a.average_basket) == (6, 1607, 268)
    assert (a.minutes, a.planned_minutes) == (30 + 20 + 40, 3 * 30)
    assert a.per_hour == 1071  # 16,07 € in 90 minutes
    # B: 2 of 3 planned visits, 1,80 + 2,38; only the first visit has times (40 of 45 min)
    assert (b.stop, b.visits, b.planned_visits, b.receipts, b.turnover) == ("B", 2, 3, 2, 418)
    assert (b.average_basket, b.minutes, b.planned_minutes) == (209, 40, 2 * 45)
    assert b.per_hour == 270  # the timed visit: 1,80 € in 40 minutes


def test_the_operator_pages_show_them_and_the_accountant_gets_none(planned):
    url, tour = planned
    add_user(url, "olga", "operator")
    add_user(url, "anton", "accountant")
    app = create_app(
        HubConfig(store=StoreSettings(url=url), tours=HubToursSettings(file=tour)),
        live_events=False,
    )
    client = TestClient(app)
    log_in(client, "olga")
    page = client.get("/loading", params={"day": "2026-11-24", "weeks": 4})
    assert page.status_code == 200
    assert "Adorf, Kirche" in page.text and "Brötchen" in page.text and "0,5 kg" in page.text
    evaluation = client.get("/stops", params={"first": "2026-11-01", "last": "2026-11-23"})
    assert evaluation.status_code == 200
    assert "16,07 €" in evaluation.text and "10,71 €" in evaluation.text
    assert client.get("/loading", params={"day": "morgen"}).status_code == 422
    other = TestClient(app)
    log_in(other, "anton")
    assert other.get("/loading").status_code == 403
    assert other.get("/stops").status_code == 403


@pytest.mark.slow
def test_the_loading_list_prints_without_the_page_around_it(planned, tmp_path):
    """Printed (Chromium's print media, and a PDF of it): the lists, not the navigation or
    the form to choose the day."""
    from hub.broker import LocalBroker, free_port
    from hub.config import MqttSettings, WebSettings
    from tests.support.browser import chromium, new_page
    from tests.support.web import WebThread, browser_log_in

    url, tour = planned
    add_user(url, "olga", "operator")
    with LocalBroker(tmp_path / "broker") as broker:
        config = HubConfig(
            store=StoreSettings(url=url),
            mqtt=MqttSettings(host="127.0.0.1", port=broker.port, client_id="print-test"),
            web=WebSettings(port=free_port()),
            tours=HubToursSettings(file=tour),
        )
        with WebThread(config) as web, chromium() as browser:
            page = new_page(browser)
            browser_log_in(page, web.url, "olga")
            page.goto(f"{web.url}/loading?day=2026-11-24&weeks=4")
            assert page.locator("header.bar").is_visible()
            page.emulate_media(media="print")
            assert page.locator("header.bar").is_hidden()
            assert page.locator("main form").is_hidden()
            assert page.locator("section.loading table").first.is_visible()
            assert "Adorf, Kirche" in page.locator("section.loading").first.inner_text()
            assert page.pdf(format="A4").startswith(b"%PDF")
