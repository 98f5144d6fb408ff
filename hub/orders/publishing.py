"""Sending each truck the orders it is to hand over: versioned, retained on its own topic.

A truck's list holds the open orders of its visits from today on (the tour plan says which
truck makes a visit, swaps included), each with its confirmed lines only; an order without a
confirmed line, or one the truck's journal says was collected or not, is not on it. The hub
keeps what it sent each truck last; a list that changed is published as the next version
(retained, QoS 1), so a truck that is offline finds it when it connects. A list that became
empty is published too: the truck then drops what it holds (a cancelled order, a visit called
off). ``keep_publishing`` does this every few seconds in the web process, so a decision
reaches the trucks without anyone pressing a button, and a broker that was down is tried
again.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.config import HubConfig
from hub.downloads import PublishError, publish_to_trucks
from hub.orders.collections import with_collections
from hub.orders.model import Decision, Order, OrderState
from hub.store import HubStore, StoreError
from tourkasse.orders import OrderedLine, VisitOrder, orders_text
from tourkasse.protocol import truck_topic
from tourkasse.tour import TourPlan
from tourkasse.visits import visits

EVERY_S = 10.0
CHANNEL = "orders"


def truck_orders(
    store: HubStore, plan: TourPlan | None, truck: str, today: date
) -> tuple[VisitOrder, ...]:
    """The orders ``truck`` is to hand over on its visits from ``today`` on."""
    return tuple(all_truck_orders(store, plan, today).get(truck, ()))


def all_truck_orders(
    store: HubStore, plan: TourPlan | None, today: date
) -> dict[str, list[VisitOrder]]:
    """Every truck's orders to hand over from ``today`` on, by truck."""
    found: dict[str, list[tuple[datetime | None, VisitOrder]]] = {}
    for order in with_collections(store, store.orders.open_from(today)):
        if order.state is not OrderState.OPEN:
            continue
        confirmed = [line for line in order.lines if line.decision is Decision.CONFIRMED]
        if not confirmed:
            continue
        visit = _visit(plan, order)
        if visit is None:
            continue  # called off, or no longer in the plan: no truck comes
        truck, arrive = visit
        found.setdefault(truck, []).append((arrive, _visit_order(order, confirmed)))
    return {
        truck: [
            item
            for _, item in sorted(
                listed, key=lambda pair: (pair[1].visit, pair[0] or datetime.min, pair[1].number)
            )
        ]
        for truck, listed in found.items()
    }


def _visit(plan: TourPlan | None, order: Order) -> tuple[str, datetime | None] | None:
    """The truck that makes the order's visit (and when it arrives) by the plan; the truck
    noted at ordering when the hub has no plan."""
    if plan is None:
        return order.truck, None
    for visit in visits(plan, order.stop, order.visit, 1):
        if not visit.cancelled:
            return visit.truck, visit.arrive
    return None


def _visit_order(order: Order, confirmed: list[Any]) -> VisitOrder:
    return VisitOrder(
        number=order.number,
        stop=order.stop,
        visit=order.visit,
        orderer=order.orderer,
        note=order.note,
        lines=tuple(
            OrderedLine(
                line=line.line,
                article=line.article,
                text=line.text,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                for_whom=line.for_whom,
            )
            for line in confirmed
        ),
    )


# one publication at a time in a process: the web publishes after a decision (in its thread
# pool) and every 10 s; two at once would both take the broker's version N + 1, and a truck that
# has N + 1 ignores the second, newer list
_ONE_AT_A_TIME = threading.Lock()


def publish_pending(
    config: HubConfig, store: HubStore, plan: TourPlan | None, now: datetime
) -> list[str]:
    """Publish every truck's list that changed since it was last published; returns German
    lines saying what was published. PublishError when the broker cannot be reached."""
    with _ONE_AT_A_TIME:
        return _publish_pending(config, store, plan, now)


def _publish_pending(
    config: HubConfig, store: HubStore, plan: TourPlan | None, now: datetime
) -> list[str]:
    today = now.astimezone(ZoneInfo(config.timezone)).date()
    lists = all_truck_orders(store, plan, today)
    sent = store.orders.publications()
    said: list[str] = []
    changed: dict[str, str] = {}
    for truck in sorted(lists.keys() | sent.keys()):
        text = orders_text(lists.get(truck, ()))
        before = sent.get(truck)
        if (before.text if before else orders_text(())) == text:
            continue  # unchanged, or nothing ever sent and nothing to send
        try:
            truck_topic(truck, CHANNEL)
        except ValueError:
            said.append(f"Bestellungen für Wagen {truck!r} nicht gesendet: ungültige Wagennummer")
            continue
        changed[truck] = text
    if not changed:
        return said

    def record(truck: str, download: Any) -> None:
        store.orders.published(truck, download.version, download.content, now)
        count = len(lists.get(truck, ()))
        said.append(
            f"Bestellungen für Wagen {truck}: Version {download.version} veröffentlicht "
            f"({count} Bestellung{'' if count == 1 else 'en'})"
        )

    publish_to_trucks(
        config.mqtt,
        CHANNEL,
        changed,
        at_least={truck: sent[truck].version for truck in changed if truck in sent},
        on_published=record,
        clock=lambda: now,
    )
    return said


def publish_once(
    config: HubConfig, stores: Callable[[], Any], plan: Callable[[], TourPlan | None], now: datetime
) -> list[str]:
    """One round of :func:`publish_pending`; what went wrong is said, not raised."""
    try:
        with stores() as store:
            return publish_pending(config, store, plan(), now)
    except PublishError as exc:
        return [f"Bestellungen nicht gesendet: {exc}"]
    except StoreError as exc:
        return [f"Bestellungen nicht gesendet, Speicher nicht nutzbar: {exc}"]


async def keep_publishing(
    config: HubConfig, stores: Callable[[], Any], plan: Callable[[], TourPlan | None] | TourPlan
) -> None:
    """Publish changed order lists every :data:`EVERY_S` seconds, for as long as it runs.
    ``stores`` opens a store (a context manager); ``plan`` is the plan, or what gives the plan
    the hub goes by now (the web's ``app.state.plan``)."""
    current: Callable[[], TourPlan | None] = plan if callable(plan) else (lambda: plan)
    last_error = ""
    while True:
        said = await asyncio.to_thread(publish_once, config, stores, current, datetime.now(UTC))
        for line in said:
            if line.startswith("Bestellungen nicht gesendet"):
                if line == last_error:
                    continue  # a broker that stays down is said once, not every ten seconds
                last_error = line
            else:
                last_error = ""
            print(line, flush=True)
        await asyncio.sleep(EVERY_S)
