"""Ordering for a stop's next visits on the web: a seniors' home's account (role "home",
``/bestellungen``) and the stop's board link (``/tafel/<token>/bestellen``, no login).

Both show one page: the stop's orderable visits (cancelled ones with their reason, closed ones
with their deadline), the current article list, a form of lines (article, quantity, for whom)
and the stop's orders with the operator's decisions and, once collected, the receipt's real
figures. A home's account sees all orders of its own stop (board ones too: they are for its
stop). The board link hangs in public, so it shows only the orders placed from this very
browser: a browser gets a random key in a cookie (``tourkasse_browser``, HttpOnly,
SameSite=strict, this ordering path only, 180 days) when it first orders, and its orders keep
the key's SHA-256. Any other order number (another stop's, the home's, another browser's)
answers 404 and says nothing about that order.

The board's forms have no session. They carry a token that must equal a cookie the page set
(double submit, as the login form does); the cookie is HttpOnly, SameSite=strict and sent
only to this stop's ordering path, so another site cannot place an order through a visitor's
browser. The service (``hub.orders.service``) checks everything else and says in words what
it refuses (``OrderRefused``): the page shows that with the form as it was sent.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from hub.access import HOME, token_hash
from hub.orders import service
from hub.orders.catalogue import current_articles, deposit_in
from hub.orders.model import MAX_LINES, Channel, Order, OrderRefused, OrderState, quantity_text
from hub.store.users import Session
from hub.web import auth, board_pages
from hub.web.order_forms import (
    ROWS,
    Form,
    Row,
    form_of,
    received,
    rows_of_order,
    visit_view,
    wanted_lines,
    when,
)
from hub.web.pages import render
from hub.web.texts import translator

router = APIRouter()

MORE = 10  # lines "Weitere Zeilen" adds
SINCE_DAYS = 14  # the stop's orders are listed from this many days back
BOARD_ORDERER = "Aushang"
ORDER_COOKIE = "tourkasse_order"
BROWSER_COOKIE, BROWSER_DAYS = "tourkasse_browser", 180  # the key to a browser's board orders
BROWSER_KEY = re.compile(r"[A-Za-z0-9_-]{40,64}")  # as secrets.token_urlsafe(32) makes them
DONE = {"placed": "orders.placed", "changed": "orders.changed", "cancelled": "orders.cancelled"}


@dataclass(frozen=True)
class Orderer:
    """Who orders on this page, for which stop, and where the page is."""

    stop: str
    channel: Channel
    name: str  # the order's orderer: the home's user name, or "Aushang"
    base: str  # the page's path
    csrf: str  # the token its forms carry
    key: str = field(default="", repr=False)  # board: the browser's key (its cookie)

    @property
    def owner(self) -> str | None:
        """Board: the SHA-256 of the browser's key, which its orders carry (no key: a value
        no order has); the service finds only orders with it. A home: None, all its stop's."""
        return None if self.channel is Channel.HOME else token_hash(self.key) if self.key else "-"

    def may_see(self, order: Order) -> bool:
        """Stop and channel; whose browser placed a board order the store checks (``owner``)."""
        if order.stop != self.stop:
            return False
        return self.channel is Channel.HOME or order.channel is Channel.BOARD


# --- what the page shows -------------------------------------------------------------------
def page_data(app: FastAPI, who: Orderer) -> dict[str, Any]:
    """Everything the page shows; blocking: run it in a thread."""
    plan = app.state.plan()
    now = board_pages.now_of(app)
    zone = ZoneInfo(plan.timezone if plan else app.state.config.timezone)
    since = now.astimezone(zone).date() - timedelta(days=SINCE_DAYS)
    with app.state.stores() as store:
        articles = service.orderable_articles(store)
        current = current_articles(store)
        deposits = {a.number: deposit_in(current, a) for a in articles}
        visits = service.orderable_visits(store, plan, who.stop, now) if plan else []
        found = service.orders_of_stop(store, who.stop, since=since, owner_key=who.owner)
        orders = [o for o in found if who.may_see(o)]
    open_days = {v.day for v in visits if not v.cancelled and now < v.deadline}
    gone_days = {v.day for v in visits if v.cancelled}  # or the visit left the plan:
    mine = [o for o in orders if o.state is OrderState.OPEN]
    changeable = {o.number for o in mine if o.visit in open_days}
    planned = {v.day for v in visits}
    today = now.astimezone(zone).date()
    cancellable = changeable | {
        o.number
        for o in mine
        if o.visit in gone_days or (o.visit >= today and o.visit not in planned)
    }
    return {
        "stop_name": (plan.stop_names() if plan else {}).get(who.stop, who.stop),
        "articles": articles,
        "by_number": {a.number: a for a in articles},
        "deposits": deposits,
        "visits": [visit_view(v, now, zone) for v in visits],
        "orders": orders,
        "changeable": changeable,
        "cancellable": cancellable,
        "called_off": {v.day: v.reason for v in visits if v.cancelled},
        "zone": zone,
    }


def show(
    request: Request,
    who: Orderer,
    *,
    data: dict[str, Any],
    form: Form | None = None,
    editing: Order | None = None,
    problem: str = "",
    status_code: int = 200,
) -> Response:
    if form is None:
        rows = rows_of_order(editing) if editing else [Row() for _ in range(ROWS)]
        form = Form(rows, note=editing.note if editing else "")
    done = DONE.get(request.query_params.get("done", ""))
    number = request.query_params.get("order", "")
    t = translator(auth.language(request))
    message = t(done, number=number) if done and re.fullmatch(r"[A-Za-z0-9-]{1,20}", number) else ""
    page = render(
        request,
        "orders_page.html",
        {
            **data,
            "who": who,
            "form": form,
            "editing": editing,
            "problem": problem,
            "message": message,
            "quantity_text": quantity_text,
            "received": received,
            "when": lambda moment: when(moment, data["zone"]),
            "action": f"{who.base}/{editing.number}" if editing else who.base,
        },
        status_code=status_code,
    )
    if who.channel is Channel.BOARD:
        page.headers.update(board_pages.NO_INDEX)
        page.set_cookie(
            ORDER_COOKIE,
            who.csrf,
            path=who.base,
            httponly=True,
            samesite="strict",
            secure=request.app.state.config.web.secure_cookies,
            max_age=24 * 3600,  # a form left open over lunch still sends
        )
    return page


def not_here(request: Request) -> Response:
    """Another stop's order, or none: 404, saying nothing about it."""
    return render(request, "order_gone.html", {}, status_code=404)


# --- placing, changing, cancelling ---------------------------------------------------------
async def page(request: Request, who: Orderer, number: str | None = None) -> Response:
    data = await run_in_threadpool(page_data, request.app, who)
    editing = None
    if number is not None:
        editing = next((o for o in data["orders"] if o.number == number), None)
        if editing is None:
            editing = await run_in_threadpool(_find, request.app, who, number)
            if editing is None:
                return not_here(request)
        if editing.number not in data["changeable"]:
            problem = translator(auth.language(request))("orders.not_changeable", number=number)
            return show(request, who, data=data, problem=problem)
    return show(request, who, data=data, editing=editing)


def _find(app: FastAPI, who: Orderer, number: str) -> Order | None:
    with app.state.stores() as store:
        found = service.find_order(store, number, stop=who.stop, owner_key=who.owner)
    return found if found is not None and who.may_see(found) else None


async def send(request: Request, who: Orderer, data_in: Any, number: str | None) -> Response:
    """The form sent: more lines, a new order, or a changed one."""
    form = form_of(data_in)
    editing = await run_in_threadpool(_find, request.app, who, number) if number else None
    if number and editing is None:
        return not_here(request)
    data = await run_in_threadpool(page_data, request.app, who)
    if data_in.get("action") == "more":
        form.rows += [Row() for _ in range(min(MORE, MAX_LINES - len(form.rows)))]
        return show(request, who, data=data, form=form, editing=editing)
    try:
        lines = wanted_lines(form.rows, data["by_number"])
    except OrderRefused as exc:
        return show(
            request, who, data=data, form=form, editing=editing, problem=str(exc), status_code=400
        )

    def save() -> Order:
        app = request.app
        now = board_pages.now_of(app)
        with app.state.stores() as store:
            if editing is not None:
                return service.change_order(
                    store, app.state.plan(), editing.number, stop=who.stop, note=form.note,
                    lines=lines, now=now,
                )  # fmt: skip
            try:
                day = date.fromisoformat(form.visit)
            except ValueError:
                raise OrderRefused("Bitte den Besuch wählen, für den bestellt wird.") from None
            return service.place_order(
                store, app.state.plan(), stop=who.stop, day=day, channel=who.channel,
                orderer=who.name, note=form.note, lines=lines, now=now, owner_key=who.owner,
            )  # fmt: skip

    try:
        order = await run_in_threadpool(save)
    except OrderRefused as exc:
        return show(
            request, who, data=data, form=form, editing=editing, problem=str(exc), status_code=409
        )
    done = "changed" if editing else "placed"
    return RedirectResponse(f"{who.base}?done={done}&order={quote(order.number)}", 303)


async def cancel(request: Request, who: Orderer, number: str) -> Response:
    if await run_in_threadpool(_find, request.app, who, number) is None:
        return not_here(request)

    def drop() -> Order:
        app = request.app
        with app.state.stores() as store:
            return service.cancel_order(
                store, app.state.plan(), number, stop=who.stop, now=board_pages.now_of(app)
            )

    try:
        await run_in_threadpool(drop)
    except OrderRefused as exc:
        data = await run_in_threadpool(page_data, request.app, who)
        return show(request, who, data=data, problem=str(exc), status_code=409)
    return RedirectResponse(f"{who.base}?done=cancelled&order={quote(number)}", 303)


# --- a home's account ----------------------------------------------------------------------
HOME_BASE = "/bestellungen"


def home_orderer(request: Request, session: Session) -> Orderer | None:
    stop = session.user.stop
    if not stop:
        return None
    return Orderer(stop, Channel.HOME, session.user.name, HOME_BASE, session.csrf)


def no_stop(request: Request) -> Response:
    t = translator(auth.language(request))
    return render(request, "forbidden.html", {"message": t("orders.no_stop")}, status_code=403)


@router.get(HOME_BASE)
async def home_page(request: Request, session: Session = Depends(auth.need(HOME))) -> Response:
    who = home_orderer(request, session)
    return await page(request, who) if who else no_stop(request)


@router.get(HOME_BASE + "/{number}")
async def home_order(
    request: Request, number: str, session: Session = Depends(auth.need(HOME))
) -> Response:
    who = home_orderer(request, session)
    return await page(request, who, number) if who else no_stop(request)


@router.post(HOME_BASE)
async def home_place(request: Request, session: Session = Depends(auth.need(HOME))) -> Response:
    form = await auth.posted(request, session)
    who = home_orderer(request, session)
    return await send(request, who, form, None) if who else no_stop(request)


@router.post(HOME_BASE + "/{number}")
async def home_change(
    request: Request, number: str, session: Session = Depends(auth.need(HOME))
) -> Response:
    form = await auth.posted(request, session)
    who = home_orderer(request, session)
    return await send(request, who, form, number) if who else no_stop(request)


@router.post(HOME_BASE + "/{number}/storno")
async def home_cancel(
    request: Request, number: str, session: Session = Depends(auth.need(HOME))
) -> Response:
    await auth.posted(request, session)
    who = home_orderer(request, session)
    return await cancel(request, who, number) if who else no_stop(request)


# --- the stop's board link -----------------------------------------------------------------
async def board_orderer(request: Request, token: str, *, issue: bool = False) -> Orderer | None:
    """``issue``: a browser without a key gets one (it places an order). Not on merely
    looking: a page opened from another site gets no SameSite=strict cookie, and a new key
    would replace the browser's own."""
    stop = await board_pages.stop_of_token(request, token)
    if stop is None:
        return None
    csrf = request.cookies.get(ORDER_COOKIE) or secrets.token_urlsafe(32)
    key = request.cookies.get(BROWSER_COOKIE, "")
    if not BROWSER_KEY.fullmatch(key):
        key = secrets.token_urlsafe(32) if issue else ""
    return Orderer(stop, Channel.BOARD, BOARD_ORDERER, f"/tafel/{token}/bestellen", csrf, key)


def kept(request: Request, who: Orderer, response: Response) -> Response:
    """The board page's answer with the browser's key, if it has one (new, or renewed for
    another 180 days), also on the redirect after its first order."""
    if not who.key:
        return response
    response.set_cookie(
        BROWSER_COOKIE,
        who.key,
        path=who.base,
        httponly=True,
        samesite="strict",
        secure=request.app.state.config.web.secure_cookies,
        max_age=BROWSER_DAYS * 24 * 3600,
    )
    return response


async def board_form(request: Request, who: Orderer) -> Any:
    """The form, once its token matches the page's cookie (``auth.CsrfRefused`` if not)."""
    form = await request.form()
    sent = form.get("csrf")
    cookie = request.cookies.get(ORDER_COOKIE)
    if not cookie or not isinstance(sent, str) or not secrets.compare_digest(cookie, sent):
        raise auth.CsrfRefused()
    return form


@router.get("/tafel/{token}/bestellen")
async def board_page(request: Request, token: str) -> Response:
    who = await board_orderer(request, token)
    return kept(request, who, await page(request, who)) if who else board_pages.gone()


@router.get("/tafel/{token}/bestellen/{number}")
async def board_order(request: Request, token: str, number: str) -> Response:
    who = await board_orderer(request, token)
    return kept(request, who, await page(request, who, number)) if who else board_pages.gone()


@router.post("/tafel/{token}/bestellen")
async def board_place(request: Request, token: str) -> Response:
    who = await board_orderer(request, token, issue=True)
    if who is None:
        return board_pages.gone()
    return kept(request, who, await send(request, who, await board_form(request, who), None))


@router.post("/tafel/{token}/bestellen/{number}")
async def board_change(request: Request, token: str, number: str) -> Response:
    who = await board_orderer(request, token)
    if who is None:
        return board_pages.gone()
    return kept(request, who, await send(request, who, await board_form(request, who), number))


@router.post("/tafel/{token}/bestellen/{number}/storno")
async def board_cancel(request: Request, token: str, number: str) -> Response:
    who = await board_orderer(request, token)
    if who is None:
        return board_pages.gone()
    await board_form(request, who)
    return kept(request, who, await cancel(request, who, number))
