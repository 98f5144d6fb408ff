"""Changing the tour plan from the web, and which plan the hub goes by.

The hub goes by the newest version saved on the web; before the first one, by the tour file
of its configuration (``[tours] file``), which is then where the first edit starts from.
Every change makes a whole new plan, written as the trucks' TOML and read back with the
trucks' own checks (``tourkasse.tour``): a plan a truck would refuse is never saved, and the
problems come back in words.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.store import HubStore
from hub.tours.plan_text import tour_plan_text
from tourkasse.config import ConfigError
from tourkasse.tour import (
    WEEKDAYS,
    Assignment,
    DayException,
    Depot,
    Stop,
    Tour,
    TourPlan,
    load_tour_plan,
    parse_tour_plan,
)


class PlanRefused(ValueError):
    """The change would make a plan the trucks refuse; ``problems`` says why, in German."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def current_plan(store: HubStore, file: Path | None) -> TourPlan | None:
    latest = store.tour_plans.latest()
    if latest is not None:
        return parse_tour_plan(latest.text, f"Tourplan Version {latest.version}")
    return load_tour_plan(file) if file else None


def checked(plan: TourPlan) -> tuple[TourPlan, str]:
    """The plan as the trucks will read it, and its text; PlanRefused with every problem."""
    try:
        text = tour_plan_text(plan)
    except (TypeError, ValueError) as exc:
        raise PlanRefused([str(exc)]) from None
    try:
        return parse_tour_plan(text, "Tourplan"), text
    except ConfigError as exc:
        problems = [_said(problem.key, problem.message) for problem in exc.problems]
        raise PlanRefused(problems) from None


def _said(key: str, message: str) -> str:
    return f"{key}: {message}" if key else message


def save(store: HubStore, plan: TourPlan, by: str, what: str, now: datetime) -> int:
    """Check and keep ``plan`` as the next version; its number."""
    _, text = checked(plan)
    return store.tour_plans.add(text, by, what, now)


# --- building the pieces from a form's text ------------------------------------------------
def _number(text: str, what: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise PlanRefused([f"{what}: „{text}“ ist keine Zahl"]) from None


def stop_from(values: dict[str, str], place: str) -> Stop:
    """A stop from a form row; ``place`` names the row in problems."""
    weekdays = tuple(day for day in values.get("weekdays", "").split() if day)
    unknown = [day for day in weekdays if day not in WEEKDAYS]
    if unknown:
        raise PlanRefused([f"{place}: Wochentag(e) {', '.join(unknown)} unbekannt"])
    radius = values.get("radius_m", "").strip() or "100"
    if not radius.isdigit():
        raise PlanRefused([f"{place}: Radius „{radius}“ ist keine ganze Zahl"])
    return Stop(
        id=values.get("id", "").strip(),
        name=values.get("name", "").strip(),
        address=values.get("address", "").strip(),
        lat=_number(values.get("lat", ""), f"{place} Breite"),
        lon=_number(values.get("lon", ""), f"{place} Länge"),
        arrive=values.get("arrive", "").strip(),
        depart=values.get("depart", "").strip(),
        radius_m=int(radius),
        weekdays=weekdays,  # type: ignore[arg-type]
        kind=values.get("kind", "village") or "village",  # type: ignore[arg-type]
        contact=values.get("contact", "").strip(),
    )


def with_tour(
    plan: TourPlan | None, old_id: str | None, fields: dict[str, Any], stops: list[Stop]
) -> TourPlan:
    """The plan with tour ``old_id`` replaced (or a new tour added when None)."""
    base = plan or TourPlan(state=fields.pop("state", "NI"), tour=())
    depot = Depot(
        name=fields["depot_name"],
        lat=_number(fields["depot_lat"], "Lager Breite"),
        lon=_number(fields["depot_lon"], "Lager Länge"),
        leave=fields["depot_leave"],
    )
    tour = Tour(
        id=fields["id"],
        name=fields["name"],
        truck=fields["truck"],
        weekdays=tuple(fields["weekdays"]),
        depot=depot,
        stop=tuple(stops),
    )
    others = [t for t in base.tour if t.id != old_id]
    if any(t.id == tour.id for t in others):
        raise PlanRefused([f"Eine Tour {tour.id} gibt es schon"])
    position = next((i for i, t in enumerate(base.tour) if t.id == old_id), len(others))
    others.insert(position, tour)
    renamed = old_id is not None and old_id != tour.id
    return dataclasses.replace(
        base,
        tour=tuple(others),
        assignment=tuple(
            dataclasses.replace(a, tour=tour.id) if renamed and a.tour == old_id else a
            for a in base.assignment
        ),
        exception=tuple(
            dataclasses.replace(e, tour=tour.id) if renamed and e.tour == old_id else e
            for e in base.exception
        ),
    )


def without_tour(plan: TourPlan, tour_id: str) -> TourPlan:
    return dataclasses.replace(
        plan,
        tour=tuple(t for t in plan.tour if t.id != tour_id),
        assignment=tuple(a for a in plan.assignment if a.tour != tour_id),
        exception=tuple(e for e in plan.exception if e.tour != tour_id),
    )


def with_assignment(plan: TourPlan, day: str, tour: str, truck: str) -> TourPlan:
    _known_tour(plan, tour)
    kept = tuple(a for a in plan.assignment if (a.date, a.tour) != (day, tour))
    return dataclasses.replace(plan, assignment=(*kept, Assignment(day, tour, truck)))


def with_exception(plan: TourPlan, exception: DayException) -> TourPlan:
    _known_tour(plan, exception.tour)
    if exception.cancelled and exception.runs:
        raise PlanRefused(["Eine Tour kann nicht zugleich ausfallen und zusätzlich fahren"])
    kept = tuple(e for e in plan.exception if (e.date, e.tour) != (exception.date, exception.tour))
    return dataclasses.replace(plan, exception=(*kept, exception))


def without_entry(plan: TourPlan, kind: str, index: int) -> TourPlan:
    items = list(getattr(plan, kind))
    if not 0 <= index < len(items):
        raise PlanRefused(["Diesen Eintrag gibt es nicht (mehr)"])
    del items[index]
    return dataclasses.replace(plan, **{kind: tuple(items)})


def _known_tour(plan: TourPlan, tour: str) -> None:
    if all(t.id != tour for t in plan.tour):
        raise PlanRefused([f"Tour {tour} gibt es nicht"])
