"""A stop's board link shows that stop alone — no other stop, no figures, no position, in the
page, its JSON or its event stream; a renewed link shows nothing; the operator's page of the
boards is for operators, and calling a stop off there (and taking it back) changes its board.

Real parts: the hub's web app (in uvicorn on a loopback port where the event stream is read),
SQLite, the tour plan's own checks. The day is Tuesday 24 November 2026 on the test tour
(tests/support/tour_days.py): Gimte 08:05, Volkmarshausen 08:38, Seniorenheim Weserblick
09:13–09:55, Bursfelde 10:01; the next ones on Tuesdays.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.broker import free_port
from hub.config import ArrivalSettings, HubConfig, HubToursSettings, StoreSettings, WebSettings
from hub.store import open_store
from hub.web.app import create_app
from tests.support.journals import JournalWriter
from tests.support.tour_days import TOUR, afternoon_tour
from tests.support.web import add_user, csrf_of, log_in, serving
from tourkasse import protocol
from tourkasse.journal import EntryKind

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 11, 24)
HOME = "weserblick"
HOME_NAME = "Seniorenheim Weserblick"
OTHER_NAMES = ("Gimte", "Volkmarshausen", "Bursfelde", "Dorfgemeinschaftshaus", "Kloster")


def local(clock: str, on: date = TUESDAY) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime(on.year, on.month, on.day, hours, minutes, tzinfo=BERLIN).astimezone(UTC)


class Clock:
    """The web's clock, set by the test: the truck's day goes by as the test says."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, clock: str, on: date = TUESDAY) -> None:
        self.moment = local(clock, on)


class Truck:
    """What truck T01 tells the hub, stored as the ingest stores it: its journal's stop
    events, and its latest position."""

    def __init__(self, url: str, name: str = "T01") -> None:
        self.url = url
        self.name = name
        self.writer = JournalWriter(name, start=datetime(2000, 1, 1, tzinfo=UTC))

    def event(self, kind: EntryKind, stop: str, clock: str) -> None:
        at = local(clock)
        self.writer.at = at
        body = {"stop": stop, "name": stop, "tour": "weser-heime", "gps_time": at.isoformat()}
        entry = self.writer.add(kind, body, minutes=0)
        batch = protocol.JournalBatch(self.name, (entry.data,), first=entry.seq)
        with open_store(self.url) as store:
            assert store.accept_batch(batch, received_at=at).through == entry.seq

    def arrive(self, stop: str, clock: str) -> None:
        self.event(EntryKind.STOP_ARRIVAL, stop, clock)

    def leave(self, stop: str, clock: str) -> None:
        self.event(EntryKind.STOP_DEPARTURE, stop, clock)

    def at(self, lat: float, lon: float, clock: str, speed_cm_s: int = 1200) -> None:
        when = local(clock)
        point = protocol.Position(
            self.name, when.isoformat(), round(lat * 1e7), round(lon * 1e7), speed_cm_s
        )
        with open_store(self.url) as store:
            store.save_position(point, received_at=when)


@dataclass
class Hub:
    app: FastAPI
    url: str
    clock: Clock
    token: str  # the link of the seniors' home's board


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    return make_hub(tmp_path)


def make_hub(tmp_path: Path) -> Hub:
    """The test tour's hub at 08:20 on its Tuesday, with the home's board link made."""
    tour = tmp_path / "tour.toml"
    tour.write_text(TOUR, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    add_user(url, "olga", "operator")
    add_user(url, "anton", "accountant")
    with open_store(url) as store:
        token = store.board_links.ensure(HOME, "olga", datetime.now(UTC)).token
    config = HubConfig(
        store=StoreSettings(url=url),
        tours=HubToursSettings(file=tour),
        web=WebSettings(port=free_port()),
        # the figures of test_arrival_forecast.py, worked out by hand with a 60 % stay
        arrivals=ArrivalSettings(shortest_stay_percent=60),
    )
    app = create_app(config, live_events=False)
    clock = Clock(local("08:20"))
    app.state.events.clock = clock
    return Hub(app, url, clock, token)


def first_event(base: str, token: str) -> tuple[int, str]:
    """The status of the board's event stream, and its first event (or its answer)."""
    with httpx.stream("GET", f"{base}/tafel/{token}/events", timeout=10) as answer:
        if answer.status_code != 200:
            answer.read()
            return answer.status_code, answer.text
        lines: list[str] = []
        for line in answer.iter_lines():
            if line == "" and any(item.startswith("data:") for item in lines):
                return 200, "\n".join(lines)
            if line != "":
                lines.append(line)
    raise AssertionError("der Ereignisstrom endete ohne Ereignis")


def shows_nothing_of_others(text: str) -> None:
    """No other stop, no truck, no figures, no position in ``text``."""
    assert not [name for name in OTHER_NAMES if name in text], text
    assert "T01" not in text and "weser-heime" not in text
    assert "€" not in text and "EUR" not in text
    assert not re.search(r"\d+,\d\d(?!\d)", text), text  # no amounts like 12,30
    assert not re.search(r"\b(51|9)[.,]\d{3,}", text), text  # no coordinates of the tour


def test_a_boards_link_shows_its_stop_alone(hub: Hub):
    truck = Truck(hub.url)
    truck.arrive("gimte", "08:20")
    truck.at(51.4441, 9.6602, "08:24", speed_cm_s=0)  # standing at Gimte
    hub.clock.set("08:25")
    with serving(hub.app) as base:
        page = httpx.get(f"{base}/tafel/{hub.token}")  # no login
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert '<html lang="de">' in page.text
        assert '<meta name="robots" content="noindex' in page.text
        assert HOME_NAME in page.text and "kommt ca. 09:19 (+6 min)" in page.text
        assert "Tourkasse Zentrale" not in page.text and "<nav" not in page.text
        shows_nothing_of_others(page.text)

        state = httpx.get(f"{base}/tafel/{hub.token}/stand").json()
        assert state["stop"] == HOME_NAME and state["text"] == "kommt ca. 09:19 (+6 min)"
        assert state["headline"] == "09:19"
        shows_nothing_of_others(json.dumps(state, ensure_ascii=False))

        status, event = first_event(base, hub.token)
        assert status == 200 and "event: board" in event.splitlines()
        assert "kommt ca. 09:19 (+6 min)" in event and HOME_NAME in event
        shows_nothing_of_others(event)


def test_a_renewed_links_predecessor_shows_nothing(hub: Hub):
    operator = TestClient(hub.app)
    log_in(operator, "olga")
    arrivals = operator.get("/arrivals")
    assert f"/tafel/{hub.token}" in arrivals.text
    renewed = operator.post(
        f"/arrivals/{HOME}/link", data={"csrf": csrf_of(arrivals.text)}, follow_redirects=True
    )
    assert "Neuer Link für Seniorenheim Weserblick" in renewed.text
    assert f"/tafel/{hub.token}" not in renewed.text
    found = re.search(rf'<tr data-stop="{HOME}">.*?href="http://testserver/tafel/([^"]+)"',
                      renewed.text, re.S)  # fmt: skip
    assert found is not None
    new_token = found.group(1)

    with serving(hub.app) as base:
        for path in ("", "/stand", "/events", "/fahrplan", "/kalender.ics"):
            old = httpx.get(f"{base}/tafel/{hub.token}{path}")
            assert old.status_code == 404, path
            assert "Weserblick" not in old.text and "09:13" not in old.text, path
        unknown = httpx.get(f"{base}/tafel/erfunden")
        assert unknown.status_code == 404 and "Weserblick" not in unknown.text
        new = httpx.get(f"{base}/tafel/{new_token}")
        assert new.status_code == 200 and HOME_NAME in new.text


def test_the_boards_page_is_for_operators(hub: Hub):
    anonymous = TestClient(hub.app)
    answer = anonymous.get("/arrivals", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    refused = anonymous.post(f"/arrivals/{HOME}/link", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    accountant = TestClient(hub.app)
    log_in(accountant, "anton")
    assert accountant.get("/arrivals").status_code == 403
    operator = TestClient(hub.app)
    log_in(operator, "olga")
    page = operator.get("/arrivals")
    assert page.status_code == 200
    assert 'href="/arrivals" aria-current="page">Ankunftszeiten' in page.text  # in the bar
    for stop in ("gimte", "volkmarshausen", HOME, "bursfelde"):  # every stop: its own link
        row = page.text.split(f'<tr data-stop="{stop}">')[1].split("</tr>")[0]
        assert re.search(r'href="http://testserver/tafel/[\w-]{20,}"', row), row
        assert "Halt heute absagen" in row and "Link erneuern" in row
    assert "kommt laut Fahrplan um 09:13" in page.text
    assert 'href="/tours/weser-heime/fahrplan"' in page.text
    # the links stay what they were: made on the first view only
    assert operator.get("/arrivals").text.count("/tafel/") == page.text.count("/tafel/")
    assert f"http://testserver/tafel/{hub.token}" in page.text
    # without the form's token nothing changes
    forged = operator.post(f"/arrivals/{HOME}/cancel", data={"tour": "weser-heime"})
    assert forged.status_code == 403


def test_calling_a_stop_off_and_taking_it_back_changes_its_board(hub: Hub):
    board = TestClient(hub.app)
    operator = TestClient(hub.app)
    log_in(operator, "olga")
    # the office had already called Gimte off for today on the tours page: that stays
    csrf = csrf_of(operator.get("/tours").text)
    operator.post("/tours/exceptions", data={"csrf": csrf, "date": "2026-11-24",
                  "tour": "weser-heime", "skip": "gimte", "note": "Straße gesperrt"})  # fmt: skip
    page = operator.get("/arrivals")
    assert "fällt heute aus: Straße gesperrt" in page.text

    called_off = operator.post(
        f"/arrivals/{HOME}/cancel",
        data={"csrf": csrf, "tour": "weser-heime", "reason": "  Hausfest im   Garten "},
    )
    assert called_off.status_code == 200
    assert "Seniorenheim Weserblick fällt heute aus: Hausfest im Garten" in called_off.text
    assert "An die Wagen senden" in called_off.text
    state = board.get(f"/tafel/{hub.token}/stand").json()
    assert state["text"] == "fällt heute aus: Hausfest im Garten"
    assert state["headline"] == "Fällt aus"
    with open_store(hub.url) as store:
        latest = store.tour_plans.latest()
    assert latest is not None and "Hausfest im Garten" in latest.text
    assert "Straße gesperrt" in latest.text  # Gimte's own exception is still there

    again = operator.post(
        f"/arrivals/{HOME}/cancel", data={"csrf": csrf, "tour": "weser-heime", "reason": "x"}
    )
    assert again.status_code == 422 and "fällt heute schon aus" in again.text

    back = operator.post(f"/arrivals/{HOME}/uncancel", data={"csrf": csrf, "tour": "weser-heime"})
    assert back.status_code == 200 and "fährt heute doch" in back.text
    state = board.get(f"/tafel/{hub.token}/stand").json()
    assert state["text"] == "kommt laut Fahrplan um 09:13"
    page = operator.get("/arrivals")
    assert "fällt heute aus: Straße gesperrt" in page.text  # Gimte still off
    with open_store(hub.url) as store:
        latest = store.tour_plans.latest()
    assert latest is not None and "Hausfest" not in latest.text


AFTERNOON = afternoon_tour(HOME)


def test_a_stop_two_tours_visit_shows_the_visit_that_matters_now(hub: Hub):
    tour = hub.app.state.config.tours.file
    tour.write_text(TOUR + AFTERNOON, encoding="utf-8")
    truck = Truck(hub.url)
    truck.arrive(HOME, "09:15")
    truck.leave(HOME, "09:50")
    board = TestClient(hub.app)

    hub.clock.set("09:30")  # the morning's visit: here
    assert board.get(f"/tafel/{hub.token}/stand").json()["text"] == "ist da"
    hub.clock.set("12:00")  # the morning's visit is over: the afternoon's is ahead
    state = board.get(f"/tafel/{hub.token}/stand").json()
    assert state["text"] == "kommt laut Fahrplan um 13:05"
    assert state["headline"] == "13:05" and state["planned"] == "laut Fahrplan 13:05–13:35 Uhr"
    # no word of the afternoon's visit long after its time: the text says the plan, the
    # planned line does not say it again
    hub.clock.set("14:30")
    state = board.get(f"/tafel/{hub.token}/stand").json()
    assert state["text"] == "laut Fahrplan 13:05–13:35, keine Meldung vom Wagen"
    assert state["headline"] == "Keine Meldung" and state["planned"] == ""
