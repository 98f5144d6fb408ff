"""The public arrival boards: a page per stop, reached by its unguessable link, no login.

A board shows one stop: its name, today's state in very large type (the expected time, "ist
da", "fällt heute aus: …"), how old the basis is when the truck is silent, the planned time,
and the next visits. Never a position, another stop, a truck or a figure. The texts are worked
out here, on the server, and the page, its JSON (``/stand``) and its event stream (``/events``)
all send the same state; the page's script only puts the texts in place.

One watcher per web process (``BoardWatcher``, started with the first open stream, ended with
the last) looks every second for all open boards at once — one call in the thread pool, one
store, the forecast worked out once — and puts each board's state into its streams' queues
when it changed (the ingest keeps positions and stop events in the store); a renewed link's
open board is told it is gone and shows nothing. Every ``KEEPALIVE_S`` a quiet stream sends a
``ping`` event, by which the page notices a connection that silently broke. "Now" is the clock
of the web's live events (``app.state.events.clock``), so tests and replays can set it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from collections.abc import AsyncIterator, Iterable
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

POLL_S = 1.0  # how often the watcher looks whether an open board's state changed
KEEPALIVE_S = 15.0  # a quiet stream sends a ping this often (proxies, the page's watchdog)
QUIET_TIMES = 3  # the page takes the connection as lost after this many keepalives of silence
QUEUED = 4  # states waiting for a slow client; the oldest go first
PING = "event: ping\ndata: {}\n\n"
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
OVER = (State.VISITED, State.MISSED, State.CANCELLED)  # a visit of today no longer ahead

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
    return board_states(app, [token])[token]


def board_states(app: FastAPI, tokens: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    """The boards of ``tokens`` (as ``board_state``) with one store and one forecast.
    Blocking: run it in a thread."""
    wanted = list(dict.fromkeys(tokens))
    with app.state.stores() as store:
        if len(wanted) == 1:
            stops = {wanted[0]: store.board_links.stop_for(wanted[0])}
        else:
            links = {link.token: stop for stop, link in store.board_links.all().items()}
            stops = {token: links.get(token) for token in wanted}
        plan: TourPlan | None = app.state.plan() if any(stops.values()) else None
        now = now_of(app)
        found = arrivals_this_second(store, plan, now, app.state.config.arrivals) if plan else []
    states: dict[str, dict[str, Any] | None] = {}
    for token, stop_id in stops.items():
        if plan is None or stop_id is None or stop_of(plan, stop_id) is None:
            states[token] = None
        else:
            states[token] = board(plan, stop_id, arrival_now(found, stop_id), now)
    return states


def arrival_now(found: list[Arrival], stop_id: str) -> Arrival | None:
    """Of today's visits of ``stop_id`` (two tours may come), the one that matters now: the
    first still ahead or here, else the last one."""
    mine = [a for a in found if a.stop == stop_id]
    return next((a for a in mine if a.state not in OVER), mine[-1] if mine else None)


_coming: dict[tuple[int, str, date], tuple[TourPlan, list[PlannedVisit]]] = {}
_coming_lock = threading.Lock()


def next_visits(plan: TourPlan, stop_id: str, after: date) -> list[PlannedVisit]:
    """The next visits of ``stop_id`` after the day ``after``; kept per plan, stop and day (a
    new plan is a new object)."""
    key = (id(plan), stop_id, after)
    with _coming_lock:
        known = _coming.get(key)
    if known is not None and known[0] is plan:
        return known[1]
    coming = visits(plan, stop_id, after + timedelta(days=1), LOOK_AHEAD_DAYS)[:NEXT_VISITS]
    with _coming_lock:
        if len(_coming) > 2000:
            _coming.clear()
        _coming[key] = (plan, coming)
    return coming


def board(plan: TourPlan, stop_id: str, arrival: Arrival | None, now: datetime) -> dict[str, Any]:
    """What the board of ``stop_id`` shows at ``now``, given today's ``arrival`` (None: the
    truck does not come today)."""
    zone = ZoneInfo(plan.timezone)
    today = now.astimezone(zone).date()
    stop = stop_of(plan, stop_id)
    assert stop is not None
    coming = next_visits(plan, stop_id, today)
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
    says_plan = arrival.state is State.CANCELLED or arrival.overdue  # the text has it already
    return state | {
        "state": arrival.state.value,
        "headline": headline,
        "big": big,
        "text": text,
        "basis": arrival.basis_text(zone),
        "planned": "" if says_plan else f"laut Fahrplan {planned}",
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
            "ordering": f"{base}/bestellen",
            "quiet_ms": round(KEEPALIVE_S * QUIET_TIMES * 1000),
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
    watcher = BoardWatcher.of(request.app)

    async def stream() -> AsyncIterator[str]:
        board = Board(token, _event("board", first))
        watcher.add(board)
        try:
            yield "retry: 3000\n\n"
            yield board.sent
            while True:
                try:
                    news = await asyncio.wait_for(board.queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield PING
                    continue
                yield news
                if news.startswith("event: gone"):
                    return
        finally:
            watcher.remove(board)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no", **NO_INDEX},
    )


class Board:
    """One open board's stream: what it was sent last, and what waits to be sent."""

    def __init__(self, token: str, sent: str) -> None:
        self.token = token
        self.sent = sent
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=QUEUED)

    def send(self, event: str) -> None:
        """Queue ``event``; a client too slow to take it loses the oldest state instead."""
        self.sent = event
        if self.queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
        self.queue.put_nowait(event)


class BoardWatcher:
    """The one watcher of a web process's open boards: a task that runs while boards are open
    and every ``POLL_S`` works out all their states in one call in the thread pool."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.boards: dict[str, set[Board]] = {}
        self.task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, app: FastAPI) -> BoardWatcher:
        watcher = getattr(app.state, "board_watcher", None)
        if watcher is None:
            watcher = app.state.board_watcher = cls(app)
        return watcher

    def add(self, board: Board) -> None:
        self.boards.setdefault(board.token, set()).add(board)
        loop = asyncio.get_running_loop()
        task = self.task
        if task is None or task.done() or task.get_loop() is not loop:  # (a test's new loop)
            self.task = loop.create_task(self.watch())

    def remove(self, board: Board) -> None:
        boards = self.boards.get(board.token)
        if boards is not None:
            boards.discard(board)
            if not boards:
                del self.boards[board.token]

    async def watch(self) -> None:
        while self.boards:  # none open: the task ends, the next board starts another
            await asyncio.sleep(POLL_S)
            if not self.boards:
                return
            try:
                states = await run_in_threadpool(board_states, self.app, list(self.boards))
            except Exception:  # the store may be down a while: the boards keep what they show
                continue
            for token, state in states.items():
                boards = self.boards.get(token, set())
                if state is None:
                    self.boards.pop(token, None)
                news = _event("board", state) if state is not None else _event("gone", {})
                for board in list(boards):
                    if news != board.sent:
                        board.send(news)


def _event(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False, sort_keys=True)}\n\n"
