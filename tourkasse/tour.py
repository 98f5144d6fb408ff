"""Tours and stops: where the truck is expected on which day, and when.

A tour file (see ``config/tour.example.toml``) lists the tours with their stops — name, address,
coordinates, geofence radius, weekdays, scheduled arrival and departure in local time, and a
contact — which truck drives which tour (by default, and on given dates when a truck breaks
down), and exceptions per date. A tour does not run on a public holiday of its federal state
unless an exception says it does. Truck (stop detection, the till) and hub (arrival times) read
the same file; times of a day come out in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tourkasse.config import (
    describe_value,
    in_range,
    load_config,
    matches,
    not_empty,
    parse_config,
)
from tourkasse.holidays import STATES, is_holiday

Weekday = Literal["mo", "di", "mi", "do", "fr", "sa", "so"]
WEEKDAYS: tuple[Weekday, ...] = ("mo", "di", "mi", "do", "fr", "sa", "so")
StopKind = Literal["village", "seniors_home", "market", "farm", "other"]

_CLOCK = matches(r"([01][0-9]|2[0-3]):[0-5][0-9]", 'eine Uhrzeit wie "08:30"')
_DAY = matches(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", 'ein Datum wie "2026-12-24"')
_ID = matches(r"[A-Za-z0-9_-]+", "Buchstaben, Ziffern, - oder _")


def _check_state(value: str) -> None:
    if value not in STATES:
        raise ValueError(
            f"erwartet ein Bundesland ({', '.join(STATES)}), gefunden {describe_value(value)}"
        )


def _check_latitude(value: float) -> None:
    if not -90 <= value <= 90:
        raise ValueError(f"erwartet eine Breite von -90 bis 90, gefunden {value}")


def _check_longitude(value: float) -> None:
    if not -180 <= value <= 180:
        raise ValueError(f"erwartet eine Länge von -180 bis 180, gefunden {value}")


def _check_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unbekannte Zeitzone {describe_value(value)}") from None


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class Stop:
    """A place the truck halts at: a village square, a seniors' home, a farm yard."""

    id: str = field(metadata={"doc": "Kurzname, eindeutig in der Tour", "check": _ID})
    name: str = field(metadata={"doc": "Name, wie ihn Kunden kennen", "check": not_empty})
    address: str = field(metadata={"doc": "Anschrift", "check": not_empty})
    lat: float = field(metadata={"doc": "Breite (WGS 84)", "check": _check_latitude})
    lon: float = field(metadata={"doc": "Länge (WGS 84)", "check": _check_longitude})
    arrive: str = field(metadata={"doc": "Ankunft laut Plan (Ortszeit)", "check": _CLOCK})
    depart: str = field(metadata={"doc": "Abfahrt laut Plan (Ortszeit)", "check": _CLOCK})
    radius_m: int = field(
        default=100,
        metadata={"doc": "Radius des Haltebereichs in Metern", "check": in_range(20, 1000)},
    )
    weekdays: tuple[Weekday, ...] = field(
        default=(), metadata={"doc": "nur an diesen Wochentagen; leer = wie die Tour"}
    )
    kind: StopKind = field(default="village", metadata={"doc": "Art des Halts"})
    contact: str = field(default="", metadata={"doc": "Ansprechpartner und Telefon"})

    @property
    def arrive_time(self) -> time:
        return _clock(self.arrive)

    @property
    def depart_time(self) -> time:
        return _clock(self.depart)

    def check_config(self) -> Iterator[tuple[str, str]]:
        if self.depart_time <= self.arrive_time:
            yield ("depart", f"liegt nicht nach der Ankunft {self.arrive}")


@dataclass(frozen=True)
class Depot:
    """Where the truck starts and ends its day."""

    name: str = field(metadata={"doc": "Name", "check": not_empty})
    lat: float = field(metadata={"doc": "Breite (WGS 84)", "check": _check_latitude})
    lon: float = field(metadata={"doc": "Länge (WGS 84)", "check": _check_longitude})
    leave: str = field(default="07:30", metadata={"doc": "Abfahrt (Ortszeit)", "check": _CLOCK})


@dataclass(frozen=True)
class Tour:
    id: str = field(metadata={"doc": "Kurzname der Tour", "check": _ID})
    name: str = field(metadata={"doc": "Name der Tour", "check": not_empty})
    truck: str = field(metadata={"doc": "Wagen, der sie gewöhnlich fährt", "check": not_empty})
    weekdays: tuple[Weekday, ...] = field(metadata={"doc": "Wochentage der Tour"})
    depot: Depot = field(metadata={"doc": "Start und Ziel"})
    stop: tuple[Stop, ...] = field(metadata={"doc": "Halte in der Reihenfolge der Fahrt"})

    @property
    def stops(self) -> tuple[Stop, ...]:
        return self.stop

    def check_config(self) -> Iterator[tuple[str, str]]:
        if not self.weekdays:
            yield ("weekdays", "mindestens ein Wochentag")
        if not self.stop:
            yield ("stop", "mindestens ein Halt")
        seen: set[str] = set()
        for index, stop in enumerate(self.stop):
            if stop.id in seen:
                yield (f"stop[{index}].id", f"{describe_value(stop.id)} kommt mehrfach vor")
            seen.add(stop.id)
            if index and stop.arrive_time < self.stop[index - 1].depart_time:
                yield (f"stop[{index}].arrive", "liegt vor der Abfahrt vom Halt davor")


@dataclass(frozen=True)
class Assignment:
    """On this date this tour is driven by another truck (e.g. when its own is broken)."""

    date: str = field(metadata={"doc": "Datum", "check": _DAY})
    tour: str = field(metadata={"doc": "Tour"})
    truck: str = field(metadata={"doc": "Wagen", "check": not_empty})


@dataclass(frozen=True)
class DayException:
    """What is different about a tour on one date."""

    date: str = field(metadata={"doc": "Datum", "check": _DAY})
    tour: str = field(metadata={"doc": "Tour"})
    cancelled: bool = field(default=False, metadata={"doc": "Tour fällt aus"})
    runs: bool = field(
        default=False, metadata={"doc": "Tour fährt, obwohl Feiertag oder kein Tourtag ist"}
    )
    skip: tuple[str, ...] = field(default=(), metadata={"doc": "Halte, die ausfallen"})
    note: str = field(default="", metadata={"doc": "Hinweis, z. B. für die Aushänge"})


@dataclass(frozen=True)
class TourPlan:
    """The whole tour file."""

    state: str = field(metadata={"doc": "Bundesland (für Feiertage)", "check": _check_state})
    tour: tuple[Tour, ...] = field(metadata={"doc": "Touren"})
    timezone: str = field(
        default="Europe/Berlin",
        metadata={"doc": "Zeitzone der Uhrzeiten", "check": _check_timezone},
    )
    assignment: tuple[Assignment, ...] = field(default=(), metadata={"doc": "Wagentausch"})
    exception: tuple[DayException, ...] = field(default=(), metadata={"doc": "Ausnahmen"})

    @property
    def tours(self) -> tuple[Tour, ...]:
        return self.tour

    def check_config(self) -> Iterator[tuple[str, str]]:
        ids = [tour.id for tour in self.tour]
        for index, tour_id in enumerate(ids):
            if tour_id in ids[:index]:
                yield (f"tour[{index}].id", f"{describe_value(tour_id)} kommt mehrfach vor")
        for name, items in (("assignment", self.assignment), ("exception", self.exception)):
            for index, item in enumerate(items):
                if item.tour not in ids:
                    known = ", ".join(ids)
                    yield (
                        f"{name}[{index}].tour",
                        f"unbekannte Tour {describe_value(item.tour)} (bekannt: {known})",
                    )
                if not _valid_date(item.date):
                    yield (f"{name}[{index}].date", f"kein gültiges Datum: {item.date}")
        for index, exception in enumerate(self.exception):
            tour = next((t for t in self.tour if t.id == exception.tour), None)
            for stop_id in exception.skip:
                if tour is not None and stop_id not in {s.id for s in tour.stop}:
                    yield (
                        f"exception[{index}].skip",
                        f"unbekannter Halt {describe_value(stop_id)}",
                    )

    # --- the plan of one day -------------------------------------------------------------

    def stop_names(self) -> dict[str, str]:
        """Each stop's name by its id (where two tours share an id, the first one's)."""
        names: dict[str, str] = {}
        for tour in self.tours:
            for stop in tour.stops:
                names.setdefault(stop.id, stop.name)
        return names

    def day(self, on: date, truck: str) -> DayTour | None:
        """The tour ``truck`` drives on ``on``, with its stops' times in UTC; None if none."""
        for day_tour in self.days(on):
            if day_tour.truck == truck:
                return day_tour
        return None

    def watched_stops(self, on: date, truck: str) -> list[tuple[Stop, str]]:
        """The stops (with their tour's id) where ``truck`` may halt on ``on``: those of its
        tour that day, or, on a day without one (an extra run), every stop of the file."""
        day = self.day(on, truck)
        if day is not None:
            return [(s.stop, day.tour.id) for s in day.stops]
        return [(stop, tour.id) for tour in self.tour for stop in tour.stop]

    def days(self, on: date) -> list[DayTour]:
        """Every tour driven on ``on``."""
        found = []
        for tour in self.tour:
            day_tour = self._day_of(tour, on)
            if day_tour is not None:
                found.append(day_tour)
        return found

    def _day_of(self, tour: Tour, on: date) -> DayTour | None:
        exceptions = [e for e in self.exception if e.tour == tour.id and e.date == on.isoformat()]
        if any(e.cancelled for e in exceptions):
            return None
        weekday = WEEKDAYS[on.weekday()]
        runs = any(e.runs for e in exceptions)
        holiday = is_holiday(on, self.state)
        if not runs and (weekday not in tour.weekdays or holiday is not None):
            return None
        skipped = {stop_id for e in exceptions for stop_id in e.skip}
        zone = ZoneInfo(self.timezone)

        def utc(clock: time) -> datetime:
            return datetime.combine(on, clock, zone).astimezone(UTC)

        stops = tuple(
            ScheduledStop(stop, utc(stop.arrive_time), utc(stop.depart_time))
            for stop in tour.stop
            if stop.id not in skipped and (runs or weekday in (stop.weekdays or tour.weekdays))
        )
        truck = next(
            (a.truck for a in self.assignment if a.tour == tour.id and a.date == on.isoformat()),
            tour.truck,
        )
        notes = [e.note for e in exceptions if e.note]
        return DayTour(tour, on, truck, utc(_clock(tour.depot.leave)), stops, " ".join(notes))


@dataclass(frozen=True)
class ScheduledStop:
    stop: Stop
    arrive: datetime  # UTC
    depart: datetime  # UTC


@dataclass(frozen=True)
class DayTour:
    """One tour on one date: who drives it, and when each stop is due (UTC)."""

    tour: Tour
    date: date
    truck: str
    leave: datetime  # from the depot, UTC
    stops: tuple[ScheduledStop, ...]
    note: str = ""

    def stop(self, stop_id: str) -> ScheduledStop | None:
        return next((s for s in self.stops if s.stop.id == stop_id), None)


def _valid_date(text: str) -> bool:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return True  # reported by the field's own check
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def load_tour_plan(path: Path) -> TourPlan:
    """Read a tour file; every mistake in it is reported at once (ConfigError)."""
    return load_config(path, TourPlan)


def parse_tour_plan(text: str, source: str) -> TourPlan:
    """Check a tour file given as TOML text (a download); ``source`` names it in problems."""
    return parse_config(text, TourPlan, source=source)
