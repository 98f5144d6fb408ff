"""Must show: an order placed through a stop's public board link is seen, changed and
cancelled only from the browser that placed it. Another browser on the same link sees nothing
of it, and its number answers 404 there for showing, changing and cancelling. The home's
account of the stop sees the board orders of every browser. The browser's key is a long-lived
HttpOnly, SameSite=strict cookie of this ordering path only; the page says in German and
English that the orders are visible only in this browser.

Real parts: the hub's web app (TestClient, one client per browser), SQLite and PostgreSQL, the
article import, the service. The web's clock is Monday 7 December 2026, 10:00 in Germany; the
example tour comes to "Seniorenzentrum Am Rehberg" (rehberg) on Tuesday 8 December.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub import access
from hub.broker import free_port
from hub.catalogue import office
from hub.catalogue.article_csv import read_csv
from hub.config import HubConfig, HubToursSettings, MqttSettings, StoreSettings
from hub.orders import service
from hub.orders.model import Channel, OrderState, WantedLine
from hub.store import open_store
from hub.web.app import create_app
from hub.web.order_pages import BROWSER_COOKIE
from tests.conftest import EXAMPLE_TOUR
from tests.hub.orders_helpers import NOW, TUESDAY, WHOLESALER
from tests.support.web import PASSWORD, csrf_of, log_in

GONE = "Diese Bestellung gibt es hier nicht."


@pytest.fixture
def board(hub_url, tmp_path: Path):
    """The app with the article list, the home's account of rehberg and the board's path."""
    with open_store(hub_url) as store:
        office.apply_import(store, read_csv(WHOLESALER), "olga", NOW, date(2026, 11, 25))
        hashed = access.hash_password(PASSWORD)
        store.users.put("rehberg-empfang", hashed, frozenset({"home"}), NOW, stop="rehberg")
        token = store.board_links.ensure("rehberg", "olga", NOW).token
    config = HubConfig(
        store=StoreSettings(url=hub_url),
        tours=HubToursSettings(file=EXAMPLE_TOUR),
        mqtt=MqttSettings(port=free_port()),  # nobody listens there
    )
    app = create_app(config, live_events=False)
    app.state.events.clock = lambda: NOW
    return app, hub_url, f"/tafel/{token}/bestellen"


def order_form(page: str, who: str, quantity: str = "2", note: str = "") -> dict[str, str]:
    return {
        "csrf": csrf_of(page),
        "rows": "10",
        "visit": TUESDAY.isoformat(),
        "note": note,
        "article-1": "204",
        "qty-1": quantity,
        "for-1": who,
    }


def orders_of(url: str):
    with open_store(url) as store:
        found = service.orders_of_stop(store, "rehberg", since=TUESDAY - timedelta(days=7))
    return {o.lines[0].for_whom: o for o in found}


def place(client: TestClient, base: str, who: str, note: str = "") -> str:
    """Order from this browser; the page it lands on."""
    page = client.get(base)
    sent = client.post(base, data=order_form(page.text, who, note=note))
    assert sent.status_code == 200 and who in sent.text
    return sent.text


def test_another_browser_on_the_same_link_sees_and_touches_nothing_of_an_order(board):
    app, url, base = board
    first, second = TestClient(app), TestClient(app)
    place(first, base, "Familie Lange", note="Klingel geht nicht")
    lange = orders_of(url)["Familie Lange"]
    assert lange.channel is Channel.BOARD

    page = second.get(base)
    assert page.status_code == 200
    assert "Familie Lange" not in page.text and "Klingel" not in page.text
    assert f'id="change-{lange.number}"' not in page.text
    assert "Noch keine Bestellungen." in page.text
    assert BROWSER_COOKIE not in second.cookies  # it has ordered nothing: it has no key yet
    csrf = csrf_of(page.text)
    change = {"csrf": csrf, "rows": "1", "article-1": "204", "qty-1": "9", "for-1": "Dieb"}
    for answer in (
        second.get(f"{base}/{lange.number}"),
        second.post(f"{base}/{lange.number}", data=change),
        second.post(f"{base}/{lange.number}/storno", data={"csrf": csrf}),
    ):
        assert answer.status_code == 404
        assert GONE in answer.text
        assert "Familie Lange" not in answer.text and "Klingel" not in answer.text
    kept = orders_of(url)["Familie Lange"]
    assert kept.state is OrderState.OPEN and kept.lines[0].quantity == 2

    # the second browser's own order is its own; the first still sees only its own
    place(second, base, "Herr Ott")
    ott = orders_of(url)["Herr Ott"]
    assert second.cookies[BROWSER_COOKIE] != first.cookies[BROWSER_COOKIE]
    again = first.get(base).text
    assert "Familie Lange" in again and "Herr Ott" not in again
    assert first.get(f"{base}/{ott.number}").status_code == 404

    # the first browser changes and cancels its own
    form = first.get(f"{base}/{lange.number}")
    assert form.status_code == 200 and "Familie Lange" in form.text
    again_form = order_form(form.text, "Familie Lange", "3", note="Klingel geht nicht")
    changed = first.post(f"{base}/{lange.number}", data=again_form)
    assert changed.status_code == 200
    assert f"Bestellung {lange.number} ist geändert." in changed.text
    assert orders_of(url)["Familie Lange"].lines[0].quantity == 3
    gone = first.post(f"{base}/{lange.number}/storno", data={"csrf": csrf_of(changed.text)})
    assert gone.status_code == 200 and "storniert" in gone.text
    assert orders_of(url)["Familie Lange"].state is OrderState.CANCELLED
    assert orders_of(url)["Herr Ott"].state is OrderState.OPEN

    # the home's account of the stop sees the board orders of both browsers
    home = TestClient(app)
    assert log_in(home, "rehberg-empfang").status_code == 303
    listed = home.get("/bestellungen").text
    assert "Familie Lange" in listed and "Herr Ott" in listed and "Klingel geht nicht" in listed
    assert home.get(f"/bestellungen/{ott.number}").status_code == 200


def test_the_browsers_key_is_a_long_lived_cookie_of_this_page_made_when_it_orders(board):
    app, url, base = board
    client = TestClient(app)
    page = client.get(base)
    assert "Ihre Bestellungen sehen Sie nur in diesem Browser." in page.text
    # looking makes no key: a page opened from another site does not replace a browser's own
    assert not [c for c in page.headers.get_list("set-cookie") if BROWSER_COOKIE in c]
    sent = client.post(base, data=order_form(page.text, "Familie Lange"), follow_redirects=False)
    assert sent.status_code == 303
    [cookie] = [c for c in sent.headers.get_list("set-cookie") if c.startswith(BROWSER_COOKIE)]
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in attributes and "samesite=strict" in attributes
    assert f"path={base}".lower() in attributes
    assert f"max-age={180 * 24 * 3600}" in attributes
    key = client.cookies[BROWSER_COOKIE]
    assert len(key) >= 40
    mine = client.get(sent.headers["location"])
    assert "Familie Lange" in mine.text
    assert client.cookies[BROWSER_COOKIE] == key  # renewed, not replaced by another
    number = orders_of(url)["Familie Lange"].number
    assert client.get(f"{base}/{number}").status_code == 200
    english = client.get(f"/lang/en?next={base}")
    assert "You see your orders only in this browser" in english.text
    # a key that is not one of ours finds nothing, and ordering gives that browser a new one
    stranger = TestClient(app)
    stranger.cookies.set(BROWSER_COOKIE, "x")
    other = stranger.get(base)
    assert stranger.get(f"{base}/{number}").status_code == 404
    again = stranger.post(base, data=order_form(other.text, "Herr Ott"), follow_redirects=False)
    assert len(stranger.cookies.get(BROWSER_COOKIE, path=base) or "") >= 40
    assert "Familie Lange" not in stranger.get(again.headers["location"]).text
    # the home's page has no such sentence
    home = TestClient(app)
    assert log_in(home, "rehberg-empfang").status_code == 303
    assert "nur in diesem Browser" not in home.get("/bestellungen").text


def test_a_board_order_stored_without_a_key_shows_on_no_browser_but_to_the_home(board):
    """Board orders placed before the browsers had keys belong to no browser."""
    app, url, base = board
    with open_store(url) as store:
        old = service.place_order(
            store, app.state.plan(), stop="rehberg", day=TUESDAY, channel=Channel.BOARD,
            orderer="Aushang", note="", lines=[WantedLine("204", 1, "Frau Alt")], now=NOW,
        )  # fmt: skip
    client = TestClient(app)
    assert "Frau Alt" not in client.get(base).text
    assert client.get(f"{base}/{old.number}").status_code == 404
    home = TestClient(app)
    assert log_in(home, "rehberg-empfang").status_code == 303
    assert "Frau Alt" in home.get("/bestellungen").text
