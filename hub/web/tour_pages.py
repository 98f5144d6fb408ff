"""The operator's tour pages: the plan at a glance (tours, trucks per date, exceptions, the
federal state for holidays, versions), a tour with its stops edited on a form and on the map,
and sending the plan to the trucks."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from hub.access import OPERATOR
from hub.downloads import PublishError, publish_text
from hub.store.users import Session
from hub.tours import editing
from hub.tours.editing import PlanRefused
from hub.typed_text import one_line
from hub.web import auth
from hub.web.pages import render
from tourkasse.holidays import STATES
from tourkasse.tour import WEEKDAYS, DayException, TourPlan

router = APIRouter()
STOP_FIELDS = (
    "id", "name", "address", "lat", "lon", "arrive", "depart", "radius_m", "weekdays", "kind",
    "contact",
)  # fmt: skip
NEW = "neu"


def _plan(request: Request) -> TourPlan | None:
    with request.app.state.stores() as store:
        return editing.current_plan(store, request.app.state.config.tours.file)


def _overview(
    request: Request, *, problems: list[str] | None = None, status: int = 200
) -> Response:
    with request.app.state.stores() as store:
        plan = editing.current_plan(store, request.app.state.config.tours.file)
        versions = store.tour_plans.history(limit=10)
    return render(
        request,
        "tours.html",
        {
            "plan": plan,
            "versions": versions,
            "states": STATES,
            "weekdays": WEEKDAYS,
            "problems": problems or [],
            "message": request.query_params.get("message", ""),
            "stops_json": _stops_json(plan),
        },
        status_code=status,
    )


def _stops_json(plan: TourPlan | None) -> list[dict[str, Any]]:
    return [
        {"tour": tour.id, "id": s.id, "name": s.name, "lat": s.lat, "lon": s.lon}
        for tour in (plan.tour if plan else ())
        for s in tour.stop
    ]


@router.get("/tours", dependencies=[Depends(auth.need(OPERATOR))])
def tours_page(request: Request) -> Response:
    return _overview(request)


def _change(
    request: Request, session: Session, what: str, change: Callable[[TourPlan | None], TourPlan]
) -> Response:
    """Apply ``change`` to the current plan and keep it as a new version, or show why not."""
    try:
        with request.app.state.stores() as store:
            plan = editing.current_plan(store, request.app.state.config.tours.file)
            version = editing.save(store, change(plan), session.user.name, what, datetime.now(UTC))
    except PlanRefused as exc:
        return _overview(request, problems=exc.problems, status=422)
    message = quote(f"Tourplan Version {version} gespeichert: {what}")
    return RedirectResponse(f"/tours?message={message}", status_code=303)


def _needs_plan(plan: TourPlan | None) -> TourPlan:
    if plan is None:
        raise PlanRefused(["Noch kein Tourplan: zuerst eine Tour anlegen"])
    return plan


@router.post("/tours/state")
async def set_state(request: Request, session: Session = Depends(auth.need(OPERATOR))) -> Response:
    form = await auth.posted(request, session)
    state = str(form.get("state", ""))

    def change(plan: TourPlan | None) -> TourPlan:
        return dataclasses.replace(_needs_plan(plan), state=state)

    return await run_in_threadpool(_change, request, session, f"Bundesland {state}", change)


@router.post("/tours/assignments")
async def add_assignment(
    request: Request, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    form = await auth.posted(request, session)
    day, tour, truck = (str(form.get(key, "")).strip() for key in ("date", "tour", "truck"))

    def change(plan: TourPlan | None) -> TourPlan:
        return editing.with_assignment(_needs_plan(plan), day, tour, truck)

    what = f"{day}: Tour {tour} fährt Wagen {truck}"
    return await run_in_threadpool(_change, request, session, what, change)


@router.post("/tours/exceptions")
async def add_exception(
    request: Request, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    form = await auth.posted(request, session)
    how = str(form.get("how", ""))
    exception = DayException(
        date=str(form.get("date", "")).strip(),
        tour=str(form.get("tour", "")).strip(),
        cancelled=how == "cancelled",
        runs=how == "runs",
        skip=tuple(str(form.get("skip", "")).split()),
        note=one_line(str(form.get("note", ""))),
    )

    def change(plan: TourPlan | None) -> TourPlan:
        return editing.with_exception(_needs_plan(plan), exception)

    what = f"Ausnahme {exception.date} Tour {exception.tour}"
    return await run_in_threadpool(_change, request, session, what, change)


@router.post("/tours/{kind}/{index}/delete")
async def delete_entry(
    request: Request, kind: str, index: int, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    await auth.posted(request, session)
    if kind not in ("assignment", "exception"):
        return await run_in_threadpool(_overview, request, problems=["Unbekannte Art"], status=404)

    def change(plan: TourPlan | None) -> TourPlan:
        return editing.without_entry(_needs_plan(plan), kind, index)

    what = "Wagentausch gelöscht" if kind == "assignment" else "Ausnahme gelöscht"
    return await run_in_threadpool(_change, request, session, what, change)


# --- one tour --------------------------------------------------------------------------------
@router.get("/tours/{tour_id}", dependencies=[Depends(auth.need(OPERATOR))])
def tour_page(request: Request, tour_id: str) -> Response:
    plan = _plan(request)
    tour = next((t for t in plan.tour if t.id == tour_id), None) if plan else None
    if tour is None and tour_id != NEW:
        return _overview(request, problems=[f"Tour {tour_id} gibt es nicht"], status=404)
    return _tour_form(request, tour_id, _form_of(tour), [])


def _form_of(tour: Any) -> dict[str, Any]:
    if tour is None:
        return {"id": "", "name": "", "truck": "", "weekdays": [], "depot_name": "",
                "depot_lat": "", "depot_lon": "", "depot_leave": "07:30", "stops": []}  # fmt: skip
    return {
        "id": tour.id,
        "name": tour.name,
        "truck": tour.truck,
        "weekdays": list(tour.weekdays),
        "depot_name": tour.depot.name,
        "depot_lat": tour.depot.lat,
        "depot_lon": tour.depot.lon,
        "depot_leave": tour.depot.leave,
        "stops": [{**dataclasses.asdict(s), "weekdays": " ".join(s.weekdays)} for s in tour.stop],
    }


def _tour_form(
    request: Request, tour_id: str, form: dict[str, Any], problems: list[str]
) -> Response:
    return render(
        request,
        "tour_edit.html",
        {
            "tour_id": tour_id,
            "form": form,
            "weekdays": WEEKDAYS,
            "problems": problems,
            "new": NEW,
        },
        status_code=422 if problems else 200,
    )


def _rows(form: FormData) -> list[tuple[int, dict[str, str]]]:
    """The stop rows of the form, in the order asked for, without deleted and empty ones."""
    indices = sorted(
        {int(m.group(1)) for key in form if (m := re.fullmatch(r"stop-(\d+)-id", key))}
    )
    rows = []
    for index in indices:
        values = {name: str(form.get(f"stop-{index}-{name}", "")).strip() for name in STOP_FIELDS}
        given = [value for name, value in values.items() if name not in ("kind", "radius_m")]
        if form.get(f"stop-{index}-delete") or not any(given):
            continue
        order = str(form.get(f"stop-{index}-order", "")).strip()
        rows.append((int(order) if order.lstrip("-").isdigit() else index, values))
    return sorted(rows, key=lambda row: row[0])


@router.post("/tours/{tour_id}")
async def save_tour(
    request: Request, tour_id: str, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    form = await auth.posted(request, session)
    fields: dict[str, Any] = {
        key: str(form.get(key, "")).strip()
        for key in ("id", "name", "truck", "depot_name", "depot_lat", "depot_lon", "depot_leave")
    }
    fields["weekdays"] = [day for day in WEEKDAYS if form.get(f"weekday-{day}")]
    rows = [values for _, values in _rows(form)]

    def save() -> Response:
        try:
            stops = [
                editing.stop_from(values, f"Halt {number}")
                for number, values in enumerate(rows, start=1)
            ]
            with request.app.state.stores() as store:
                plan = editing.current_plan(store, request.app.state.config.tours.file)
                changed = editing.with_tour(
                    plan, None if tour_id == NEW else tour_id, dict(fields), stops
                )
                what = f"Tour {fields['id']} {'angelegt' if tour_id == NEW else 'geändert'}"
                version = editing.save(store, changed, session.user.name, what, datetime.now(UTC))
        except PlanRefused as exc:
            shown = {**fields, "stops": rows}
            return _tour_form(request, tour_id, shown, exc.problems)
        message = quote(f"Tourplan Version {version} gespeichert: {what}")
        return RedirectResponse(f"/tours?message={message}", status_code=303)

    return await run_in_threadpool(save)


@router.post("/tours-push")
async def push_tours(request: Request, session: Session = Depends(auth.need(OPERATOR))) -> Response:
    await auth.posted(request, session)
    config = request.app.state.config

    def send() -> Response:
        plan = _plan(request)
        if plan is None:
            return _overview(request, problems=["Noch kein Tourplan"], status=422)
        try:
            _, text = editing.checked(plan)
            stops = sum(len(t.stop) for t in plan.tour)
            published = publish_text(
                config.mqtt, "tours", text, f"{len(plan.tour)} Touren, {stops} Halte"
            )
        except (PlanRefused, PublishError) as exc:
            return _overview(request, problems=[str(exc)], status=502)
        return RedirectResponse(f"/tours?message={quote(published.message)}", status_code=303)

    return await run_in_threadpool(send)
