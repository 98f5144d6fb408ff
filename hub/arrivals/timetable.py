"""What the printed timetables say: a stop's weekly rhythm and its coming dates (for the notice
board in the village or the seniors' home), and a tour's stops in order with the coming
weeks' exceptions (for the operator and the driver).

Everything comes from the tour plan through ``tourkasse.visits``, like the boards and the
calendar feed, so the paper, the screen and the calendar apps say the same. A stop's
timetable names that stop only: no other stop, no truck, no figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tourkasse.holidays import is_holiday
from tourkasse.tour import WEEKDAYS, Stop, Tour, TourPlan, Weekday
from tourkasse.visits import PlannedVisit, stop_of, tour_visits, visits

WEEKS = 4
ADVERBS: dict[Weekday, str] = {
    "mo": "montags",
    "di": "dienstags",
    "mi": "mittwochs",
    "do": "donnerstags",
    "fr": "freitags",
    "sa": "samstags",
    "so": "sonntags",
}
DAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip


def german_list(items: Sequence[str]) -> str:
    """'a', 'a und b', 'a, b und c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} und {items[-1]}"


def weekdays_text(weekdays: Sequence[Weekday]) -> str:
    """'dienstags und freitags', in the order of the week."""
    return german_list([ADVERBS[day] for day in WEEKDAYS if day in weekdays])


def long_date(day: date) -> str:
    """'Dienstag, 8. Dezember 2026'."""
    return f"{DAY_NAMES[day.weekday()]}, {day.day}. {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    """'08.12.2026'."""
    return day.strftime("%d.%m.%Y")


def clock_span(stop: Stop) -> str:
    """'09:40–10:25 Uhr'."""
    return f"{stop.arrive}–{stop.depart} Uhr"


# --- a stop's timetable ------------------------------------------------------------------
@dataclass(frozen=True)
class Rhythm:
    """How a tour comes to a stop week by week."""

    tour: str  # the tour's name
    weekdays: tuple[Weekday, ...]
    arrive: str
    depart: str

    @property
    def text(self) -> str:
        """'dienstags und freitags 09:40–10:25 Uhr'."""
        return f"{weekdays_text(self.weekdays)} {self.arrive}–{self.depart} Uhr"


@dataclass(frozen=True)
class VisitLine:
    """One coming date at a stop: its time, or that it does not happen and why."""

    date: date
    arrive: str
    depart: str
    cancelled: bool
    reason: str
    extra: bool  # on a day outside the weekly rhythm (an extra run)

    @property
    def day(self) -> str:
        return long_date(self.date)

    @property
    def text(self) -> str:
        """'09:40–10:25 Uhr', or 'fällt aus: Karfreitag'."""
        if self.cancelled:
            return f"fällt aus: {self.reason}" if self.reason else "fällt aus"
        span = f"{self.arrive}–{self.depart} Uhr"
        return f"{span} (zusätzliche Fahrt)" if self.extra else span


@dataclass(frozen=True)
class StopTimetable:
    stop: Stop
    rhythms: tuple[Rhythm, ...]
    dates: tuple[VisitLine, ...]
    first: date
    last: date

    @property
    def period(self) -> str:
        return f"{short_date(self.first)} bis {short_date(self.last)}"


def stop_weekdays(tour: Tour, stop: Stop) -> tuple[Weekday, ...]:
    """The weekdays ``tour`` halts at ``stop``: the stop's own ones where it has them, only
    where the tour runs at all."""
    own = stop.weekdays or tour.weekdays
    return tuple(day for day in WEEKDAYS if day in tour.weekdays and day in own)


def stop_timetable(
    plan: TourPlan, stop_id: str, today: date, weeks: int = WEEKS
) -> StopTimetable | None:
    """``stop_id``'s rhythm and its dates from ``today`` for ``weeks`` weeks; None for a
    stop the plan does not have."""
    if stop_of(plan, stop_id) is None:
        return None
    rhythms = []
    regular: dict[str, tuple[Weekday, ...]] = {}
    stop: Stop | None = None
    for tour in plan.tours:
        for candidate in tour.stops:
            if candidate.id != stop_id:
                continue
            stop = stop or candidate
            days = stop_weekdays(tour, candidate)
            regular[tour.id] = days
            if days:
                rhythms.append(Rhythm(tour.name, days, candidate.arrive, candidate.depart))
    assert stop is not None
    found = visits(plan, stop_id, today, weeks * 7)
    lines = tuple(_line(visit, regular.get(visit.tour.id, ())) for visit in found)
    last = today + timedelta(days=weeks * 7 - 1)
    return StopTimetable(stop, tuple(rhythms), lines, today, last)


def _line(visit: PlannedVisit, regular: tuple[Weekday, ...]) -> VisitLine:
    return VisitLine(
        date=visit.date,
        arrive=visit.stop.arrive,
        depart=visit.stop.depart,
        cancelled=visit.cancelled,
        reason=visit.reason,
        extra=WEEKDAYS[visit.date.weekday()] not in regular,
    )


# --- a tour's timetable ------------------------------------------------------------------
@dataclass(frozen=True)
class WeekdayGroup:
    """The stops of a tour on some of its weekdays (those with the same stops)."""

    weekdays: tuple[Weekday, ...]
    stops: tuple[Stop, ...]

    @property
    def text(self) -> str:
        return weekdays_text(self.weekdays)


@dataclass(frozen=True)
class TourDay:
    """A coming date on which the tour is not as usual, and how."""

    date: date
    changes: tuple[str, ...]

    @property
    def day(self) -> str:
        return long_date(self.date)


@dataclass(frozen=True)
class TourTimetable:
    tour: Tour
    groups: tuple[WeekdayGroup, ...]
    exceptions: tuple[TourDay, ...]
    first: date
    last: date

    @property
    def period(self) -> str:
        return f"{short_date(self.first)} bis {short_date(self.last)}"


def weekday_groups(tour: Tour) -> tuple[WeekdayGroup, ...]:
    """The tour's weekdays, those with the same stops together: one group when no stop has
    weekdays of its own."""
    groups: dict[tuple[str, ...], list[Weekday]] = {}
    stops_of: dict[tuple[str, ...], tuple[Stop, ...]] = {}
    for day in WEEKDAYS:
        if day not in tour.weekdays:
            continue
        stops = tuple(s for s in tour.stops if day in (s.weekdays or tour.weekdays))
        key = tuple(s.id for s in stops)
        groups.setdefault(key, []).append(day)
        stops_of[key] = stops
    return tuple(WeekdayGroup(tuple(days), stops_of[key]) for key, days in groups.items())


def tour_timetable(
    plan: TourPlan, tour_id: str, today: date, weeks: int = WEEKS
) -> TourTimetable | None:
    """``tour_id``'s stops per weekday and what differs from ``today`` for ``weeks`` weeks;
    None for a tour the plan does not have."""
    tour = next((t for t in plan.tours if t.id == tour_id), None)
    if tour is None:
        return None
    exceptions = []
    for n in range(weeks * 7):
        day = today + timedelta(days=n)
        changes = _changes(plan, tour, day, tour_visits(plan, tour_id, day))
        if changes:
            exceptions.append(TourDay(day, tuple(changes)))
    last = today + timedelta(days=weeks * 7 - 1)
    return TourTimetable(tour, weekday_groups(tour), tuple(exceptions), today, last)


def _changes(plan: TourPlan, tour: Tour, day: date, due: list[PlannedVisit]) -> list[str]:
    """What is different about ``tour`` on ``day``, in words; empty on an ordinary day."""
    if not due:
        return []
    changes = []
    on_tour_day = WEEKDAYS[day.weekday()] in tour.weekdays
    holiday = is_holiday(day, plan.state)
    notes = [
        e.note
        for e in plan.exception
        if e.tour == tour.id and e.date == day.isoformat() and e.runs and e.note
    ]
    if not on_tour_day:
        changes.append(" ".join(["Zusätzliche Fahrt.", *notes]).strip())
    elif holiday is not None and not any(v.cancelled and v.reason == holiday for v in due):
        changes.append(" ".join([f"Fährt trotz Feiertag ({holiday}).", *notes]).strip())
    cancelled = [v for v in due if v.cancelled]
    if cancelled and len(cancelled) == len(due):
        reasons = {v.reason for v in cancelled}
        reason = cancelled[0].reason if len(reasons) == 1 else ""
        return [f"Tour fällt aus: {reason}" if reason else "Tour fällt aus"]
    for visit in cancelled:
        why = f" ({visit.reason})" if visit.reason else ""
        changes.append(f"{visit.stop.name} fällt aus{why}")
    if due[0].truck != tour.truck:
        changes.append(f"Wagen {due[0].truck} statt {tour.truck}")
    return changes
