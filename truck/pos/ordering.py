"""Orders at the till, behind the screen: which to show, opening one as the basket, and
"nicht abgeholt". Free of Textual, like the session it works on.

An opened order's basket is built once, from the order as it was when staff opened it: a
newer order list arriving meanwhile does not change a receipt being rung up (the same rule as
for prices). Pieces go in at once at today's price; goods by weight are weighed on the scale
one by one by the screen (``weigh``), each showing the weight ordered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from tourkasse.config import ConfigError
from tourkasse.orders import VisitOrder
from tourkasse.receipt import ReceiptLine
from tourkasse.receipt_text import LOCAL
from tourkasse.tour import TourPlan
from truck.core.order_basket import LeftOut, OrderBasket, OrderPlan, plan_order
from truck.pos.session import SessionError, TillSession
from truck.pos.texts import t
from truck.store import downloads
from truck.store import orders as order_store
from truck.store.orders import OrderRefused, StopOrders, TruckOrder
from truck.till.counter import CounterError


@dataclass
class Opening:
    """An order opened as the basket: what went in, what is still to weigh, what was left out."""

    order: VisitOrder
    plan: OrderPlan
    added: list[ReceiptLine] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


def today(session: TillSession) -> date:
    """The local date at the truck (the tour plan's time zone, else Germany's)."""
    found = plan(session)
    zone = ZoneInfo(found.timezone) if found is not None else LOCAL
    return session.clock().astimezone(zone).date()


def plan(session: TillSession) -> TourPlan | None:
    """The tour plan in use (None without one, or when its file is broken)."""
    try:
        return downloads.tour_plan(session.opened.db, session.opened.config.tour.file)
    except ConfigError:
        return None


def picking_list(session: TillSession, day: date) -> list[StopOrders]:
    """The day's orders per stop, the stops in the order the tour reaches them."""
    stops = order_store.stops_in_tour_order(plan(session), day, session.opened.config.truck.id)
    return order_store.group_by_stop(order_store.orders_of_day(session.opened.db, day), stops)


def here(session: TillSession) -> tuple[str, str] | None:
    """(id, name) of the stop the truck is at; None on the road or without tours."""
    where = session.whereabouts()
    if where is None or where.stop_id is None:
        return None
    return where.stop_id, where.name


def orders_here(session: TillSession) -> list[TruckOrder]:
    found = here(session)
    if found is None:
        return []
    return order_store.orders_for_stop(session.opened.db, found[0], today(session))


def open_here(session: TillSession) -> int:
    """How many orders are still open at this stop today (for the header)."""
    return sum(1 for item in orders_here(session) if item.is_open)


def in_till(session: TillSession) -> set[str]:
    """Orders open in the till now: the receipt being rung up and the parked ones."""
    counters = [session.counter, *(parked.counter for parked in session.parked)]
    return {
        counter.basket.order
        for counter in counters
        if counter is not None and isinstance(counter.basket, OrderBasket)
    }


def open_order(session: TillSession, number: str) -> Opening:
    """Open order ``number`` as the basket and put its pieces in; the screen weighs the rest."""
    counter = session.current()
    if session.training:
        raise SessionError(t("order.not_in_training"))
    if number in in_till(session):
        raise SessionError(t("order.already_in_till", number=number))
    if not counter.basket.is_empty() or counter.opened is not None:
        raise SessionError(t("session.open_receipt"))
    try:
        order = order_store.openable(session.opened.db, number)
    except OrderRefused as exc:
        raise SessionError(str(exc)) from exc
    plan = plan_order(order, session.article)
    counter.basket = OrderBasket(
        order.number,
        training=session.training,
        till_may_compute_weight_prices=counter.till_may_compute,
    )
    opening = Opening(order, plan, left_out=list(plan.left_out))
    for line, article in plan.pieces:
        try:
            opening.added.append(counter.enter(article.number, line.quantity))
        except CounterError as exc:  # e.g. its deposit article is gone from the list
            opening.left_out.append(LeftOut(line, f"{line.text}: {exc}"))
    return opening


def give_up_if_empty(session: TillSession) -> bool:
    """Nothing of the order went in: back to an ordinary empty receipt (True if so)."""
    counter = session.current()
    if isinstance(counter.basket, OrderBasket) and counter.basket.is_empty():
        counter.abort()  # a fresh plain basket (a started TSE transaction ends as aborted)
        return True
    return False


def order_of_basket(session: TillSession) -> str | None:
    counter = session.counter
    if counter is not None and isinstance(counter.basket, OrderBasket):
        return counter.basket.order
    return None


def not_collected(session: TillSession, number: str) -> None:
    """Journal "nicht abgeholt" for order ``number`` (the same journal the till writes)."""
    if session.training:
        raise SessionError(t("order.not_in_training"))
    if number in in_till(session):
        raise SessionError(t("order.already_in_till", number=number))
    try:
        order_store.mark_not_collected(
            session.opened.db,
            truck=session.opened.config.truck.id,
            number=number,
            clock=session.clock,
        )
    except OrderRefused as exc:
        raise SessionError(str(exc)) from exc
