"""The timetables: a stop's calendar feed and its printable timetable, public behind the
stop's board link (``/tafel/{token}/…``, no login), and a tour's printable timetable for the
operator.

A board link opens that one stop's times and nothing else: no other stop, no truck, no
figures. An unknown or renewed link, or one of a stop no longer in the plan, shows the
board's empty "not found" page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hub.access import OPERATOR
from hub.arrivals.calendar import stop_feed
from hub.arrivals.timetable import short_date, stop_timetable, tour_timetable
from hub.web import auth
from hub.web.board_pages import gone, stop_of_token
from hub.web.pages import render
from tourkasse.tour import TourPlan

router = APIRouter()
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _today(plan: TourPlan) -> date:
    return datetime.now(ZoneInfo(plan.timezone)).date()


async def _plan_and_stop(request: Request, token: str) -> tuple[TourPlan, str] | None:
    stop_id = await stop_of_token(request, token)
    if stop_id is None:
        return None
    plan: TourPlan | None = await run_in_threadpool(request.app.state.plan)
    if plan is None:
        return None
    return plan, stop_id


@router.get("/tafel/{token}/kalender.ics")
async def stop_calendar(request: Request, token: str) -> Response:
    """The stop's visits for eight weeks, for a calendar app to subscribe to."""
    found = await _plan_and_stop(request, token)
    if found is None:
        return gone()
    plan, stop_id = found
    feed = stop_feed(plan, stop_id, _today(plan), datetime.now(UTC))
    if feed is None:
        return gone()
    return Response(
        feed,
        media_type=CALENDAR_TYPE,
        headers={"content-disposition": f'inline; filename="verkaufswagen-{stop_id}.ics"'},
    )


@router.get("/tafel/{token}/fahrplan")
async def stop_timetable_page(request: Request, token: str) -> Response:
    """The stop's weekly rhythm and its next four weeks, to print for the notice board."""
    found = await _plan_and_stop(request, token)
    if found is None:
        return gone()
    plan, stop_id = found
    today = _today(plan)
    timetable = stop_timetable(plan, stop_id, today)
    if timetable is None:
        return gone()
    feed = f"/tafel/{token}/kalender.ics"
    return render(
        request,
        "timetable_stop.html",
        {
            "timetable": timetable,
            "feed": feed,
            "subscribe": f"webcal://{request.url.netloc}{feed}",
            "as_of": short_date(today),
        },
    )


@router.get("/tours/{tour_id}/fahrplan", dependencies=[Depends(auth.need(OPERATOR))])
def tour_timetable_page(request: Request, tour_id: str) -> Response:
    """A tour's stops per weekday and the next four weeks' exceptions, for the driver."""
    plan: TourPlan | None = request.app.state.plan()
    timetable = tour_timetable(plan, tour_id, _today(plan)) if plan is not None else None
    if plan is None or timetable is None:
        return render(
            request,
            "timetable_tour.html",
            {"timetable": None, "problem": f"Die Tour „{tour_id}“ gibt es nicht."},
            status_code=404,
        )
    return render(
        request,
        "timetable_tour.html",
        {"timetable": timetable, "problem": "", "as_of": short_date(_today(plan))},
    )
