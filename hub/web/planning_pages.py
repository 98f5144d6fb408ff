"""The operator's planning pages: the loading list for a day's tours (printable) and the
evaluation of the stops over a period."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hub.access import OPERATOR
from hub.planning.evaluation import evaluate, period_of
from hub.planning.loading import loading_list
from hub.web import auth
from hub.web.pages import render
from tourkasse.german import WEEKDAYS

router = APIRouter()
MAX_WEEKS = 26


def amount(quantity: int, unit: str) -> str:
    """Pieces as they are, grams as kilograms with a decimal comma."""
    if unit == "kg":
        return f"{quantity / 1000:.1f} kg".replace(".", ",")
    return f"{quantity} St."


def exact(quantity: int, unit: str) -> str:
    """As :func:`amount`, but never rounded: what was ordered must be loaded in full
    ("250 g", "1,25 kg"). Whole tenths of a kilogram (every forecast) look as before."""
    if unit != "kg" or quantity % 100 == 0:
        return amount(quantity, unit)
    if quantity < 1000:
        return f"{quantity} g"
    return f"{quantity / 1000:.3f}".rstrip("0").replace(".", ",") + " kg"


@router.get("/loading", dependencies=[Depends(auth.need(OPERATOR))])
def loading_page(request: Request, day: str = "", weeks: int = 6) -> Response:
    zone = ZoneInfo(request.app.state.config.timezone)
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    try:
        wanted = date.fromisoformat(day) if day else tomorrow
    except ValueError:
        return render(
            request,
            "loading.html",
            {"listing": None, "problem": f"Datum {day!r}: erwartet JJJJ-MM-TT", "day": tomorrow},
            status_code=422,
        )
    weeks = min(max(weeks, 1), MAX_WEEKS)
    with request.app.state.stores() as store:
        listing = loading_list(store, request.app.state.plan(), wanted, weeks, zone)
    return render(
        request,
        "loading.html",
        {
            "listing": listing,
            "day": wanted,
            "amount": amount,
            "exact": exact,
            "weekdays": WEEKDAYS,
            "problem": "",
        },
    )


@router.get("/stops", dependencies=[Depends(auth.need(OPERATOR))])
def stops_page(request: Request, first: str = "", last: str = "") -> Response:
    zone = ZoneInfo(request.app.state.config.timezone)
    today = datetime.now(zone).date()
    try:
        begin, end = period_of(first, last, today)
    except ValueError as exc:
        begin, end = period_of("", "", today)
        return render(
            request,
            "stops.html",
            {"figures": [], "first": begin, "last": end, "problem": f"Zeitraum: {exc}"},
            status_code=422,
        )
    with request.app.state.stores() as store:
        figures = evaluate(store, request.app.state.plan(), begin, end, zone)
    return render(
        request, "stops.html", {"figures": figures, "first": begin, "last": end, "problem": ""}
    )
