"""The operator's page of the arrival boards (``/arrivals``): every stop of today's tours with
what its board says now, its board link (made on first view), renewing the link, and calling
a stop off for today or taking that back.

Calling a stop off saves a new version of the tour plan with a day's exception (the stop
skipped, the reason as its note), checked as every plan change is; the boards show it at once,
the trucks when the plan is next sent to them ("An die Wagen senden").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from hub.access import OPERATOR
from hub.arrivals.forecast import arrivals_today
from hub.arrivals.model import State
from hub.store.users import Session
from hub.tours import editing
from hub.tours.editing import PlanRefused
from hub.typed_text import one_line
from hub.web import auth
from hub.web.pages import render
from tourkasse.tour import DayException, TourPlan
from tourkasse.visits import stop_of, tour_visits

router = APIRouter()
REASON_CHARS = 80  # a reason fits on the board's line


def _now(request: Request) -> datetime:
    """The web's "now": the live events' clock, as the boards use it."""
    moment: datetime = request.app.state.events.clock()
    return moment


def _today(request: Request, plan: TourPlan) -> date:
    return _now(request).astimezone(ZoneInfo(plan.timezone)).date()


def _own_skip(plan: TourPlan, day: date, tour: str, stop: str) -> bool:
    """Whether ``stop`` is skipped on ``day`` by a stop's own exception (not the whole tour
    or a holiday): that cancellation can be taken back here."""
    return any(
        e.date == day.isoformat() and e.tour == tour and stop in e.skip and not e.cancelled
        for e in plan.exception
    )


def _page(
    request: Request, *, message: str = "", problems: list[str] | None = None, status: int = 200
) -> Response:
    config = request.app.state.config
    base = str(request.base_url).rstrip("/")
    session: Session = request.state.session
    now = _now(request)
    with request.app.state.stores() as store:
        plan = editing.current_plan(store, config.tours.file)
        found = arrivals_today(store, plan, now, config.arrivals) if plan else []
        links = {
            stop_id: store.board_links.ensure(stop_id, session.user.name, now)
            for stop_id in (plan.stop_names() if plan else {})
        }
    zone = ZoneInfo(plan.timezone if plan else config.timezone)
    today = now.astimezone(zone).date()
    tours: dict[str, dict[str, Any]] = {}
    for arrival in found:
        tour = next(t for t in plan.tours if t.id == arrival.tour) if plan else None
        group = tours.setdefault(
            arrival.tour,
            {"id": arrival.tour, "name": tour.name if tour else arrival.tour,
             "truck": arrival.truck, "stops": []},
        )  # fmt: skip
        group["stops"].append(
            {
                "id": arrival.stop,
                "name": arrival.name,
                "text": arrival.text(zone),
                "basis": arrival.basis_text(zone),
                "cancelled": arrival.state is State.CANCELLED,
                "own_skip": plan is not None and _own_skip(plan, today, arrival.tour, arrival.stop),
                "link": f"{base}/tafel/{links[arrival.stop].token}",
                "token": links[arrival.stop].token,
            }
        )
    on_tour = {a.stop for a in found}
    others = [
        {"id": stop_id, "name": name, "link": f"{base}/tafel/{links[stop_id].token}",
         "token": links[stop_id].token}
        for stop_id, name in (plan.stop_names().items() if plan else ())
        if stop_id not in on_tour
    ]  # fmt: skip
    return render(
        request,
        "arrivals.html",
        {
            "tours": list(tours.values()),
            "others": others,
            "today": today,
            "message": message or request.query_params.get("message", ""),
            "problems": problems or [],
            "reason_chars": REASON_CHARS,
        },
        status_code=status,
    )


@router.get("/arrivals", dependencies=[Depends(auth.need(OPERATOR))])
def arrivals_page(request: Request) -> Response:
    return _page(request)


def _back(message: str) -> Response:
    return RedirectResponse(f"/arrivals?message={quote(message)}", status_code=303)


@router.post("/arrivals/{stop_id}/link")
async def renew_link(
    request: Request, stop_id: str, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    await auth.posted(request, session)

    def renew() -> Response:
        plan = request.app.state.plan()
        if plan is None or stop_of(plan, stop_id) is None:
            return _page(request, problems=[f"Den Halt {stop_id} gibt es nicht"], status=404)
        with request.app.state.stores() as store:
            store.board_links.renew(stop_id, session.user.name, _now(request))
        name = plan.stop_names()[stop_id]
        return _back(f"Neuer Link für {name}; der alte zeigt nichts mehr.")

    return await run_in_threadpool(renew)


def _change(
    request: Request, session: Session, what: str, change: Callable[[TourPlan], TourPlan]
) -> Response:
    """Apply ``change`` to the current plan and keep it as a new version, or show why not."""
    try:
        with request.app.state.stores() as store:
            plan = editing.current_plan(store, request.app.state.config.tours.file)
            if plan is None:
                raise PlanRefused(["Noch kein Tourplan"])
            version = editing.save(store, change(plan), session.user.name, what, datetime.now(UTC))
    except PlanRefused as exc:
        return _page(request, problems=exc.problems, status=422)
    return _back(
        f"{what} – Tourplan Version {version} gespeichert. Die Wagen bekommen es mit "
        "„An die Wagen senden“."
    )


def _name_of(request: Request, stop_id: str) -> str:
    plan: TourPlan | None = request.app.state.plan()
    return plan.stop_names().get(stop_id, stop_id) if plan else stop_id


def _visit_today(request: Request, plan: TourPlan, stop_id: str, tour_id: str) -> Any:
    today = _today(request, plan)
    return next((v for v in tour_visits(plan, tour_id, today) if v.stop.id == stop_id), None)


@router.post("/arrivals/{stop_id}/cancel")
async def cancel_stop(
    request: Request, stop_id: str, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    form = await auth.posted(request, session)
    tour_id = str(form.get("tour", ""))
    reason = one_line(str(form.get("reason", "")))
    if not reason:
        problem = "Bitte einen kurzen Grund angeben – er steht auf der Anzeige des Halts."
    elif len(reason) > REASON_CHARS:
        problem = (
            f"Der Grund hat {len(reason)} Zeichen; auf die Anzeige passen höchstens {REASON_CHARS}."
        )
    else:
        problem = ""
    if problem:
        return await run_in_threadpool(lambda: _page(request, problems=[problem], status=422))

    def change(plan: TourPlan) -> TourPlan:
        visit = _visit_today(request, plan, stop_id, tour_id)
        if visit is None:
            raise PlanRefused([f"Der Halt {stop_id} ist heute nicht auf der Tour {tour_id}"])
        if visit.cancelled:
            raise PlanRefused([f"{visit.stop.name} fällt heute schon aus"])
        skip = DayException(date=visit.date.isoformat(), tour=tour_id, skip=(stop_id,), note=reason)
        # a day's exception of its own: the tour's other exceptions that day stay as they are
        return dataclasses.replace(plan, exception=(*plan.exception, skip))

    name = await run_in_threadpool(_name_of, request, stop_id)
    what = f"{name} fällt heute aus" + (f": {reason}" if reason else "")
    return await run_in_threadpool(_change, request, session, what, change)


@router.post("/arrivals/{stop_id}/uncancel")
async def uncancel_stop(
    request: Request, stop_id: str, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    form = await auth.posted(request, session)
    tour_id = str(form.get("tour", ""))

    def change(plan: TourPlan) -> TourPlan:
        today = _today(request, plan)
        if not _own_skip(plan, today, tour_id, stop_id):
            raise PlanRefused(
                [f"Der Halt {stop_id} ist heute nicht einzeln abgesagt (die ganze Tour oder ein "
                 "Feiertag: unter /tours ändern)"]
            )  # fmt: skip
        kept = []
        for e in plan.exception:
            if e.date == today.isoformat() and e.tour == tour_id and stop_id in e.skip:
                e = dataclasses.replace(e, skip=tuple(s for s in e.skip if s != stop_id))
                if not (e.skip or e.cancelled or e.runs):
                    continue  # it said no more than that this stop is off: gone with it
            kept.append(e)
        return dataclasses.replace(plan, exception=tuple(kept))

    name = await run_in_threadpool(_name_of, request, stop_id)
    return await run_in_threadpool(_change, request, session, f"{name} fährt heute doch", change)
