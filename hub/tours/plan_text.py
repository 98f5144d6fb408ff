"""A tour plan written as the TOML file the trucks read (``tourkasse.tour``), keys in the
schema's order, values equal to their default left out."""

from __future__ import annotations

import dataclasses
from typing import Any

from hub.toml_writer import pairs, table
from tourkasse.tour import TourPlan


def _changed(item: Any) -> tuple[list[str], dict[str, Any]]:
    """The plain (non-table) keys of a dataclass whose value is not the default."""
    keys, values = [], {}
    for field in dataclasses.fields(item):
        current = getattr(item, field.name)
        if dataclasses.is_dataclass(current) or (
            isinstance(current, tuple) and current and dataclasses.is_dataclass(current[0])
        ):
            continue
        if field.default is not dataclasses.MISSING and current == field.default:
            continue
        keys.append(field.name)
        values[field.name] = current
    return keys, values


def tour_plan_text(plan: TourPlan, *, heading: str = "") -> str:
    parts = [f"# {line}" for line in heading.splitlines()] if heading else []
    keys, values = _changed(plan)
    parts.append("\n".join(pairs(keys, values)))
    for tour in plan.tour:
        parts.append(table("tour", *_changed(tour), array=True))
        parts.append(table("tour.depot", *_changed(tour.depot), array=False))
        parts.extend(table("tour.stop", *_changed(stop), array=True) for stop in tour.stop)
    parts.extend(table("assignment", *_changed(a), array=True) for a in plan.assignment)
    parts.extend(table("exception", *_changed(e), array=True) for e in plan.exception)
    return "\n\n".join(part for part in parts if part) + "\n"
