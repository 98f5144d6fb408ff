"""Must show (issue 11, review of the operator's side): a decision sent from a page loaded
before the order was changed decides nothing and says so (lines are renumbered by a change),
while consecutive decisions on a fresh page work; after a decision the operator is brought
back to the order; "1.000 g" is a kilogram, not a gram; an article gone from the list is named
when an order is changed; the loading list shows ordered weights exactly; cancelled orders
are kept on /orders for the record but not counted among those to load.

Real parts: the hub's web app (TestClient) on SQLite and PostgreSQL, the article import, the
service. Clock and tour as in test_order_pages: Monday 7 December 2026, 10:00 in Germany;
"Seniorenzentrum Am Rehberg" (rehberg) on Tuesday 8 December at 12:45.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from hub import access
from hub.broker import free_port
from hub.catalogue import office
from hub.catalogue.article_csv import read_csv
from hub.config import HubConfig, HubToursSettings, MqttSettings, StoreSettings
from hub.orders import service
from hub.orders.model import Channel, Decision, OrderRefused, OrderState, WantedLine
from hub.store import open_store
from hub.web.app import create_app
from hub.web.order_forms import parse_quantity
from tests.conftest import EXAMPLE_TOUR
from tests.hub.test_order_pages import NOW, TUESDAY, Clock, client_of, order_form, orders_of
from tests.support.web import PASSWORD, add_user
from tourkasse.article import Article, Unit
from tourkasse.vat import VatRate

WHOLESALER = """Artikelnummer;Bezeichnung;Preis;MwSt;Warengruppe;Einheit;EAN;Pfand;Pfandartikel
1001;Landbrot 1000 g;4,20;7;Brot;Stück;4006381001014;;
2103;Emmentaler;14,90;7;Käse;kg;;;
4001;Äpfel Elstar;2,99;7;Obst;kg;;;
""".encode()
DAY = TUESDAY.isoformat()
STALE = (
    "Die Bestellung B-1 wurde inzwischen geändert – bitte die Seite neu laden und noch "
    "einmal entscheiden."
)


@pytest.fixture
def hub(hub_url, tmp_path: Path):
    tour = tmp_path / "tour.toml"
    tour.write_text(EXAMPLE_TOUR.read_text(encoding="utf-8"), encoding="utf-8")
    add_user(hub_url, "olga", "operator")
    with open_store(hub_url) as store:
        office.apply_import(store, read_csv(WHOLESALER), "olga", NOW, date(2026, 11, 25))
        hashed = access.hash_password(PASSWORD)
        store.users.put("rehberg-empfang", hashed, frozenset({"home"}), NOW, stop="rehberg")
    config = HubConfig(
        store=StoreSettings(url=hub_url),
        tours=HubToursSettings(file=tour),
        mqtt=MqttSettings(port=free_port()),  # nobody listens there
    )
    app = create_app(config, live_events=False)
    clock = Clock()
    app.state.events.clock = clock
    return app, hub_url, clock


def place(app, url: str, lines: list[WantedLine], **extra):
    with open_store(url) as store:
        return service.place_order(
            store, app.state.plan(), stop="rehberg", day=TUESDAY, channel=Channel.HOME,
            orderer="rehberg-empfang", note=extra.get("note", ""), lines=lines,
            now=extra.get("now", NOW),
        )  # fmt: skip


def hidden_fields(page: str, form_id: str) -> dict[str, str]:
    """The hidden fields of the form ``form_id`` as the page has them."""
    at = page.index(f'id="{form_id}"')
    form = page[page.rindex("<form", 0, at) : page.index("</form>", at)]
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }


def problem_of(page: str) -> str:
    return html.unescape(re.search(r'id="problem">([^<]*)<', page).group(1))


FIVE = [
    WantedLine("1001", 1, "Frau Kühn"),
    WantedLine("4001", 500, "Frau Kühn"),
    WantedLine("1001", 2, "Herr Ott"),
    WantedLine("4001", 750, "Herr Ott"),
    WantedLine("2103", 200, "Frau Lange"),
]


def test_a_stale_page_decides_nothing_and_a_fresh_one_decides_line_after_line(hub):
    app, url, clock = hub
    place(app, url, FIVE)
    operator = client_of(app, "olga")
    old = operator.get(f"/orders?day={DAY}").text
    clock.moment = NOW + timedelta(minutes=5)  # the home drops its first line meanwhile
    with open_store(url) as store:
        service.change_order(
            store, app.state.plan(), "B-1", stop="rehberg", note="", lines=FIVE[1:],
            now=clock.moment,
        )  # fmt: skip
    # "line 5" of the old page was Emmentaler; line 5 is gone, line 4 is now Emmentaler
    for path, form in (
        ("/orders/B-1/lines/4", hidden_fields(old, "decide-B-1-4") | {"decision": "confirm"}),
        ("/orders/B-1/confirm-all", hidden_fields(old, "confirm-all-B-1")),
    ):
        refused = operator.post(path, data=form)
        assert refused.status_code == 409, refused.text
        assert problem_of(refused.text) == STALE
    [order] = orders_of(url)
    assert all(line.decision is Decision.OPEN for line in order.lines)

    fresh = operator.get(f"/orders?day={DAY}").text
    assert "Emmentaler" in fresh
    first = operator.post(
        "/orders/B-1/lines/4",
        data=hidden_fields(fresh, "decide-B-1-4") | {"decision": "confirm"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    assert first.headers["location"].endswith("#order-B-1")  # back to the order
    second = operator.post(  # the same page's next form, as the reloaded page has it too
        "/orders/B-1/lines/1",
        data=hidden_fields(fresh, "decide-B-1-1") | {"decision": "decline", "reason": "aus"},
    )
    assert second.status_code == 200 and "Entscheidung gespeichert." in second.text
    rest = operator.post("/orders/B-1/confirm-all", data=hidden_fields(fresh, "confirm-all-B-1"))
    assert rest.status_code == 200
    [order] = orders_of(url)
    assert [(ln.text, ln.decision) for ln in order.lines] == [
        ("Äpfel Elstar", Decision.DECLINED),
        ("Landbrot 1000 g", Decision.CONFIRMED),
        ("Äpfel Elstar", Decision.CONFIRMED),
        ("Emmentaler", Decision.CONFIRMED),
    ]


def test_a_kilogram_with_a_thousands_separator_is_a_kilogram(hub):
    app, url, _clock = hub
    client = client_of(app, "rehberg-empfang")
    page = client.get("/bestellungen").text
    rows = [("2103", "1.000 g", "Frau Kühn"), ("4001", "1.500", ""), ("4001", "1,5 kg", "Ott")]
    sent = client.post("/bestellungen", data=order_form(page, rows))
    assert sent.status_code == 200, sent.text
    [order] = orders_of(url)
    assert [ln.quantity for ln in order.lines] == [1000, 1500, 1500]


def test_unclear_quantities_are_refused_in_words():
    cheese = Article("2103", "Emmentaler", Unit.KG, 1490, VatRate.REDUCED, "Käse")
    assert parse_quantity("1.000 g", cheese, 1) == 1000
    assert parse_quantity("12.500 g", cheese, 1) == 12500
    assert parse_quantity("1,25 kg", cheese, 1) == 1250
    assert parse_quantity("0.5 kg", cheese, 1) == 500
    for unclear in ("1.250 kg", "1,500 g", "1.000,5 g", "1,000.5"):
        with pytest.raises(OrderRefused) as refused:
            parse_quantity(unclear, cheese, 3)
        assert str(refused.value).startswith(f"Zeile 3: Menge „{unclear}“"), refused.value
        assert "eindeutig" in str(refused.value)
    bread = Article("1001", "Landbrot", Unit.PIECE, 420, VatRate.REDUCED, "Brot")
    assert parse_quantity("2", bread, 1) == 2
    with pytest.raises(OrderRefused, match="Stück"):
        parse_quantity("1,5", bread, 1)


def test_an_article_gone_from_the_list_is_named_when_the_order_is_changed(hub):
    app, url, _clock = hub
    place(app, url, [WantedLine("1001", 1, "Frau Kühn"), WantedLine("2103", 1500, "Herr Ott")])
    with open_store(url) as store, store.db.transaction():
        store.db.run("DELETE FROM catalogue_articles WHERE number = ?", ["2103"])
    client = client_of(app, "rehberg-empfang")
    edit = client.get("/bestellungen/B-1").text
    rows = [("1001", "1", "Frau Kühn"), ("2103", "1500 g", "Herr Ott")]
    for note in ("", "Bitte klingeln"):  # a line changed, or only the note
        quantity = "2" if not note else "1"
        changed = client.post(
            "/bestellungen/B-1",
            data=order_form(edit, [(rows[0][0], quantity, rows[0][2]), rows[1]], note=note),
        )
        assert changed.status_code == 409, changed.text
        said = problem_of(changed.text)
        assert said == "„Emmentaler“ (Nr. 2103) gibt es nicht mehr im Sortiment.", said
    [order] = orders_of(url)
    assert order.note == "" and order.lines[0].quantity == 1


def test_the_loading_list_shows_ordered_weights_exactly(hub):
    app, url, _clock = hub
    order = place(
        app,
        url,
        [WantedLine("2103", 250, "Frau Kühn"), WantedLine("4001", 1250, "Herr Ott")],
    )
    with open_store(url) as store:
        for line in (1, 2):
            service.decide(store, order.number, line, Decision.CONFIRMED, "", by="olga", now=NOW)
    page = client_of(app, "olga").get("/loading", params={"day": DAY, "weeks": 4}).text
    ordered = page[page.index('class="figures ordered"') :]
    ordered = ordered[: ordered.index("</table>")]
    assert re.search(r"Emmentaler</td><td[^>]*>250 g</td>", ordered), ordered
    assert re.search(r"Äpfel Elstar</td><td[^>]*>1,25 kg</td>", ordered), ordered
    assert "0,2 kg" not in page and "1,2 kg" not in page  # nor in the truck's total


def test_cancelled_orders_are_kept_collapsed_and_not_counted(hub):
    app, url, _clock = hub
    place(app, url, [WantedLine("1001", 1, "Frau Kühn")])
    dropped = place(app, url, [WantedLine("1001", 3, "Herr Ott")])
    with open_store(url) as store:
        service.cancel_order(store, app.state.plan(), dropped.number, stop="rehberg", now=NOW)
    assert orders_of(url)[1].state is OrderState.CANCELLED
    page = client_of(app, "olga").get(f"/orders?day={DAY}").text
    section = page[page.index('id="visit-T01-rehberg"') :]
    section = section[: section.index("</section>")]
    assert "1 Bestellung(en)" in section and "1 storniert" in section
    folded = section[
        section.index(f'<details class="order-cancelled" id="cancelled-{dropped.number}"') :
    ]
    folded = folded[: folded.index("</details>")]
    summary = folded[: folded.index("</summary>")]
    assert f"{dropped.number}" in summary and "storniert" in summary
    assert "Herr Ott" in folded  # kept for the record
    assert "<details" not in section[: section.index('id="order-B-1"')]
