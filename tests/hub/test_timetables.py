"""The printable timetables: a stop's, public behind its board link, shows its weekly times and
its coming dates with cancellations and their reasons, and no other stop; a tour's needs an
operator. Printed from a real headless Chromium, each fits on one A4 page, without the
navigation and the links.

Real parts for printing: the hub's web app in uvicorn on a loopback port, SQLite, Chromium.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from hub.arrivals.timetable import stop_timetable, tour_timetable, weekday_groups, weekdays_text
from hub.broker import free_port
from hub.config import HubConfig, HubToursSettings, StoreSettings, WebSettings
from hub.store import open_store
from hub.web.app import create_app
from tests.support.browser import chromium, new_page
from tests.support.web import add_user, browser_log_in, log_in, serving
from tourkasse.tour import parse_tour_plan
from tourkasse.visits import visits

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "tour.example.toml"
BERLIN = ZoneInfo("Europe/Berlin")
OTHER_STOPS = ("Gimte", "Volkmarshausen", "Bursfelde", "Rehberg", "Lippoldshausen", "Oberode")
CANCELLED = "Wagen in der Werkstatt"
SKIPPED = "Dorffest auf dem Platz"


def german(day: date) -> str:
    """How the timetables write a date: 'Freitag, 4. Dezember 2026'."""
    days = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
    months = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
              "September", "Oktober", "November", "Dezember")  # fmt: skip
    return f"{days[day.weekday()]}, {day.day}. {months[day.month - 1]} {day.year}"


@pytest.fixture
def hub(tmp_path) -> dict:
    """The example tour with two of Hemeln's next visits called off (whatever today is): the
    whole tour on the first, Hemeln alone on the second."""
    text = EXAMPLE.read_text(encoding="utf-8")
    today = datetime.now(BERLIN).date()
    coming = [v for v in visits(parse_tour_plan(text, "t"), "hemeln", today, 28) if not v.cancelled]
    tour_off, hemeln_off, ordinary = (visit.date for visit in coming[:3])
    text += (
        f'\n[[exception]]\ndate = "{tour_off}"\ntour = "werra-weser"\ncancelled = true\n'
        f'note = "{CANCELLED}"\n'
        f'\n[[exception]]\ndate = "{hemeln_off}"\ntour = "werra-weser"\nskip = ["hemeln"]\n'
        f'note = "{SKIPPED}"\n'
    )
    tour = tmp_path / "tour.toml"
    tour.write_text(text, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    add_user(url, "olga", "operator")
    add_user(url, "anton", "accountant")
    with open_store(url) as store:
        token = store.board_links.ensure("hemeln", "olga", datetime.now(UTC)).token
    config = HubConfig(
        store=StoreSettings(url=url),
        tours=HubToursSettings(file=tour),
        web=WebSettings(port=free_port()),
    )
    return {
        "config": config,
        "token": token,
        "tour_off": tour_off,
        "hemeln_off": hemeln_off,
        "ordinary": ordinary,
    }


def test_the_stop_timetable_shows_its_times_and_cancellations_and_no_other_stop(hub):
    client = TestClient(create_app(hub["config"], live_events=False))
    page = client.get(f"/tafel/{hub['token']}/fahrplan")  # no login
    assert page.status_code == 200
    text = page.text
    assert "Hemeln, Dorfplatz an der Weser" in text
    assert "Weserstraße 12, 34346 Hann. Münden-Hemeln" in text
    assert "dienstags und freitags 09:40–10:25 Uhr" in text
    dates = text[text.index('id="dates"') :].split("</table>")[0]
    tour_off = dates.split(german(hub["tour_off"]))[1].split("</tr>")[0]
    assert f"fällt aus: {CANCELLED}" in tour_off
    hemeln_off = dates.split(german(hub["hemeln_off"]))[1].split("</tr>")[0]
    assert f"fällt aus: {SKIPPED}" in hemeln_off
    assert "09:40–10:25 Uhr" in dates.split(german(hub["ordinary"]))[1].split("</tr>")[0]
    assert not [name for name in OTHER_STOPS if name in text]
    assert "T01" not in text and "€" not in text and "Nolte" not in text
    # the link to its own calendar feed
    feed = re.search(r'href="([^"]+)">Termine in den Kalender übernehmen', text)
    assert feed is not None and feed.group(1) == f"/tafel/{hub['token']}/kalender.ics"
    ics = client.get(feed.group(1))
    assert ics.headers["content-type"] == "text/calendar; charset=utf-8"
    assert f"{CANCELLED}" in ics.text.replace("\r\n ", "")


def test_an_unknown_or_renewed_link_shows_no_timetable(hub):
    client = TestClient(create_app(hub["config"], live_events=False))
    with open_store(hub["config"].store.url) as store:
        store.board_links.renew("hemeln", "olga", datetime.now(UTC))
    for token in (hub["token"], "erfunden"):
        page = client.get(f"/tafel/{token}/fahrplan")
        assert page.status_code == 404
        assert "Hemeln" not in page.text and "09:40" not in page.text


def test_the_tour_timetable_is_for_operators_only(hub):
    client = TestClient(create_app(hub["config"], live_events=False))
    anonymous = client.get("/tours/werra-weser/fahrplan", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    log_in(client, "anton")
    assert client.get("/tours/werra-weser/fahrplan").status_code == 403
    operator = TestClient(create_app(hub["config"], live_events=False))
    log_in(operator, "olga")
    page = operator.get("/tours/werra-weser/fahrplan")
    assert page.status_code == 200
    tuesdays, fridays = page.text.split("<h2>Freitags</h2>")
    assert "<h2>Dienstags</h2>" in tuesdays and "Bursfelde, am Kloster" in tuesdays
    assert "Bursfelde" not in fridays.split("<h2>")[0]  # not on Fridays
    assert "10:45" in tuesdays and "Wiershausen, Bushaltestelle Mitte" in fridays
    exceptions = page.text[page.text.index('id="exceptions"') :]
    assert f"{german(hub['tour_off'])}</th><td>Tour fällt aus: {CANCELLED}" in exceptions
    assert f"Hemeln, Dorfplatz an der Weser fällt aus ({SKIPPED})" in exceptions
    missing = operator.get("/tours/atlantis/fahrplan")
    assert missing.status_code == 404 and "Die Tour „atlantis“ gibt es nicht." in missing.text


def test_rhythms_extra_runs_and_weekday_groups_in_words():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert weekdays_text(("fr", "mo", "mi")) == "montags, mittwochs und freitags"
    extra = '[[exception]]\ndate = "2027-01-13"\ntour = "werra-weser"\nruns = true\n'
    plan = parse_tour_plan(text + extra, "t")
    bursfelde = stop_timetable(plan, "bursfelde", date(2027, 1, 11))
    assert [r.text for r in bursfelde.rhythms] == ["dienstags 10:45–11:15 Uhr"]
    assert [(line.day, line.text) for line in bursfelde.dates[:2]] == [
        ("Dienstag, 12. Januar 2027", "10:45–11:15 Uhr"),
        ("Mittwoch, 13. Januar 2027", "10:45–11:15 Uhr (zusätzliche Fahrt)"),
    ]
    tour = tour_timetable(plan, "werra-weser", date(2027, 1, 11))
    assert [(d.day, d.changes) for d in tour.exceptions] == [
        ("Mittwoch, 13. Januar 2027", ("Zusätzliche Fahrt.",))
    ]
    assert [g.text for g in tour.groups] == ["dienstags", "freitags"]
    same_stops = parse_tour_plan(text.replace('weekdays = ["di"]', ""), "t")
    (group,) = weekday_groups(same_stops.tours[0])
    assert group.text == "dienstags und freitags" and len(group.stops) == 8


# --- printed from Chromium -----------------------------------------------------------------
def printed(page) -> tuple[int, str, tuple[float, float]]:
    """The page printed to PDF on A4: the number of sheets, their text, the first one's size."""
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    box = reader.pages[0].mediabox
    text = "\n".join(sheet.extract_text() for sheet in reader.pages)
    text = unicodedata.normalize("NFKC", text)  # Chromium sets "ff" as a ligature
    return len(reader.pages), text, (float(box.width), float(box.height))


def test_each_timetable_prints_on_one_a4_page(hub):
    with serving(create_app(hub["config"], live_events=False)) as base, chromium() as browser:
        page = new_page(browser)
        page.goto(f"{base}/tafel/{hub['token']}/fahrplan")
        assert page.get_by_text("Termine in den Kalender übernehmen").is_visible()
        sheets, text, size = printed(page)
        assert sheets == 1
        assert abs(size[0] - 595.3) < 2 and abs(size[1] - 841.9) < 2  # A4 in points
        flat = " ".join(text.split())
        assert "Hemeln, Dorfplatz an der Weser" in flat
        assert "dienstags und freitags 09:40–10:25 Uhr" in flat
        assert f"fällt aus: {CANCELLED}" in flat and f"fällt aus: {SKIPPED}" in flat
        assert "Tourkasse Zentrale" not in flat  # no navigation bar
        assert "Kalender" not in flat and "Drucken" not in flat  # no links or buttons

        operator = new_page(browser)
        browser_log_in(operator, base, "olga")
        operator.goto(f"{base}/tours/werra-weser/fahrplan")
        sheets, text, _size = printed(operator)
        flat = " ".join(text.split())
        assert sheets == 1
        assert "Werra und Weser" in flat and "Wiershausen, Bushaltestelle Mitte" in flat
        assert f"Tour fällt aus: {CANCELLED}" in flat
        assert "Abmelden" not in flat and "Tour bearbeiten" not in flat
