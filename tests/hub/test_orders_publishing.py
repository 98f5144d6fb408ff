"""Must show: each truck gets, on its own retained topic, exactly the confirmed lines of the open
orders of its visits, read back from a real Mosquitto as a truck reads it (``decode`` and
``parse_orders``); every change is the next version, an unchanged list is not sent again, a
list that became empty is sent (the truck drops what it held), a truck swap in the plan moves
the orders, and a broker that is down is said in German."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hub.broker import LocalBroker, free_port
from hub.config import HubConfig, MqttSettings
from hub.downloads import PublishError
from hub.orders import publishing, service
from hub.orders.model import MAX_NAME, MAX_NOTE, Decision, WantedLine
from tests.hub.orders_helpers import NOW, TUESDAY, example_plan, order, stocked
from tests.support.retained import retained_download
from tourkasse.article import Unit
from tourkasse.orders import OrderedLine, VisitOrder, orders_text, parse_orders
from tourkasse.protocol import truck_topic

FRIDAY = TUESDAY + timedelta(days=3)


def held(port: int, truck: str) -> tuple[int, list[tuple[str, list[tuple[str, int]]]]]:
    """Version and (order, [(article, quantity)]) of what the truck would find."""
    download = retained_download(port, truck_topic(truck, "orders"))
    assert download is not None
    orders = parse_orders(download.content)
    return download.version, [
        (o.number, [(line.article, line.quantity) for line in o.lines]) for o in orders
    ]


@pytest.fixture
def store(hub_url):
    yield from stocked(hub_url)


@pytest.fixture
def broker(tmp_path):
    with LocalBroker(tmp_path / "broker") as running:
        yield running


def test_confirmed_lines_reach_the_truck_versioned_and_only_when_changed(store, broker):
    config = HubConfig(mqtt=MqttSettings(host="127.0.0.1", port=broker.port, client_id="o"))
    plan = example_plan()
    first = order(store, plan, note="Bitte klingeln " + "x" * 400)
    second = order(store, plan, day=FRIDAY, lines=[WantedLine("204", 6, "Herr Ott")])
    assert publishing.publish_pending(config, store, plan, NOW) == []  # nothing confirmed
    assert retained_download(broker.port, truck_topic("T01", "orders")) is None
    service.decide(store, first.number, 1, Decision.CONFIRMED, "", by="olga", now=NOW)
    service.decide(store, first.number, 2, Decision.DECLINED, "aus", by="olga", now=NOW)
    [sent] = publishing.truck_orders(store, plan, "T01", NOW.date())
    assert [line.article for line in sent.lines] == ["1001"]
    assert sent.note == "Bitte klingeln " + "x" * 400  # a long note arrives whole
    assert publishing.publish_pending(config, store, plan, NOW) == [
        "Bestellungen für Wagen T01: Version 1 veröffentlicht (1 Bestellung)"
    ]
    assert held(broker.port, "T01") == (1, [("B-1", [("1001", 2)])])
    assert publishing.publish_pending(config, store, plan, NOW) == []  # unchanged: not again

    service.decide(store, second.number, 1, Decision.CONFIRMED, "", by="olga", now=NOW)
    assert publishing.publish_pending(config, store, plan, NOW) == [
        "Bestellungen für Wagen T01: Version 2 veröffentlicht (2 Bestellungen)"
    ]
    assert held(broker.port, "T01") == (2, [("B-1", [("1001", 2)]), ("B-2", [("204", 6)])])

    # the office gives Tuesday's tour to T02: the order goes with the visit
    swapped = example_plan(
        '\n[[assignment]]\ndate = "2026-12-08"\ntour = "werra-weser"\ntruck = "T02"\n'
    )
    said = publishing.publish_pending(config, store, swapped, NOW)
    assert sorted(said) == [
        "Bestellungen für Wagen T01: Version 3 veröffentlicht (1 Bestellung)",
        "Bestellungen für Wagen T02: Version 1 veröffentlicht (1 Bestellung)",
    ]
    assert held(broker.port, "T02") == (1, [("B-1", [("1001", 2)])])

    for number in (first.number, second.number):
        service.cancel_order(store, swapped, number, stop="rehberg", now=NOW)
    publishing.publish_pending(config, store, swapped, NOW)
    assert held(broker.port, "T01") == (4, [])  # emptied: the truck drops the cancelled
    assert held(broker.port, "T02") == (2, [])
    assert {t: p.version for t, p in store.orders.publications().items()} == {"T01": 4, "T02": 2}


def test_a_broker_that_is_down_is_said_and_nothing_is_recorded(store):
    config = HubConfig(mqtt=MqttSettings(host="127.0.0.1", port=free_port(), client_id="o"))
    plan = example_plan()
    placed = order(store, plan)
    service.decide(store, placed.number, 1, Decision.CONFIRMED, "", by="olga", now=NOW)
    with pytest.raises(PublishError, match="nicht erreichbar"):
        publishing.publish_pending(config, store, plan, NOW)
    assert store.orders.publications() == {}
    said = publishing.publish_once(config, _opened(store), lambda: plan, NOW)
    assert said[0].startswith("Bestellungen nicht gesendet: MQTT-Broker")


class _opened:
    """``stores()`` for publish_once, handing out the test's open store."""

    def __init__(self, store) -> None:
        self.store = store

    def __call__(self):
        return self

    def __enter__(self):
        return self.store

    def __exit__(self, *exc) -> None:
        return None


def test_the_longest_note_the_hub_takes_reaches_the_truck():
    line = OrderedLine(1, "1001", "Brötchen", Unit.PIECE, 4, 45, "F" * MAX_NAME)
    order = VisitOrder("B-1", "heim", date(2026, 12, 8), "heim", "n" * MAX_NOTE, (line,))
    assert parse_orders(orders_text([order])) == (order,)
