"""Must show: an order is taken only for a planned visit that still happens, before the stop's
deadline, with articles of the current list in sensible quantities; every refusal says why in
German; another stop's order is invisible; a change keeps the operator's decisions of the
lines it leaves alone; the operator declines only with a reason. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hub.config import HubConfig, HubToursSettings, StoreSettings
from hub.orders import service
from hub.orders.model import Decision, OrderRefused, OrderState, WantedLine
from hub.planning.loading import loading_list
from hub.web.app import create_app
from tests.hub.orders_helpers import EXAMPLE, NOW, TUESDAY, example_plan, order, stocked
from tests.support.web import add_user, log_in


@pytest.fixture
def store(hub_url):
    yield from stocked(hub_url)


def refusal(call) -> str:
    with pytest.raises(OrderRefused) as caught:
        call()
    return str(caught.value)


def test_an_order_copies_price_text_and_deposit_and_is_numbered(store):
    first = order(store)
    second = order(store, lines=[WantedLine("204", 6, "Wohnbereich 2\u202e")])
    assert (first.number, second.number) == ("B-1", "B-2")
    assert first.truck == "T01" and first.state is OrderState.OPEN
    bread, apples = first.lines
    assert (bread.text, bread.unit_price, bread.quantity, bread.deposit) == (
        "Landbrot 1000 g",
        420,
        2,
        0,
    )
    assert (apples.unit.value, apples.quantity, apples.approx_total) == ("kg", 500, 150)
    juice = second.lines[0]
    assert (juice.deposit, juice.for_whom, juice.approx_total) == (15, "Wohnbereich 2", 6 * 204)
    assert service.find_order(store, "B-2") == second
    assert [o.number for o in service.orders_of_stop(store, "rehberg", since=TUESDAY)] == [
        "B-1",
        "B-2",
    ]
    assert [o.number for o in service.orders_of_day(store, TUESDAY)] == ["B-1", "B-2"]


def test_refusals_say_why_in_german(store):
    plan = example_plan(
        '\n[[exception]]\ndate = "2026-12-11"\ntour = "werra-weser"\ncancelled = true\n'
        'note = "Wagen in der Werkstatt"\n'
    )
    assert (
        refusal(lambda: order(store, plan, day=date(2026, 12, 11)))
        == "Der Besuch am Fr 11.12. fällt aus: Wagen in der Werkstatt"
    )
    assert refusal(lambda: order(store, plan, day=date(2026, 12, 9))) == (
        "Am Mi 9.12. kommt der Wagen nicht zu diesem Halt."
    )
    late = NOW + timedelta(hours=3)  # Monday 13:00, the deadline was 12:45
    assert refusal(lambda: order(store, plan, now=late)) == (
        "Bestellschluss für den Besuch am Di 8.12. war Mo 7.12. um 12:45 Uhr."
    )
    assert (
        refusal(lambda: order(store, plan, lines=[])) == "Bitte mindestens einen Artikel bestellen."
    )
    assert "Nr. 777" in refusal(lambda: order(store, plan, lines=[WantedLine("777", 1, "A")]))
    assert "nicht einzeln" in refusal(
        lambda: order(store, plan, lines=[WantedLine("9001", 1, "A")])
    )
    assert refusal(lambda: order(store, plan, lines=[WantedLine("1001", 100, "A")])) == (
        "„Landbrot 1000 g“: bitte 1 bis 99 Stück bestellen."
    )
    assert refusal(lambda: order(store, plan, lines=[WantedLine("4001", 20001, "A")])) == (
        "„Äpfel Elstar“: bitte 1 bis 20.000 g bestellen."
    )
    assert "für wen" in refusal(lambda: order(store, plan, lines=[WantedLine("1001", 1, " \x00")]))
    assert "für wen" in refusal(lambda: order(store, plan, lines=[WantedLine("1001", 1, "x" * 81)]))
    assert "500 Zeichen" in refusal(lambda: order(store, plan, note="x" * 501))
    assert "Tourplan" in refusal(lambda: order(store, plan, stop="atlantis"))
    # a hand-made form for a visit beyond the four weeks the page offers
    assert refusal(lambda: order(store, plan, day=date(2027, 1, 5))) == (
        "Für den Besuch am Di 5.1. ist es noch zu früh: Bestellungen gibt es für die Besuche "
        "der nächsten 4 Wochen."
    )
    assert order(store, plan, day=date(2026, 12, 18)).visit == date(2026, 12, 18)  # within
    service.cancel_order(store, plan, "B-1", stop="rehberg", now=NOW)
    assert [o.state for o in service.orders_of_stop(store, "rehberg", since=NOW.date())] == [
        OrderState.CANCELLED
    ]  # nothing refused was kept
    assert service.orders_of_day(store, TUESDAY) == []


def test_the_deadline_is_per_stop(store):
    plan = example_plan()
    assert service.deadline_hours(store, "rehberg") == 24
    service.set_deadline_hours(store, "rehberg", 2, by="olga", now=NOW)
    assert service.deadline_hours(store, "rehberg") == 2
    assert service.deadline_hours(store, "gimte") == 24
    late = NOW + timedelta(hours=20)  # Tuesday 6:00: past 24 hours, within 2
    assert order(store, plan, now=late).number == "B-1"
    assert "Bestellschluss" in refusal(lambda: order(store, plan, stop="gimte", now=late))
    visits = service.orderable_visits(store, plan, "rehberg", NOW, days=7)
    assert [(v.day, v.deadline) for v in visits] == [
        (TUESDAY, datetime(2026, 12, 8, 9, 45, tzinfo=UTC)),
        (date(2026, 12, 11), datetime(2026, 12, 11, 9, 45, tzinfo=UTC)),
    ]
    assert "336" in refusal(lambda: service.set_deadline_hours(store, "x", 337, by="o", now=NOW))


def test_another_stops_order_is_invisible_and_unchangeable(store):
    placed = order(store)
    assert service.find_order(store, placed.number, stop="gimte") is None
    assert service.find_order(store, placed.number, stop="rehberg") is not None
    plan = example_plan()
    for call in (
        lambda: service.cancel_order(store, plan, placed.number, stop="gimte", now=NOW),
        lambda: service.change_order(
            store, plan, placed.number, stop="gimte", note="", lines=[], now=NOW
        ),
    ):
        assert refusal(call) == "Eine Bestellung B-1 gibt es hier nicht."
    assert service.orders_of_stop(store, "gimte", since=TUESDAY) == []


def test_a_change_keeps_decisions_of_unchanged_lines_and_a_cancel_ends_it(store):
    plan = example_plan()
    placed = order(store)
    service.decide(store, placed.number, 1, Decision.CONFIRMED, "", by="olga", now=NOW)
    decided = service.decide(
        store, placed.number, 2, Decision.DECLINED, "Äpfel aus", by="olga", now=NOW
    )
    assert [(line.decision, line.reason) for line in decided.lines] == [
        (Decision.CONFIRMED, ""),
        (Decision.DECLINED, "Äpfel aus"),
    ]
    assert "Grund" in refusal(
        lambda: service.decide(store, placed.number, 1, Decision.DECLINED, " ", by="o", now=NOW)
    )
    assert "Position 9" in refusal(
        lambda: service.decide(store, placed.number, 9, Decision.CONFIRMED, "", by="o", now=NOW)
    )
    later = NOW + timedelta(minutes=5)
    changed = service.change_order(
        store,
        plan,
        placed.number,
        stop="rehberg",
        note="Bitte an den Empfang",
        lines=[WantedLine("1001", 2, "Frau Kühn"), WantedLine("4001", 750, "Herr Ott")],
        now=later,
    )
    assert [line.decision for line in changed.lines] == [Decision.CONFIRMED, Decision.OPEN]
    assert service.find_order(store, placed.number) == changed
    assert changed.note == "Bitte an den Empfang" and changed.changed_at == later
    cancelled = service.cancel_order(store, plan, placed.number, stop="rehberg", now=later)
    assert cancelled.state is OrderState.CANCELLED
    assert "storniert" in refusal(
        lambda: service.change_order(
            store, plan, placed.number, stop="rehberg", note="", lines=[], now=later
        )
    )
    assert [entry.what for entry in store.orders.log(placed.number)] == [
        "bestellt",
        "Position 1 bestätigt",
        "Position 2 abgelehnt: Äpfel aus",
        "geändert",
        "storniert",
    ]


def test_an_article_gone_from_the_list_is_named(store):
    placed = order(store)
    with store.db.transaction():
        store.db.run("DELETE FROM catalogue_articles WHERE number = ?", ["4001"])
    assert (
        refusal(
            lambda: service.change_order(
                store,
                example_plan(),
                placed.number,
                stop="rehberg",
                note="",
                lines=[WantedLine("1001", 2, "Frau Kühn"), WantedLine("4001", 500, "Herr Ott")],
                now=NOW + timedelta(minutes=1),
            )
        )
        == "„Äpfel Elstar“ (Nr. 4001) gibt es nicht mehr im Sortiment."
    )
    assert [a.number for a in service.orderable_articles(store)] == ["204", "1001"]


def test_confirmed_lines_are_loaded_per_stop_and_in_the_trucks_totals(store, hub_url):
    plan = example_plan()
    first = order(store, plan)
    second = order(
        store, plan, lines=[WantedLine("204", 6, "Herr Ott"), WantedLine("1001", 1, "B")]
    )
    dropped = order(store, plan, lines=[WantedLine("1001", 5, "Frau Kühn")])
    for number, line, decision in (
        (first.number, 1, Decision.CONFIRMED),
        (first.number, 2, Decision.DECLINED),
        (second.number, 1, Decision.CONFIRMED),
        (second.number, 2, Decision.CONFIRMED),
        (dropped.number, 1, Decision.CONFIRMED),
    ):
        service.decide(store, number, line, decision, "aus", by="olga", now=NOW)
    service.cancel_order(store, plan, dropped.number, stop="rehberg", now=NOW)
    listing = loading_list(store, plan, TUESDAY, 4, ZoneInfo("Europe/Berlin"))
    [truck] = listing.trucks
    [rehberg] = [stop for stop in truck.stops if stop.stop == "rehberg"]
    assert rehberg.orders == ("B-1", "B-2")
    assert [(q.text, q.quantity) for q in rehberg.ordered] == [
        ("Apfelsaft 1 l", 6),
        ("Landbrot 1000 g", 3),
    ]
    assert {q.text: q.quantity for q in truck.total} == {"Apfelsaft 1 l": 6, "Landbrot 1000 g": 3}

    add_user(hub_url, "olga", "operator")
    app = create_app(
        HubConfig(store=StoreSettings(url=hub_url), tours=HubToursSettings(file=EXAMPLE)),
        live_events=False,
    )
    client = TestClient(app)
    log_in(client, "olga")
    page = client.get("/loading", params={"day": TUESDAY.isoformat(), "weeks": 4})
    assert page.status_code == 200
    assert "bestellt (B-1, B-2)" in page.text and "Apfelsaft 1 l" in page.text


def test_a_change_made_meanwhile_is_not_overwritten(store):
    placed = order(store)
    decided = service.decide(store, placed.number, 1, Decision.CONFIRMED, "", by="olga", now=NOW)
    stale_change = dataclasses.replace(placed, note="von vorhin")  # read before the decision
    assert not store.orders.replace(stale_change, by="x", what="geändert", at=NOW, before=placed)
    assert service.find_order(store, placed.number) == decided
