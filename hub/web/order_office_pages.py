"""The operator's orders: a day's orders per visit (truck, tour, stop in the order of the
drive), a decision per line (confirm, or decline with a reason), and each stop's order
deadline in hours before its planned arrival.

A decision goes down to the truck at once: after it the page publishes what changed
(``publishing.publish_pending``, in the thread pool). With the broker out of reach the page
says so; the web's publishing loop (``keep_publishing``) sends it when the broker is back.
Every answer to a form is a redirect to the day's page with a fixed message code (and the
order's anchor), or the page again with the refusal in words (409) — never free text in the
address.

A change by the orderer renumbers the order's lines, so a line number alone may name another
article than the operator saw. Each decision form carries the order's ``changed_at`` as the
page showed it; when the order was changed since, nothing is decided and the operator is asked
to reload. (Decisions themselves leave ``changed_at`` as it was: a page stays good for one
decision after another.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from hub.access import OPERATOR
from hub.downloads import PublishError
from hub.orders import publishing, service
from hub.orders.model import Decision, Order, OrderRefused, OrderState, quantity_text
from hub.store.users import Session
from hub.typed_text import one_line
from hub.web import auth, board_pages
from hub.web.order_forms import received, when
from hub.web.pages import render
from hub.web.texts import translator
from tourkasse.config import ConfigError

router = APIRouter()

SAID = {"decided", "deadline"}  # what a form did
SENT = {"sent", "later", "nothing"}  # what publishing did after it


@dataclass
class VisitGroup:
    """The orders of one stop's visit on the day."""

    truck: str
    tour: str
    stop: str
    stop_name: str
    arrive: datetime | None  # UTC, as planned (None: the plan has no such visit that day)
    deadline_hours: int = 0
    orders: list[Order] = field(default_factory=list)

    @property
    def approx_total(self) -> int:
        return sum(o.approx_total for o in self.active)

    @property
    def active(self) -> list[Order]:
        """The orders to load: all but the cancelled ones."""
        return [o for o in self.orders if o.state is not OrderState.CANCELLED]

    @property
    def cancelled(self) -> list[Order]:
        """Cancelled orders, kept on the page for the record."""
        return [o for o in self.orders if o.state is OrderState.CANCELLED]


def groups_of_day(app: FastAPI, day: date) -> list[VisitGroup]:
    """The day's planned visits in the order of each truck's drive, with their orders; a
    visit no longer in the plan but with orders comes last. Blocking: run it in a thread."""
    plan = app.state.plan()
    groups: dict[tuple[str, str], VisitGroup] = {}
    for tour in plan.days(day) if plan else []:
        for scheduled in tour.stops:
            stop = scheduled.stop
            key = (tour.truck, stop.id)
            groups.setdefault(
                key, VisitGroup(tour.truck, tour.tour.name, stop.id, stop.name, scheduled.arrive)
            )
    names = plan.stop_names() if plan else {}
    with app.state.stores() as store:
        for order in service.orders_of_day(store, day):
            key = (order.truck, order.stop)
            if key not in groups:
                name = names.get(order.stop, order.stop)
                groups[key] = VisitGroup(order.truck, "", order.stop, name, None)
            groups[key].orders.append(order)
        for group in groups.values():
            group.deadline_hours = service.deadline_hours(store, group.stop)
    planned = [g for g in groups.values() if g.arrive is not None]
    planned.sort(key=lambda g: (g.truck, g.arrive))
    return planned + [g for g in groups.values() if g.arrive is None]


def today_of(app: FastAPI) -> date:
    zone = ZoneInfo(app.state.config.timezone)
    return board_pages.now_of(app).astimezone(zone).date()


def day_of(app: FastAPI, text: str) -> tuple[date, str]:
    if not text:
        return today_of(app), ""
    try:
        return date.fromisoformat(text), ""
    except ValueError:
        return today_of(app), f"Datum {text!r}: erwartet JJJJ-MM-TT"


def show(request: Request, day: date, *, problem: str = "", status_code: int = 200) -> Response:
    app = request.app
    groups = groups_of_day(app, day)
    t = translator(auth.language(request))
    said = request.query_params.get("said", "")
    sent = request.query_params.get("sent", "")
    said_text = t(f"orders.said_{said}") if said in SAID else ""
    sent_text = t(f"orders.sent_{sent}") if sent in SENT else ""
    message = f"{said_text} {sent_text}".strip()
    zone = ZoneInfo(app.state.config.timezone)
    return render(
        request,
        "orders_office.html",
        {
            "groups": groups,
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "problem": problem,
            "message": message,
            "office": True,
            "quantity_text": quantity_text,
            "received": received,
            "when": lambda moment: when(moment, zone),
            "clock": lambda moment: f"{moment.astimezone(zone):%H:%M}",
        },
        status_code=status_code,
    )


@router.get("/orders", dependencies=[Depends(auth.need(OPERATOR))])
def orders_page(request: Request, day: str = "") -> Response:
    wanted, problem = day_of(request.app, day)
    return show(request, wanted, problem=problem, status_code=422 if problem else 200)


def publish_now(app: FastAPI) -> str:
    """Send the trucks what changed; "later" when the broker cannot be reached (the web's
    publishing loop tries again). Blocking: run it in a thread."""
    try:
        with app.state.stores() as store:
            said = publishing.publish_pending(
                app.state.config, store, app.state.plan(), board_pages.now_of(app)
            )
    except (PublishError, ConfigError) as exc:
        print(f"Bestellungen: nicht gesendet, wird wiederholt: {exc}", flush=True)
        return "later"
    for line in said:
        print(f"Bestellungen: {line}", flush=True)
    return "sent" if said else "nothing"


def as_seen(request: Request, store: Any, number: str, seen: str) -> Order:
    """The order, refused when it was changed since the page that sent ``seen`` (its
    ``changed_at`` as ISO text) was loaded. A form without the field (a page from before
    this check) is taken as it is."""
    order = service.find_order(store, number)
    if order is None:
        raise OrderRefused(f"Eine Bestellung {one_line(number)[:20]} gibt es nicht.")
    if not seen:
        return order
    try:
        then = datetime.fromisoformat(seen)
    except ValueError:
        then = None
    if then is None or then.tzinfo is None or then != order.changed_at:
        t = translator(auth.language(request))
        raise OrderRefused(t("orders.changed_meanwhile", number=order.number))
    return order


async def decided(request: Request, day: date, number: str, change: Any) -> Response:
    """Run ``change`` (blocking, may refuse), then publish, then back to the order on the
    day's page."""
    try:
        await run_in_threadpool(change)
    except OrderRefused as exc:
        problem = str(exc)
        return await run_in_threadpool(lambda: show(request, day, problem=problem, status_code=409))
    sent = await run_in_threadpool(publish_now, request.app)
    anchor = quote(f"order-{number}", safe="")
    return RedirectResponse(f"/orders?day={day.isoformat()}&said=decided&sent={sent}#{anchor}", 303)


@router.post("/orders/{number}/lines/{line}")
async def decide_line(
    request: Request, number: str, line: int, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    form = await auth.posted(request, session)
    day, _ = day_of(request.app, str(form.get("day", "")))
    choice = str(form.get("decision", ""))
    reason = str(form.get("reason", ""))
    seen = str(form.get("changed", ""))

    def change() -> None:
        if choice not in ("confirm", "decline"):
            raise OrderRefused("Bitte „Bestätigen“ oder „Ablehnen“ wählen.")
        decision = Decision.CONFIRMED if choice == "confirm" else Decision.DECLINED
        with request.app.state.stores() as store:
            as_seen(request, store, number, seen)
            service.decide(
                store, number, line, decision, reason, by=session.user.name,
                now=board_pages.now_of(request.app),
            )  # fmt: skip

    return await decided(request, day, number, change)


@router.post("/orders/{number}/confirm-all")
async def confirm_all(
    request: Request, number: str, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    form = await auth.posted(request, session)
    day, _ = day_of(request.app, str(form.get("day", "")))
    seen = str(form.get("changed", ""))

    def change() -> None:
        with request.app.state.stores() as store:
            order = as_seen(request, store, number, seen)
            for line in order.lines:
                if line.decision is Decision.OPEN:
                    service.decide(
                        store, number, line.line, Decision.CONFIRMED, "",
                        by=session.user.name, now=board_pages.now_of(request.app),
                    )  # fmt: skip

    return await decided(request, day, number, change)


@router.post("/orders/deadline")
async def set_deadline(
    request: Request, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    form = await auth.posted(request, session)
    day, _ = day_of(request.app, str(form.get("day", "")))
    stop = str(form.get("stop", ""))
    text = str(form.get("hours", "")).strip()

    def change() -> None:
        plan = request.app.state.plan()
        if plan is None or stop not in plan.stop_names():
            raise OrderRefused(f"Halt {stop!r} gibt es im Tourplan nicht.")
        try:
            hours = int(text)
        except ValueError:
            raise OrderRefused(f"Bestellschluss {text!r}: bitte ganze Stunden angeben.") from None
        with request.app.state.stores() as store:
            service.set_deadline_hours(
                store, stop, hours, by=session.user.name, now=board_pages.now_of(request.app)
            )

    try:
        await run_in_threadpool(change)
    except OrderRefused as exc:
        problem = str(exc)
        return await run_in_threadpool(lambda: show(request, day, problem=problem, status_code=409))
    # a new deadline changes no order the trucks hold: nothing to publish
    return RedirectResponse(f"/orders?day={day.isoformat()}&said=deadline", 303)
