"""The loading list: what the trucks must carry on a day's tours, from what each stop bought
on the same weekday over recent weeks.

Expected at a stop = what its visits on that weekday bought (net of returns and voids) over
the weeks looked at, divided by the number of those visits, rounded up: to whole pieces, and
for goods by weight to whole 100 g. A stop without such a visit yet expects nothing. The
truck's list adds up its stops.

Orders for the day come on top: the lines the operator confirmed are listed per stop as
"bestellt" and added to the truck's totals (an order that was cancelled, or lines declined or
not yet decided, are not loaded).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hub.orders.model import Decision, Order, OrderState
from hub.orders.service import orders_of_day
from hub.planning.history import History, goods, read
from hub.store import HubStore
from tourkasse.german import german_order
from tourkasse.tour import TourPlan

GRAMS_STEP = 100


@dataclass(frozen=True)
class Quantity:
    article: str
    text: str
    unit: str  # "piece" or "kg" (then the quantity is grams)
    quantity: int


@dataclass(frozen=True)
class StopLoad:
    stop: str
    name: str
    arrive: str  # local time, as planned
    visits: int  # visits on this weekday within the weeks looked at
    expected: tuple[Quantity, ...]
    by_weekday: dict[int, tuple[int, tuple[Quantity, ...]]]  # weekday -> (visits, sold)
    ordered: tuple[Quantity, ...] = ()  # confirmed lines of the stop's orders for the day
    orders: tuple[str, ...] = ()  # their numbers


@dataclass(frozen=True)
class TruckLoad:
    truck: str
    tour: str
    stops: tuple[StopLoad, ...]
    total: tuple[Quantity, ...]


@dataclass(frozen=True)
class LoadingList:
    day: date
    weeks: int
    first: date
    last: date
    trucks: tuple[TruckLoad, ...]


def round_up(quantity: int, unit: str, visits: int) -> int:
    if quantity <= 0 or visits == 0:
        return 0
    each = -(-quantity // visits)
    if unit == "kg":
        return -(-each // GRAMS_STEP) * GRAMS_STEP
    return each


def _sold(history: History, stop: str, weekday: int) -> tuple[int, tuple[Quantity, ...]]:
    visits = [v for v in history.of_stop(stop) if v.day.weekday() == weekday]
    sold = goods([r for v in visits for r in v.receipts])
    return len(visits), tuple(
        Quantity(article, text, unit, quantity)
        for (article, unit), (text, quantity) in sorted(
            sold.items(), key=lambda i: german_order(i[1][0])
        )
        if quantity
    )


def _ordered(orders: list[Order]) -> tuple[Quantity, ...]:
    """The confirmed lines of ``orders``, added up per article."""
    sums: dict[tuple[str, str], list] = defaultdict(lambda: ["", 0])
    for order in orders:
        for line in order.lines:
            if line.decision is Decision.CONFIRMED:
                sums[(line.article, line.unit.value)][0] = line.text
                sums[(line.article, line.unit.value)][1] += line.quantity
    return tuple(
        Quantity(article, text, unit, quantity)
        for (article, unit), (text, quantity) in sorted(
            sums.items(), key=lambda i: german_order(i[1][0])
        )
    )


def loading_list(
    store: HubStore, plan: TourPlan | None, day: date, weeks: int, zone: ZoneInfo
) -> LoadingList:
    first, last = day - timedelta(weeks=weeks), day - timedelta(days=1)
    history = read(store, first, last, zone)
    by_stop: dict[str, list[Order]] = defaultdict(list)
    for order in orders_of_day(store, day):
        if order.state is not OrderState.CANCELLED:
            by_stop[order.stop].append(order)
    trucks = []
    for tour in plan.days(day) if plan else ():
        stops = []
        totals: dict[tuple[str, str], list] = defaultdict(lambda: ["", 0])
        for scheduled in tour.stops:
            stop = scheduled.stop
            by_weekday = {weekday: _sold(history, stop.id, weekday) for weekday in range(7)}
            visits, sold = by_weekday[day.weekday()]
            expected = tuple(
                Quantity(q.article, q.text, q.unit, each)
                for q in sold
                if (each := round_up(q.quantity, q.unit, visits)) > 0
            )
            stop_orders = by_stop.pop(stop.id, [])  # a stop two tours visit: the first loads
            ordered = _ordered(stop_orders)
            for q in (*expected, *ordered):
                totals[(q.article, q.unit)][0] = q.text
                totals[(q.article, q.unit)][1] += q.quantity
            stops.append(
                StopLoad(
                    stop.id,
                    stop.name,
                    scheduled.arrive.astimezone(zone).strftime("%H:%M"),
                    visits,
                    expected,
                    {w: v for w, v in by_weekday.items() if v[0]},
                    ordered,
                    tuple(
                        o.number
                        for o in stop_orders
                        if any(line.decision is Decision.CONFIRMED for line in o.lines)
                    ),
                )
            )
        total = tuple(
            Quantity(article, text, unit, quantity)
            for (article, unit), (text, quantity) in sorted(
                totals.items(), key=lambda i: german_order(i[1][0])
            )
        )
        trucks.append(TruckLoad(tour.truck, tour.tour.name, tuple(stops), total))
    return LoadingList(day, weeks, first, last, tuple(trucks))
