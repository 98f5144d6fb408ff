"""Must show: a home's account orders, changes and cancels for its own stop only (another
stop's order answers 404 and says nothing of it); the stop's board link orders without a login
but with its own form token; a passed deadline, a cancelled visit, an article gone from the
list and a quantity not understood are said in words with the form kept; the operator sees a
day's orders per visit and confirms or declines lines (declining needs a reason), and sets a
stop's deadline; names and notes are escaped on every page that shows them.

Real parts: the hub's web app (TestClient), SQLite and PostgreSQL, the article import, the
service. The web's clock is Monday 7 December 2026, 10:00 in Germany; the example tour comes
to "Seniorenzentrum Am Rehberg" (rehberg) on Tuesdays and Fridays at 12:45; the Friday
11 December is cancelled ("Wagen in der Werkstatt"). No broker listens: decisions are kept
and the page says they will be sent.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub import access
from hub.broker import free_port
from hub.catalogue import office
from hub.catalogue.article_csv import read_csv
from hub.config import HubConfig, HubToursSettings, MqttSettings, StoreSettings
from hub.orders import service
from hub.orders.model import Channel, Decision, OrderState, WantedLine
from hub.store import open_store
from hub.web.app import create_app
from hub.web.order_pages import BROWSER_COOKIE
from tests.conftest import EXAMPLE_TOUR
from tests.support.journals import STAFF, JournalWriter, paid
from tests.support.web import PASSWORD, add_user, csrf_of, log_in
from tourkasse.article import Unit
from tourkasse.protocol import JournalBatch
from tourkasse.receipt import BonType, LineKind, Receipt, ReceiptLine, line_amount
from tourkasse.tour import parse_tour_plan
from tourkasse.vat import VatRate

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TUESDAY = date(2026, 12, 8)
FRIDAY = date(2026, 12, 11)
WHOLESALER = """Artikelnummer;Bezeichnung;Preis;MwSt;Warengruppe;Einheit;EAN;Pfand;Pfandartikel
1001;Landbrot 1000 g;4,20;7;Brot;Stück;4006381001014;;
4001;Äpfel Elstar;2,99;7;Obst;kg;;;
204;Apfelsaft 1 l;1,89;19;Getränke;Stück;;9001;
9001;Pfand Flasche;0,15;19;Pfand;Stück;;;ja
""".encode()
CANCELLED = (
    '\n[[exception]]\ndate = "2026-12-11"\ntour = "werra-weser"\ncancelled = true\n'
    'note = "Wagen in der Werkstatt"\n'
)
EVIL = "<script>alert(1)</script>"


class Clock:
    def __init__(self) -> None:
        self.moment = NOW

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def hub(hub_url, tmp_path: Path):
    tour = tmp_path / "tour.toml"
    tour.write_text(EXAMPLE_TOUR.read_text(encoding="utf-8") + CANCELLED, encoding="utf-8")
    add_user(hub_url, "olga", "operator")
    with open_store(hub_url) as store:
        office.apply_import(store, read_csv(WHOLESALER), "olga", NOW, date(2026, 11, 25))
        hashed = access.hash_password(PASSWORD)
        store.users.put("rehberg-empfang", hashed, frozenset({"home"}), NOW, stop="rehberg")
        store.users.put("gimte-heim", hashed, frozenset({"home"}), NOW, stop="gimte")
        token = store.board_links.ensure("rehberg", "olga", NOW).token
    config = HubConfig(
        store=StoreSettings(url=hub_url),
        tours=HubToursSettings(file=tour),
        mqtt=MqttSettings(port=free_port()),  # nobody listens there
    )
    app = create_app(config, live_events=False)
    clock = Clock()
    app.state.events.clock = clock
    return app, hub_url, token, clock


def client_of(app, name: str | None = None) -> TestClient:
    client = TestClient(app)
    if name:
        assert log_in(client, name).status_code == 303
    return client


def order_form(page: str, rows: list[tuple[str, str, str]], **extra: str) -> dict[str, str]:
    form = {"csrf": csrf_of(page), "rows": "10", "visit": TUESDAY.isoformat(), "note": ""}
    for i, (article, quantity, who) in enumerate(rows, 1):
        form |= {f"article-{i}": article, f"qty-{i}": quantity, f"for-{i}": who}
    return form | extra


def orders_of(url: str, stop: str = "rehberg"):
    with open_store(url) as store:
        return service.orders_of_stop(store, stop, since=TUESDAY - timedelta(days=7))


def test_a_home_orders_changes_and_cancels_for_its_stop(hub):
    app, url, _token, _clock = hub
    client = client_of(app, "rehberg-empfang")
    assert client.get("/", follow_redirects=False).headers["location"] == "/bestellungen"
    page = client.get("/bestellungen")
    assert page.status_code == 200
    assert "Seniorenzentrum Am Rehberg" in page.text and "Gimte" not in page.text
    articles = page.text[page.text.index('id="articles"') :]
    assert "Äpfel Elstar" in articles and "2,99 €/kg" in articles  # the Grundpreis
    assert "0,15 €" in articles  # the juice's deposit; the deposit itself is not offered
    assert "Pfand Flasche" not in page.text
    assert "fällt aus: Wagen in der Werkstatt" in page.text  # Friday's visit
    assert 'href="/orders"' not in page.text and 'href="/live"' not in page.text

    rows = [("1001", "2", "Frau Kühn"), ("4001", "1,5 kg", ""), ("204", "6", "Herr Ott")]
    sent = client.post(
        "/bestellungen", data=order_form(page.text, rows, note="Bitte klingeln"),
        follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    shown = client.get(sent.headers["location"])
    assert "Bestellung B-1 ist eingegangen." in shown.text
    assert "ca. 1,5 kg" in shown.text and "Bitte klingeln" in shown.text
    [order] = orders_of(url)
    assert [(ln.article, ln.quantity, ln.for_whom) for ln in order.lines] == [
        ("1001", 2, "Frau Kühn"),
        ("4001", 1500, "Frau Kühn"),  # no name: the line above's
        ("204", 6, "Herr Ott"),
    ]
    assert (order.channel, order.orderer, order.visit) == (
        Channel.HOME,
        "rehberg-empfang",
        TUESDAY,
    )

    edit = client.get("/bestellungen/B-1")
    assert 'value="1500 g"' in edit.text and 'id="visit"' not in edit.text
    rows = [("1001", "3", "Frau Kühn"), ("204", "6", "Herr Ott")]
    changed = client.post("/bestellungen/B-1", data=order_form(edit.text, rows))
    assert changed.status_code == 200 and "Bestellung B-1 ist geändert." in changed.text
    [order] = orders_of(url)
    assert [(ln.article, ln.quantity) for ln in order.lines] == [("1001", 3), ("204", 6)]

    cancel = client.post("/bestellungen/B-1/storno", data={"csrf": csrf_of(changed.text)})
    assert "Bestellung B-1 ist storniert." in cancel.text
    assert orders_of(url)[0].state is OrderState.CANCELLED
    assert 'id="change-B-1"' not in cancel.text and 'id="cancel-B-1"' not in cancel.text
    english = client.get("/lang/en?next=/bestellungen")
    assert "Order for Seniorenzentrum Am Rehberg" in english.text
    assert "cancelled: Wagen in der Werkstatt" in english.text and "Send order" in english.text


def test_another_stops_order_is_not_found_and_stays_as_it_was(hub):
    app, url, token, _clock = hub
    with open_store(url) as store:
        other = service.place_order(
            store, app.state.plan(), stop="gimte", day=TUESDAY,
            channel=Channel.HOME, orderer="gimte-heim", note="Geheimnis",
            lines=[WantedLine("1001", 1, "Herr Gimte")], now=NOW - timedelta(hours=6),
        )  # fmt: skip
    client = client_of(app, "rehberg-empfang")
    page = client.get("/bestellungen")
    token_of_page = csrf_of(page.text)
    for answer in (
        client.get(f"/bestellungen/{other.number}"),
        client.post(
            f"/bestellungen/{other.number}",
            data={"csrf": token_of_page, "article-1": "1001", "qty-1": "9", "for-1": "X"},
        ),
        client.post(f"/bestellungen/{other.number}/storno", data={"csrf": token_of_page}),
        client.get("/bestellungen/B-99"),
    ):
        assert answer.status_code == 404
        assert "Diese Bestellung gibt es hier nicht." in answer.text
        assert "Gimte" not in answer.text and "Geheimnis" not in answer.text
    assert "Herr Gimte" not in page.text
    [kept] = orders_of(url, "gimte")
    assert kept.state is OrderState.OPEN and kept.lines[0].quantity == 1
    # the rehberg board link sees neither the other stop's nor the home account's orders
    board = TestClient(app)
    assert board.get(f"/tafel/{token}/bestellen/{other.number}").status_code == 404


def test_the_board_link_orders_without_a_login_with_its_own_form_token(hub):
    app, url, token, _clock = hub
    with open_store(url) as store:  # the home's own order: not for the board link to see
        service.place_order(
            store, app.state.plan(), stop="rehberg", day=TUESDAY, channel=Channel.HOME,
            orderer="rehberg-empfang", note="", lines=[WantedLine("1001", 1, "Frau Heim")],
            now=NOW,
        )  # fmt: skip
    client = TestClient(app)
    assert f'href="/tafel/{token}/bestellen"' in client.get(f"/tafel/{token}").text
    page = client.get(f"/tafel/{token}/bestellen")
    assert page.status_code == 200 and "Seniorenzentrum Am Rehberg" in page.text
    assert "Frau Heim" not in page.text and "Umsatz" not in page.text
    assert page.headers["x-robots-tag"] == "noindex, nofollow"
    rows = [("204", "2", "Familie Lange")]
    form = order_form(page.text, rows)
    stranger = TestClient(app)  # the same form from elsewhere: no cookie of this page
    refused = stranger.post(f"/tafel/{token}/bestellen", data=form)
    assert refused.status_code == 403 and "neu laden" in refused.text
    forged = client.post(f"/tafel/{token}/bestellen", data={**form, "csrf": "geraten"})
    assert forged.status_code == 403
    sent = client.post(f"/tafel/{token}/bestellen", data=form)
    assert sent.status_code == 200 and "Familie Lange" in sent.text
    board_order = next(o for o in orders_of(url) if o.channel is Channel.BOARD)
    assert board_order.orderer == "Aushang"
    assert f'id="change-{board_order.number}"' in sent.text
    assert client.get(f"/tafel/x{token}/bestellen").status_code == 404
    assert client.get(f"/tafel/{token}/bestellen/B-1").status_code == 404  # the home's order
    gone = client.post(
        f"/tafel/{token}/bestellen/{board_order.number}/storno", data={"csrf": csrf_of(sent.text)}
    )
    assert "storniert" in gone.text
    assert next(o for o in orders_of(url) if o.channel is Channel.BOARD).state.name == "CANCELLED"


def test_refusals_are_said_in_words_and_the_form_is_kept(hub):
    app, url, _token, clock = hub
    client = client_of(app, "rehberg-empfang")
    page = client.get("/bestellungen").text

    def refusal(rows, status: int, **extra: str) -> str:
        answer = client.post("/bestellungen", data=order_form(page, rows, **extra))
        assert answer.status_code == status, answer.text
        return re.search(r'id="problem">([^<]*)<', answer.text).group(1)

    assert "nicht verstanden" in refusal([("1001", "zwei", "Frau Kühn")], 400)
    assert "gewogen" in refusal([("4001", "2", "Frau Kühn")], 400)
    assert "Für wen?" in refusal([("1001", "2", "")], 400)
    assert "Nr. 777" in refusal([("777", "1", "Frau Kühn")], 409)  # gone from the list
    friday = refusal([("1001", "1", "Frau Kühn")], 409, visit=FRIDAY.isoformat())
    assert friday == "Der Besuch am Fr 11.12. fällt aus: Wagen in der Werkstatt"
    kept = client.post(
        "/bestellungen",
        data=order_form(page, [("1001", "1", "Frau Kühn")], note="Notiz", visit="2026-12-11"),
    )
    assert 'value="Frau Kühn"' in kept.text and "Notiz</textarea>" in kept.text
    assert 'value="1001" selected' in kept.text
    assert (
        client.post(
            "/bestellungen", data=order_form(page, [("1001", "1", "Frau Kühn")])
        ).status_code
        == 200
    )
    clock.moment = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # 13:00: Tuesday's deadline passed
    late = refusal([("1001", "1", "Frau Kühn")], 409)
    assert late.startswith("Bestellschluss für den Besuch am Di 8.12. war Mo 7.12.")
    again = client.get("/bestellungen")
    assert "Bestellschluss war 07.12.2026, 12:45 Uhr" in again.text
    assert 'id="change-B-1"' not in again.text
    assert "lässt sich nicht mehr ändern" in client.get("/bestellungen/B-1").text
    changed = client.post(
        "/bestellungen/B-1", data=order_form(again.text, [("1001", "5", "Frau Kühn")])
    )
    assert changed.status_code == 409 and "Bestellschluss" in changed.text
    assert orders_of(url)[0].lines[0].quantity == 1


def test_the_operator_confirms_and_declines_with_a_reason_and_sets_deadlines(hub):
    app, url, _token, _clock = hub
    with open_store(url) as store:
        order = service.place_order(
            store, app.state.plan(), stop="rehberg", day=TUESDAY, channel=Channel.HOME,
            orderer="rehberg-empfang", note="Bitte klingeln",
            lines=[WantedLine("1001", 2, "Frau Kühn"), WantedLine("4001", 500, "Herr Ott")],
            now=NOW,
        )  # fmt: skip
    client = client_of(app, "olga")
    page = client.get("/orders?day=2026-12-08")
    assert page.status_code == 200
    section = page.text[page.text.index('id="visit-T01-rehberg"') :]
    assert "Seniorenzentrum Am Rehberg" in section and "12:45 Uhr" in section
    assert "Frau Kühn" in section and "Bitte klingeln" in section and "ca. 500 g" in section
    csrf = csrf_of(page.text)
    line = f"/orders/{order.number}/lines/2"
    unreasoned = client.post(line, data={"csrf": csrf, "decision": "decline", "day": "2026-12-08"})
    assert unreasoned.status_code == 409 and 'id="problem"' in unreasoned.text
    declined = client.post(
        line,
        data={"csrf": csrf, "decision": "decline", "reason": "ausverkauft", "day": "2026-12-08"},
    )
    assert declined.status_code == 200
    assert "Entscheidung gespeichert." in declined.text  # nothing confirmed: nothing to send
    assert "Wird gesendet" not in declined.text
    assert 'abgelehnt: <span class="reason">ausverkauft</span>' in declined.text
    everything = client.post(
        f"/orders/{order.number}/confirm-all", data={"csrf": csrf, "day": "2026-12-08"}
    )
    assert everything.status_code == 200
    assert "Wird gesendet, sobald der Broker erreichbar ist." in everything.text
    [decided] = orders_of(url)
    assert [ln.decision for ln in decided.lines] == [Decision.CONFIRMED, Decision.DECLINED]
    home = client_of(app, "rehberg-empfang").get("/bestellungen")
    assert "bestätigt" in home.text and "ausverkauft" in home.text

    saved = client.post(
        "/orders/deadline",
        data={"csrf": csrf, "stop": "rehberg", "hours": "2", "day": "2026-12-08"},
    )
    assert "Bestellschluss gespeichert." in saved.text and 'value="2"' in saved.text
    too_long = client.post(
        "/orders/deadline", data={"csrf": csrf, "stop": "rehberg", "hours": "999", "day": ""}
    )
    assert too_long.status_code == 409 and "336" in too_long.text
    with open_store(url) as store:
        assert service.deadline_hours(store, "rehberg") == 2
    assert client.get("/orders?day=morgen").status_code == 422


def test_names_and_notes_are_escaped_on_every_page(hub):
    app, url, token, _clock = hub
    board = TestClient(app)  # a browser on the board link: the board order is its own
    board.cookies.set(BROWSER_COOKIE, "k" * 43)
    key = access.token_hash("k" * 43)
    with open_store(url) as store:
        for channel, owner in ((Channel.HOME, None), (Channel.BOARD, key)):
            service.place_order(
                store, app.state.plan(), stop="rehberg", day=TUESDAY, channel=channel,
                orderer="x", note=EVIL, lines=[WantedLine("1001", 1, EVIL)], now=NOW,
                owner_key=owner,
            )  # fmt: skip
    pages = [
        client_of(app, "rehberg-empfang").get("/bestellungen").text,
        client_of(app, "rehberg-empfang").get("/bestellungen/B-1").text,
        board.get(f"/tafel/{token}/bestellen").text,
        client_of(app, "olga").get("/orders?day=2026-12-08").text,
    ]
    for text in pages:
        assert EVIL not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_a_collected_order_shows_the_receipts_figures_beside_the_ordered_ones(hub):
    app, url, _token, clock = hub
    at_the_home = datetime(2026, 12, 8, 11, 50, tzinfo=UTC)  # Tuesday, 12:50 in Germany
    lines = [
        ReceiptLine(LineKind.SALE, text, quantity, unit, price, VatRate.REDUCED,
                    line_amount(quantity, unit, price), "Lebensmittel", article_no=article)
        for article, text, quantity, unit, price in (
            ("1001", "Landbrot 1000 g", 2, Unit.PIECE, 430),  # the price of the day
            ("4001", "Äpfel Elstar", 534, Unit.KG, 299),  # the scale's weight: 1,60 €
        )
    ]  # fmt: skip
    with open_store(url) as store:
        placed = service.place_order(
            store, app.state.plan(), stop="rehberg", day=TUESDAY, channel=Channel.HOME,
            orderer="rehberg-empfang", note="",
            lines=[WantedLine("1001", 2, "Frau Kühn"), WantedLine("4001", 500, "Herr Ott")],
            now=NOW,
        )  # fmt: skip
        writer = JournalWriter("T01", start=at_the_home)
        bon = writer.next_number
        payments = paid(lines, "cash")
        writer.receipt(Receipt(BonType.RECEIPT, *payments, STAFF, stop="rehberg", order="B-1"))
        data = tuple(entry.data for entry in writer.entries)
        store.accept_batch(JournalBatch("T01", data, 1), received_at=at_the_home)
    clock.moment = at_the_home + timedelta(hours=1)
    for page in (
        client_of(app, "rehberg-empfang").get("/bestellungen").text,
        client_of(app, "olga").get("/orders?day=2026-12-08").text,
    ):
        card = page[page.index(f'id="order-{placed.number}"') :]
        card = card[: card.index("</article>")]
        assert 'data-state="collected"' in card and "abgeholt" in card
        assert f'<span class="receipt-no">{bon}</span>' in card
        assert '<span class="real-total">10,20 €</span>' in card
        received = card[card.index('class="figures received"') :]
        assert re.search(r"Äpfel Elstar</td><td[^>]*>ca\. 500 g</td><td[^>]*>534 g</td>", received)
        assert "1,60 €" in received and "8,60 €" in received
        assert 'id="cancel-B-1"' not in card and 'id="confirm-all-B-1"' not in card


def test_the_admin_gives_a_home_account_its_stop(hub):
    app, url, _token, _clock = hub
    add_user(url, "ada", "admin")
    client = client_of(app, "ada")
    page = client.get("/users")
    assert "<td>rehberg-empfang</td><td>Heim</td><td>Seniorenzentrum Am Rehberg</td>" in page.text
    form = {"csrf": csrf_of(page.text), "name": "lindenhof", "password": "ein-langes-passwort"}
    home = {**form, "role": "home"}
    for data, says in (
        (home, "braucht seinen Halt"),
        ({**home, "stop": "atlantis"}, "gibt es im Tourplan nicht"),
        ({**form, "role": ["home", "operator"], "stop": "hemeln"}, "nicht mit anderen Rollen"),
        ({**form, "role": "operator", "stop": "hemeln"}, "nur ein Zugang mit der Rolle Heim"),
    ):
        refused = client.post("/users", data=data)
        assert refused.status_code == 422 and says in refused.text, refused.text
    saved = client.post("/users", data={**home, "stop": "hemeln"})
    assert "Benutzer lindenhof angelegt." in saved.text
    with open_store(url) as store:
        assert store.users.get("lindenhof").stop == "hemeln"


def test_an_order_whose_visit_is_called_off_says_so_and_cancelling_asks_first(hub):
    app, url, _token, _clock = hub
    placed_before = parse_tour_plan(EXAMPLE_TOUR.read_text(encoding="utf-8"), "tour.toml")
    with open_store(url) as store:  # placed while Friday's visit still ran
        service.place_order(
            store, placed_before, stop="rehberg", day=FRIDAY, channel=Channel.HOME,
            orderer="rehberg-empfang", note="", lines=[WantedLine("1001", 1, "Frau Kühn")],
            now=NOW,
        )  # fmt: skip
        service.place_order(
            store, placed_before, stop="rehberg", day=TUESDAY, channel=Channel.HOME,
            orderer="rehberg-empfang", note="", lines=[WantedLine("1001", 2, "Herr Ott")],
            now=NOW,
        )  # fmt: skip
    page = client_of(app, "rehberg-empfang").get("/bestellungen").text
    start = page.index('id="order-B-1"')
    called_off = page[start : page.index("</article>", start)]
    assert "Dieser Besuch fällt aus (Wagen in der Werkstatt)" in called_off
    assert 'id="visit-off-B-2"' not in page  # Tuesday's visit runs
    # cancelling is two steps: the first only opens the question
    asked = page[page.index('id="cancel-B-2"') :]
    assert asked.index("</summary>") < asked.index('id="cancel-confirm-B-2"')
    assert "Ja, Bestellung B-2 ganz stornieren" in asked
