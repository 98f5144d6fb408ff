"""The visits a stop gets by the tour plan: when the truck is due there on which date, and
which of those visits do not happen (a cancelled tour, a skipped stop, a public holiday).

The seniors' home's board, its calendar feed and the printed timetables all read this, so
they agree with each other and with the trucks, which read the same tour file. Times come out
in UTC; a visit at 10:00 is at 10:00 local time on either side of the change to summer time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tourkasse.holidays import is_holiday
from tourkasse.tour import WEEKDAYS, Stop, Tour, TourPlan


@dataclass(frozen=True)
class PlannedVisit:
    """The truck due at a stop on a date; ``cancelled`` with the operator's ``reason``."""

    stop: Stop
    tour: Tour
    date: date
    truck: str
    arrive: datetime  # UTC
    depart: datetime  # UTC
    cancelled: bool = False
    reason: str = ""


def stop_of(plan: TourPlan, stop_id: str) -> Stop | None:
    """The stop with this id (where two tours share it, the first tour's)."""
    return next((s for t in plan.tours for s in t.stops if s.id == stop_id), None)


def visits(plan: TourPlan, stop_id: str, start: date, days: int) -> list[PlannedVisit]:
    """Every visit due at ``stop_id`` from ``start`` on for ``days`` days, cancelled ones too,
    in order of time."""
    tours = [tour for tour in plan.tours if any(s.id == stop_id for s in tour.stops)]
    found = [
        visit
        for n in range(days)
        for tour in tours
        for visit in _visits_on(plan, tour, start + timedelta(days=n), stop_id)
    ]
    return sorted(found, key=lambda v: v.arrive)


def tour_visits(plan: TourPlan, tour_id: str, on: date) -> list[PlannedVisit]:
    """The stops of ``tour_id`` due on ``on``, cancelled ones too, in the order of the tour."""
    tour = next((t for t in plan.tours if t.id == tour_id), None)
    if tour is None:
        return []
    return list(_visits_on(plan, tour, on, None))


def _visits_on(plan: TourPlan, tour: Tour, on: date, stop_id: str | None) -> Iterator[PlannedVisit]:
    exceptions = [e for e in plan.exception if e.tour == tour.id and e.date == on.isoformat()]
    runs = any(e.runs for e in exceptions)
    weekday = WEEKDAYS[on.weekday()]
    holiday = None if runs else is_holiday(on, plan.state)
    cancelled_by = next((e for e in exceptions if e.cancelled), None)
    truck = next(
        (a.truck for a in plan.assignment if a.tour == tour.id and a.date == on.isoformat()),
        tour.truck,
    )
    zone = ZoneInfo(plan.timezone)
    for stop in tour.stops:
        if stop_id is not None and stop.id != stop_id:
            continue
        if not runs and weekday not in (stop.weekdays or tour.weekdays):
            continue
        if not runs and weekday not in tour.weekdays:
            continue
        skipped_by = next((e for e in exceptions if stop.id in e.skip), None)
        # the first reason there is, so a cancellation without a note on a holiday still
        # names the holiday
        if cancelled_by is not None:
            reason: str | None = cancelled_by.note or holiday or ""
        elif holiday is not None:
            reason = holiday
        elif skipped_by is not None:
            reason = skipped_by.note
        else:
            reason = None
        yield PlannedVisit(
            stop=stop,
            tour=tour,
            date=on,
            truck=truck,
            arrive=datetime.combine(on, stop.arrive_time, zone).astimezone(UTC),
            depart=datetime.combine(on, stop.depart_time, zone).astimezone(UTC),
            cancelled=reason is not None,
            reason=reason or "",
        )
