"""The public arrival boards: a page per stop, reached by its unguessable link, no login.

A board shows one stop: its name, today's state in very large type (the expected time, "ist
da", "fällt heute aus: …"), how old the basis is when the truck is silent, the planned time,
and the next visits. Never a position, another stop, a truck or a figure. The texts are worked
out here, on the server, and the page, its JSON (``/stand``) and its event stream (``/events``)
all send the same state; the page's script only puts the texts in place.

The stream looks every second (the ingest keeps positions and stop events in the store) and
sends the state when it changed; a renewed link's open board is told it is gone and shows
nothing. "Now" is the clock of the web's live events (``app.state.events.clock``), so tests
and replays can set it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from hub.arrivals.forecast import arrivals_this_second
from hub.arrivals.model import Arrival, State
from hub.arrivals.timetable import DAY_NAMES, MONTHS
from hub.web import arrival_pages
from tourkasse.tour import TourPlan
from tourkasse.visits import PlannedVisit, stop_of, visits

router = APIRouter()
router.include_router(arrival_pages.router)

POLL_S = 1.0  # how often an open board looks whether its state changed
KEEPALIVE_S = 15.0  # a comment line now and then keeps proxies from closing the stream
NEXT_VISITS = 4
LOOK_AHEAD_DAYS = 120  # the next visits are looked for this far ahead
NO_INDEX = {"x-robots-tag": "noindex, nofollow"}  # no-store: the security headers
TIME = re.compile(r"\d{2}:\d{2}")
# the short word shown in very large type where the state has no time to show
WORDS = {
    State.HERE: "Ist da",
    State.VISITED: "War da",
    State.MISSED: "Nicht erfasst",
    State.CANCELLED: "Fällt aus",
}

GONE = (
    '<!doctype html><html lang="de"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<meta name="robots" content="noindex"><title>Anzeige nicht gefunden</title></head>'
    "<body><p>Diese Anzeige gibt es nicht (mehr). Bitte fragen Sie beim Betreiber des "
    "Verkaufswagens nach dem neuen Link.</p></body></html>"
)


async def stop_of_token(request: Request, token: str) -> str | None:
    """The stop whose board ``token`` opens; None for an unknown or renewed link."""

    def look() -> str | None:
        with request.app.state.stores() as store:
            return store.board_links.stop_for(token)

    return await run_in_threadpool(look)


def gone() -> HTMLResponse:
    """What an unknown or renewed link shows: nothing about any stop."""
    return HTMLResponse(GONE, status_code=404, headers={"cache-control": "no-store"})


def now_of(app: FastAPI) -> datetime:
    """The web's "now" (UTC): the live events' clock, which tests and replays set."""
    moment: datetime = app.state.events.clock()
    return moment


# --- what a board says ---------------------------------------------------------------------
def board_state(app: FastAPI, token: str) -> dict[str, Any] | None:
    """The board of ``token`` as texts; None for an unknown or renewed link, or a stop the
    plan no longer has. Blocking: run it in a thread."""
    with app.state.stores() as store:
        stop_id = store.board_links.stop_for(token)
        if stop_id is None:
            return None
        plan: TourPlan | None = app.state.plan()
        if plan is None or stop_of(plan, stop_id) is None:
            return None
        now = now_of(app)
        found = arrivals_this_second(store, plan, now, app.state.config.arrivals)
    arrival = next((a for a in found if a.stop == stop_id), None)
    return board(plan, stop_id, arrival, now)


def board(plan: TourPlan, stop_id: str, arrival: Arrival | None, now: datetime) -> dict[str, Any]:
    """What the board of ``stop_id`` shows at ``now``, given today's ``arrival`` (None: the
    truck does not come today)."""
    zone = ZoneInfo(plan.timezone)
    today = now.astimezone(zone).date()
    stop = stop_of(plan, stop_id)
    assert stop is not None
    coming = visits(plan, stop_id, today + timedelta(days=1), LOOK_AHEAD_DAYS)[:NEXT_VISITS]
    state: dict[str, Any] = {
        "stop": arrival.name if arrival else stop.name,
        "day": f"{DAY_NAMES[today.weekday()]}, {today.day}. {MONTHS[today.month - 1]}",
        "next": [_visit(v, zone) for v in coming],
        "as_of": f"Stand der Anzeige: {now.astimezone(zone):%H:%M} Uhr",
    }
    if arrival is None:
        following = next((v for v in coming if not v.cancelled), None)
        return state | {
            "state": "none",
            "headline": "Heute nicht",
            "big": "word",
            "text": "Heute kommt der Verkaufswagen nicht",
            "basis": "",
            "planned": "",
            "next_visit": f"Nächster Besuch: {_long(following, zone)}" if following else "",
        }
    text = arrival.text(zone)
    shown = TIME.search(text)
    timed = arrival.state in (State.EXPECTED, State.SCHEDULED) and not arrival.overdue
    if timed and shown:
        headline, big = shown.group(0), "time"
    else:
        headline, big = WORDS.get(arrival.state, "Keine Meldung"), "word"
    planned = f"{_clock(arrival.planned, zone)}–{_clock(arrival.planned_depart, zone)} Uhr"
    return state | {
        "state": arrival.state.value,
        "headline": headline,
        "big": big,
        "text": text,
        "basis": arrival.basis_text(zone),
        "planned": f"laut Fahrplan {planned}" if arrival.state is not State.CANCELLED else "",
        "next_visit": "",
    }


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def _short(day: date) -> str:
    return f"{DAY_NAMES[day.weekday()][:2]}, {day.day}.{day.month}."


def _long(visit: PlannedVisit, zone: ZoneInfo) -> str:
    day = visit.date
    return (
        f"{DAY_NAMES[day.weekday()]}, {day.day}. {MONTHS[day.month - 1]}, "
        f"{_clock(visit.arrive, zone)} Uhr"
    )


def _visit(visit: PlannedVisit, zone: ZoneInfo) -> dict[str, Any]:
    if visit.cancelled:
        what = f"fällt aus: {visit.reason}" if visit.reason else "fällt aus"
    else:
        what = f"{_clock(visit.arrive, zone)}–{_clock(visit.depart, zone)} Uhr"
    return {"day": _short(visit.date), "text": what, "cancelled": visit.cancelled}


# --- the routes ----------------------------------------------------------------------------
@router.get("/tafel/{token}")
async def board_page(request: Request, token: str) -> Response:
    state = await run_in_threadpool(board_state, request.app, token)
    if state is None:
        return gone()
    base = f"/tafel/{token}"
    return request.app.state.templates.TemplateResponse(
        request,
        "board.html",
        {
            "board": state,
            "events": f"{base}/events",
            "stand": f"{base}/stand",
            "timetable": f"{base}/fahrplan",
            "calendar": f"{base}/kalender.ics",
        },
        headers=NO_INDEX,
    )


@router.get("/tafel/{token}/stand")
async def board_json(request: Request, token: str) -> Response:
    state = await run_in_threadpool(board_state, request.app, token)
    if state is None:
        return JSONResponse({"detail": "Diese Anzeige gibt es nicht (mehr)."}, status_code=404)
    return JSONResponse(state, headers=NO_INDEX)


@router.get("/tafel/{token}/events")
async def board_events(request: Request, token: str) -> Response:
    first = await run_in_threadpool(board_state, request.app, token)
    if first is None:
        return JSONResponse({"detail": "Diese Anzeige gibt es nicht (mehr)."}, status_code=404)

    async def stream() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        sent = _event("board", first)
        yield sent
        quiet = 0.0
        while not await request.is_disconnected():
            await asyncio.sleep(POLL_S)
            try:
                state = await run_in_threadpool(board_state, request.app, token)
            except Exception:  # the store may be down a while: the board keeps what it shows
                continue
            if state is None:
                yield _event("gone", {})
                return
            news = _event("board", state)
            if news != sent:
                sent, quiet = news, 0.0
                yield news
                continue
            quiet += POLL_S
            if quiet >= KEEPALIVE_S:
                quiet = 0.0
                yield ": still here\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no", **NO_INDEX},
    )


def _event(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False, sort_keys=True)}\n\n"
