"""The rules of ordering ahead: what may be ordered for which visit, until when, by whom.

An order is for one planned visit of one stop (the tour plan's date), placed through the
stop's board link or a home's account. Its orderer sees, changes and cancels it until the
stop's deadline (hours before the planned arrival); the operator confirms or declines each
line. Every refusal is an :class:`OrderRefused` with a German sentence for the person who
tried. Price, text, unit and deposit are copied from the article list when a line is ordered.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.orders.catalogue import (
    current_articles,
    deposit_in,
    deposit_of,
    note_text,
    orderable_articles,
)
from hub.orders.collections import with_collections
from hub.orders.model import (
    DEFAULT_DEADLINE_HOURS,
    MAX_GRAMS,
    MAX_LINES,
    MAX_NAME,
    MAX_NOTE,
    MAX_PIECES,
    Channel,
    Decision,
    Order,
    OrderableVisit,
    OrderLine,
    OrderRefused,
    OrderState,
    WantedLine,
)
from hub.store import HubStore
from hub.typed_text import one_line
from tourkasse.article import Unit
from tourkasse.german import WEEKDAYS
from tourkasse.tour import TourPlan
from tourkasse.visits import PlannedVisit, stop_of, visits

__all__ = [
    "cancel_order",
    "change_order",
    "deadline_hours",
    "decide",
    "deposit_of",
    "find_order",
    "orderable_articles",
    "orderable_visits",
    "orders_of_day",
    "orders_of_stop",
    "place_order",
    "set_deadline_hours",
]

MAX_DEADLINE_HOURS = 336  # two weeks
MAX_REASON = 80


def day_text(day: date) -> str:
    """``Di 8.12.``"""
    return f"{WEEKDAYS[day.weekday()]} {day.day}.{day.month}."


# --- visits and deadlines -----------------------------------------------------------------


def deadline_hours(store: HubStore, stop: str) -> int:
    found = store.orders.deadline_hours(stop)
    return DEFAULT_DEADLINE_HOURS if found is None else found


def set_deadline_hours(store: HubStore, stop: str, hours: int, *, by: str, now: datetime) -> None:
    if not 0 <= hours <= MAX_DEADLINE_HOURS:
        raise OrderRefused(
            f"Bestellschluss: 0 bis {MAX_DEADLINE_HOURS} Stunden vor der Ankunft, nicht {hours}."
        )
    store.orders.set_deadline_hours(stop, hours, by, now)


def _orderable(visit: PlannedVisit, hours: int) -> OrderableVisit:
    return OrderableVisit(
        stop=visit.stop.id,
        day=visit.date,
        arrive=visit.arrive,
        truck=visit.truck,
        deadline=visit.arrive - timedelta(hours=hours),
        cancelled=visit.cancelled,
        reason=visit.reason,
    )


AHEAD_DAYS = 28  # orders are taken for the visits of the next four weeks


def orderable_visits(
    store: HubStore, plan: TourPlan, stop: str, now: datetime, *, days: int = AHEAD_DAYS
) -> list[OrderableVisit]:
    """The stop's planned visits from today on (cancelled ones too), with their deadlines."""
    today = now.astimezone(ZoneInfo(plan.timezone)).date()
    hours = deadline_hours(store, stop)
    return [_orderable(v, hours) for v in visits(plan, stop, today, days)]


def _visit(store: HubStore, plan: TourPlan | None, stop: str, day: date) -> OrderableVisit:
    """The stop's visit on ``day`` (the first, where two tours come); refused when there is
    none."""
    if plan is None or stop_of(plan, stop) is None:
        raise OrderRefused(f"Den Halt „{stop}“ gibt es im Tourplan nicht.")
    found = visits(plan, stop, day, 1)
    if not found:
        raise OrderRefused(f"Am {day_text(day)} kommt der Wagen nicht zu diesem Halt.")
    return _orderable(found[0], deadline_hours(store, stop))


def _check_open(visit: OrderableVisit, now: datetime, zone: ZoneInfo) -> None:
    if visit.cancelled:
        reason = f": {visit.reason}" if visit.reason else "."
        raise OrderRefused(f"Der Besuch am {day_text(visit.day)} fällt aus{reason}")
    if visit.day >= now.astimezone(zone).date() + timedelta(days=AHEAD_DAYS):
        raise OrderRefused(
            f"Für den Besuch am {day_text(visit.day)} ist es noch zu früh: Bestellungen gibt es "
            f"für die Besuche der nächsten {AHEAD_DAYS // 7} Wochen."
        )
    if now >= visit.deadline:
        local = visit.deadline.astimezone(zone)
        raise OrderRefused(
            f"Bestellschluss für den Besuch am {day_text(visit.day)} war "
            f"{day_text(local.date())} um {local:%H:%M} Uhr."
        )


# --- lines --------------------------------------------------------------------------------


def _checked_lines(
    store: HubStore, wanted: list[WantedLine], now: datetime, before: tuple[OrderLine, ...] = ()
) -> tuple[OrderLine, ...]:
    """The wanted lines as order lines: unchanged ones (same article, quantity and person as
    a line ordered before) keep that line's price and the operator's decision; the others
    get the list's price of today and wait for a decision."""
    if not wanted:
        raise OrderRefused("Bitte mindestens einen Artikel bestellen.")
    if len(wanted) > MAX_LINES:
        raise OrderRefused(f"Höchstens {MAX_LINES} Positionen je Bestellung.")
    articles = current_articles(store, now.astimezone(store.zone).date())
    known = {line.article: line.text for line in before}
    unused = list(before)
    lines = []
    for number, item in enumerate(wanted, start=1):
        article = articles.get(item.article)
        if article is None:
            if item.article in known:
                raise OrderRefused(
                    f"„{known[item.article]}“ (Nr. {item.article}) gibt es nicht mehr im Sortiment."
                )
            raise OrderRefused(f"Einen Artikel Nr. {one_line(item.article)[:20]} gibt es nicht.")
        if article.is_deposit:
            raise OrderRefused(f"„{article.name}“ wird nicht einzeln bestellt.")
        grams = article.unit is Unit.KG
        top = MAX_GRAMS if grams else MAX_PIECES
        if not 1 <= item.quantity <= top:
            what = f"1 bis {top:,} g".replace(",", ".") if grams else f"1 bis {top} Stück"
            raise OrderRefused(f"„{article.name}“: bitte {what} bestellen.")
        for_whom = one_line(item.for_whom)
        if not 1 <= len(for_whom) <= MAX_NAME:
            raise OrderRefused(
                f"„{article.name}“: bitte angeben, für wen (1 bis {MAX_NAME} Zeichen)."
            )
        same = next(
            (
                old
                for old in unused
                if (old.article, old.quantity, old.for_whom)
                == (item.article, item.quantity, for_whom)
            ),
            None,
        )
        if same is not None:
            unused.remove(same)
            lines.append(replace(same, line=number))
            continue
        lines.append(
            OrderLine(
                line=number,
                article=article.number,
                text=article.name,
                unit=article.unit,
                quantity=item.quantity,
                unit_price=article.price,
                deposit=deposit_in(articles, article),
                for_whom=for_whom,
            )
        )
    return tuple(lines)


def _checked_note(note: str) -> str:
    cleaned = note_text(note)
    if len(cleaned) > MAX_NOTE:
        raise OrderRefused(f"Die Anmerkung ist zu lang: höchstens {MAX_NOTE} Zeichen.")
    return cleaned


# --- placing, changing, cancelling ----------------------------------------------------------


def place_order(
    store: HubStore,
    plan: TourPlan | None,
    *,
    stop: str,
    day: date,
    channel: Channel,
    orderer: str,
    note: str,
    lines: list[WantedLine],
    now: datetime,
    owner_key: str | None = None,
) -> Order:
    """A new order. ``owner_key``: for an order placed through a board link, the SHA-256 of
    the placing browser's key; only :func:`find_order` and :func:`orders_of_stop` given that
    key find it for the board link (a home's account and the operator see it anyway)."""
    visit = _visit(store, plan, stop, day)
    _check_open(visit, now, store.zone)
    who = one_line(orderer)[:MAX_NAME]
    if not who:
        raise OrderRefused("Bitte angeben, wer bestellt.")
    order = Order(
        number="",
        stop=stop,
        visit=day,
        truck=visit.truck,
        channel=channel,
        orderer=who,
        note=_checked_note(note),
        lines=_checked_lines(store, lines, now),
        state=OrderState.OPEN,
        placed_at=now,
        changed_at=now,
    )
    return store.orders.add(order, by=who, owner_key=owner_key)


def _own_open(store: HubStore, number: str, stop: str) -> Order:
    order = find_order(store, number, stop=stop)
    if order is None:
        raise OrderRefused(f"Eine Bestellung {one_line(number)[:20]} gibt es hier nicht.")
    if order.state is not OrderState.OPEN:
        raise OrderRefused(
            f"Die Bestellung {order.number} ist {order.state.value} und lässt sich nicht mehr "
            "ändern."
        )
    return order


def change_order(
    store: HubStore,
    plan: TourPlan | None,
    number: str,
    *,
    stop: str,
    note: str,
    lines: list[WantedLine],
    now: datetime,
) -> Order:
    order = _own_open(store, number, stop)
    _check_open(_visit(store, plan, order.stop, order.visit), now, store.zone)
    changed = replace(
        order,
        note=_checked_note(note),
        lines=_checked_lines(store, lines, now, order.lines),
        changed_at=now,
        collection=None,
    )
    if (changed.note, changed.lines) == (order.note, order.lines):
        return order
    _store(store, changed, by=order.orderer, what="geändert", at=now, before=order)
    return changed


def cancel_order(
    store: HubStore, plan: TourPlan | None, number: str, *, stop: str, now: datetime
) -> Order:
    """Cancel until the deadline; an order whose visit was called off or left the plan may
    be cancelled at any time."""
    order = _own_open(store, number, stop)
    try:
        visit = _visit(store, plan, order.stop, order.visit)
    except OrderRefused:
        visit = None
    if visit is not None and not visit.cancelled:
        _check_open(visit, now, store.zone)
    cancelled = replace(order, state=OrderState.CANCELLED, changed_at=now, collection=None)
    _store(store, cancelled, by=order.orderer, what="storniert", at=now, before=order)
    return cancelled


# --- the operator ---------------------------------------------------------------------------


def decide(
    store: HubStore,
    number: str,
    line: int,
    decision: Decision,
    reason: str,
    *,
    by: str,
    now: datetime,
) -> Order:
    """The operator's word on one line; declining needs a reason (1 to 80 characters)."""
    order = find_order(store, number)
    if order is None:
        raise OrderRefused(f"Eine Bestellung {one_line(number)[:20]} gibt es nicht.")
    if order.state is not OrderState.OPEN:
        raise OrderRefused(f"Die Bestellung {order.number} ist {order.state.value}.")
    target = next((item for item in order.lines if item.line == line), None)
    if target is None:
        raise OrderRefused(f"Position {line} gibt es in der Bestellung {order.number} nicht.")
    why = one_line(reason)
    if len(why) > MAX_REASON:
        raise OrderRefused(f"Der Grund ist zu lang: höchstens {MAX_REASON} Zeichen.")
    if decision is Decision.DECLINED and not why:
        raise OrderRefused("Bitte einen Grund für die Ablehnung angeben.")
    lines = tuple(
        replace(item, decision=decision, reason=why) if item.line == line else item
        for item in order.lines
    )
    decided = replace(order, lines=lines)
    what = f"Position {line} {decision.value}" + (f": {why}" if why else "")
    _store(store, decided, by=by, what=what, at=now, before=order)
    return decided


def _store(
    store: HubStore, order: Order, *, by: str, what: str, at: datetime, before: Order
) -> None:
    if not store.orders.replace(order, by=by, what=what, at=at, before=before):
        raise OrderRefused(
            f"Die Bestellung {order.number} wurde eben geändert – bitte neu laden und noch "
            "einmal versuchen."
        )


# --- reading ----------------------------------------------------------------------------------


def find_order(
    store: HubStore, number: str, *, stop: str | None = None, owner_key: str | None = None
) -> Order | None:
    """The order with this number; None when there is none, or (``stop`` given) when it
    belongs to another stop, or (``owner_key`` given) when it was not placed with that key."""
    order = store.orders.get(number, owner_key=owner_key)
    if order is None or (stop is not None and order.stop != stop):
        return None
    return with_collections(store, [order])[0]


def orders_of_stop(
    store: HubStore, stop: str, *, since: date, owner_key: str | None = None
) -> list[Order]:
    """The stop's orders for visits from ``since`` on; with ``owner_key``, only those placed
    with that key (a browser's own board orders)."""
    return with_collections(store, store.orders.of_stop(stop, since, owner_key=owner_key))


def orders_of_day(store: HubStore, day: date) -> list[Order]:
    """All stops' orders for visits on ``day``, for the operator."""
    return with_collections(store, store.orders.of_day(day))
