"""What each stop is worth over a period, compared with the tour plan.

Per stop: visits (and how many the plan had), receipts, turnover, the average basket, the
minutes the truck stood there (and the planned minutes of the visits made), and turnover per
hour at the stop. Receipts count without voids; turnover counts voids (they cancel their
original). Amounts are integer cents, rounded half up where divided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hub.planning.history import read
from hub.store import HubStore
from tourkasse.money import divide_half_up
from tourkasse.tour import TourPlan


@dataclass(frozen=True)
class StopFigures:
    stop: str
    name: str
    visits: int
    planned_visits: int
    receipts: int
    turnover: int  # cents
    average_basket: int | None  # cents; None without receipts
    minutes: int  # at the stop, recorded visits only
    planned_minutes: int  # for the visits that were made
    per_hour: int | None  # cents per hour at the stop; None without recorded minutes


def _planned(plan: TourPlan | None, first: date, last: date) -> dict[str, list[date]]:
    days: dict[str, list[date]] = {}
    day = first
    while plan is not None and day <= last:
        for tour in plan.days(day):
            for scheduled in tour.stops:
                days.setdefault(scheduled.stop.id, []).append(day)
        day += timedelta(days=1)
    return days


def _planned_minutes(plan: TourPlan | None, stop: str, day: date) -> int:
    for tour in plan.days(day) if plan else ():
        scheduled = tour.stop(stop)
        if scheduled is not None:
            return round((scheduled.depart - scheduled.arrive).total_seconds() / 60)
    return 0


def evaluate(
    store: HubStore, plan: TourPlan | None, first: date, last: date, zone: ZoneInfo
) -> list[StopFigures]:
    history = read(store, first, last, zone)
    planned = _planned(plan, first, last)
    names = plan.stop_names() if plan else {}
    stops = sorted({stop for stop, _ in history.visits} | set(planned))
    figures = []
    for stop in stops:
        visits = history.of_stop(stop)
        receipts = [r for v in visits for r in v.receipts]
        sales = [r for r in receipts if not r.is_void]
        turnover = sum(r.total for r in receipts)
        minutes = round(sum(v.minutes for v in visits if v.timed))
        timed_turnover = sum(r.total for v in visits if v.timed for r in v.receipts)
        figures.append(
            StopFigures(
                stop=stop,
                name=names.get(stop, stop),
                visits=len(visits),
                planned_visits=len(planned.get(stop, [])),
                receipts=len(sales),
                turnover=turnover,
                average_basket=divide_half_up(turnover, len(sales)) if sales else None,
                minutes=minutes,
                planned_minutes=sum(_planned_minutes(plan, stop, v.day) for v in visits),
                per_hour=divide_half_up(timed_turnover * 60, minutes) if minutes else None,
            )
        )
    return sorted(figures, key=lambda f: -f.turnover)


def period_of(text_first: str, text_last: str, today: date) -> tuple[date, date]:
    """The period asked for; the last four weeks up to yesterday when none is given."""
    last = date.fromisoformat(text_last) if text_last else today - timedelta(days=1)
    first = date.fromisoformat(text_first) if text_first else last - timedelta(days=27)
    if first > last:
        raise ValueError("Beginn liegt nach dem Ende")
    return first, last
