"""The accountant's pages and API: daily sums, closings, card totals, cash book, receipts and
the downloads (CSV, DATEV, PDF, JSON) of a period.

Pages and API share one reading of the store per request (:func:`_daily`); the downloads are
the bytes ``tourkasse hub report daily`` writes, so page and command line never differ.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from hub.access import ACCOUNTANT
from hub.accounting import datev, reading
from hub.accounting.accounts import Accounts
from hub.accounting.cashbook_text import cash_book_csv
from hub.accounting.daily import DailyReport, not_turnover
from hub.accounting.period import Period, PeriodError, parse_day
from hub.accounting.receipts import MOST, FoundReceipt, find_receipts, header_for
from hub.accounting.spreadsheet import sums_csv
from hub.accounting.summary_pdf import summary_pdf
from hub.web import auth
from hub.web.pages import render
from tourkasse.journal import EntryKind, decode_entry
from tourkasse.money import parse_eur
from tourkasse.receipt_text import ShopHeader

router = APIRouter()
ACCOUNTANT_ONLY = [Depends(auth.need(ACCOUNTANT))]
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "datev": ("text/csv; charset=windows-1252", "csv"),
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}


class Refused(Exception):
    """A request the accountant can correct; str() is German."""


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.config.timezone)


def _period(request: Request, first: str, last: str) -> Period:
    """The period asked for; the current month up to today when nothing was asked."""
    today = datetime.now(_zone(request)).date()
    try:
        start = parse_day(first) if first else today.replace(day=1)
        end = parse_day(last) if last else today
        return Period(start, end, _zone(request))
    except PeriodError as exc:
        raise Refused(str(exc)) from None


def _truck(store: Any, truck: str) -> str | None:
    if not truck:
        return None
    if truck not in store.trucks():
        raise Refused(f"Wagen „{truck}“ ist der Zentrale nicht bekannt")
    return truck


def _daily(request: Request, period: Period, truck: str) -> tuple[DailyReport, list[str]]:
    with request.app.state.stores() as store:
        chosen = _truck(store, truck)
        trucks = store.trucks()
        days = store.turnover_days(period.first, period.last, truck=chosen)
        closings = reading.closings(store, period, chosen)
    plan = request.app.state.plan()
    names = plan.stop_names() if plan else {}
    return DailyReport(period, days, closings, names), trucks


def _known(request: Request) -> list[str]:
    with request.app.state.stores() as store:
        return store.trucks()


def _api_refused(exc: Refused) -> HTTPException:
    return HTTPException(422, str(exc))


# --- pages -------------------------------------------------------------------------------
@router.get("/accounts", dependencies=ACCOUNTANT_ONLY)
def accounts_page(
    request: Request,
    first: str = Query("", alias="from"),
    last: str = Query("", alias="to"),
    truck: str = "",
) -> Response:
    return _accounts(request, first, last, truck)


def _accounts(request: Request, first: str, last: str, truck: str, problem: str = "") -> Response:
    """The page; ``problem`` says why a download from it was refused."""
    try:
        period = _period(request, first, last)
        report, trucks = _daily(request, period, truck)
    except Refused as exc:
        problem = str(exc)
        period = _period(request, "", "")
        report, trucks = _daily(request, period, "")
        truck = ""
    return render(
        request,
        "accounts.html",
        {
            "report": report,
            "period": period,
            "truck": truck,
            "trucks": trucks,
            "problem": problem,
            "zone": _zone(request),
            "not_turnover": not_turnover(report.figures),
            "query": f"from={period.first.isoformat()}&to={period.last.isoformat()}"
            + (f"&truck={truck}" if truck else ""),
        },
        status_code=422 if problem else 200,
    )


@router.get("/accounts/cashbook", dependencies=ACCOUNTANT_ONLY)
def cash_book_page(
    request: Request,
    truck: str = "",
    first: str = Query("", alias="from"),
    last: str = Query("", alias="to"),
    format: str = "",
) -> Response:
    problem, book = "", None
    with request.app.state.stores() as store:
        trucks = store.trucks()
        try:
            period = _period(request, first, last)
            if truck:
                book = reading.cash_book_of(store, _truck(store, truck) or truck, period)
        except Refused as exc:
            problem, period = str(exc), _period(request, "", "")
    if book is not None and format == "csv":
        name = f"kassenbuch_{truck}_{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv"
        return _download(cash_book_csv(book, _zone(request)).encode("utf-8"), "csv", name)
    return render(
        request,
        "cashbook.html",
        {"book": book, "period": period, "truck": truck, "trucks": trucks, "problem": problem},
        status_code=422 if problem else 200,
    )


@router.get("/accounts/receipts", dependencies=ACCOUNTANT_ONLY)
def receipts_page(
    request: Request,
    truck: str = "",
    number: str = "",
    amount: str = "",
    first: str = Query("", alias="from"),
    last: str = Query("", alias="to"),
) -> Response:
    problem, found, searched = "", [], bool(truck or number or amount or first or last)
    with request.app.state.stores() as store:
        trucks = store.trucks()
    try:
        period = _period(request, first, last or first)
        if searched:
            found = _receipts(request, period, truck, number, amount)
    except Refused as exc:
        problem, period = str(exc), _period(request, "", "")
    return render(
        request,
        "receipts.html",
        {
            "found": found,
            "period": period,
            "truck": truck,
            "trucks": trucks,
            "number": number,
            "amount": amount,
            "problem": problem,
            "searched": searched,
            "most": MOST,
            "zone": _zone(request),
        },
        status_code=422 if problem else 200,
    )


def _receipts(
    request: Request, period: Period, truck: str, number: str, amount: str
) -> list[FoundReceipt]:
    try:
        wanted_number = int(number) if number.strip() else None
    except ValueError:
        raise Refused(f"Bonnummer „{number}“: bitte eine ganze Zahl") from None
    try:
        wanted_amount = parse_eur(amount) if amount.strip() else None
    except ValueError as exc:
        raise Refused(str(exc)) from None
    with request.app.state.stores() as store:
        chosen = _truck(store, truck)
        datas = store.entries_between((EntryKind.RECEIPT,), period.start, period.end, truck=chosen)
        entries = [decode_entry(data) for data in datas]
        headers = {name: _header(store, name, period) for name in {e.truck for e in entries}}
    return find_receipts(
        entries, number=wanted_number, amount=wanted_amount, headers=headers, most=MOST
    )


def _header(store: Any, truck: str, period: Period) -> ShopHeader:
    """The receipt's head as the truck's closings name company and till: the first closing
    from the period's start on (its latest before, else the truck's name alone)."""
    found = store.first_after(truck, EntryKind.DAILY_CLOSING, period.start) or store.last_before(
        truck, EntryKind.DAILY_CLOSING, period.start
    )
    master = decode_entry(found).body.get("master") if found is not None else None
    return header_for(truck, master if isinstance(master, dict) else None)


# --- downloads ---------------------------------------------------------------------------
def _download(data: bytes, kind: str, name: str) -> Response:
    media = "application/zip" if name.endswith(".zip") else DOWNLOADS[kind][0]
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/accounts/export", dependencies=ACCOUNTANT_ONLY)
def export(
    request: Request,
    format: str,
    first: str = Query("", alias="from"),
    last: str = Query("", alias="to"),
    truck: str = "",
) -> Response:
    if format not in DOWNLOADS:
        raise HTTPException(404, f"Format {format!r}: erwartet csv, datev, pdf oder json")
    try:
        period = _period(request, first, last)
        report, _ = _daily(request, period, truck)
    except Refused as exc:
        # a link the accountant clicked: the page again, with the reason, not bare JSON
        return _accounts(request, first, last, truck if truck in _known(request) else "", str(exc))
    stem = f"tagessummen_{period.first:%Y%m%d}-{period.last:%Y%m%d}" + (
        f"_{truck}" if truck else ""
    )
    if format == "csv":
        return _download(
            sums_csv(report.days, report.names, bom=True).encode(), "csv", f"{stem}.csv"
        )
    if format == "pdf":
        return _download(summary_pdf(report), "pdf", f"{stem}.pdf")
    if format == "json":
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
        return _download(text.encode(), "json", f"{stem}.json")
    return _datev(request, period, truck)


def _datev(request: Request, period: Period, truck: str) -> Response:
    settings = request.app.state.config.accounting
    with request.app.state.stores() as store:
        books = reading.books(store, period, truck or None)
    made = datev.bookings(books, Accounts.of(settings))
    batches = datev.batches(made, period.first, period.last, settings)
    created = datetime.now(UTC).astimezone(_zone(request))
    files = [(b.name, datev.batch_bytes(b, settings, created=created)) for b in batches]
    if len(files) == 1:
        return _download(files[0][1], "datev", files[0][0])
    packed = io.BytesIO()  # one file per fiscal year: handed over as one zip
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    stem = f"datev_{period.first:%Y%m%d}-{period.last:%Y%m%d}.zip"
    return _download(packed.getvalue(), "datev", stem)


@router.get("/accounts/dsfinvk", dependencies=ACCOUNTANT_ONLY)
def dsfinvk(
    request: Request,
    truck: str,
    first: str = Query("", alias="from"),
    last: str = Query("", alias="to"),
) -> Response:
    """The DSFinV-K export of a truck's closings of the period, as the tax auditor gets it:
    the same bytes as ``tourkasse hub export dsfinvk`` and the truck's own export."""
    from tourkasse.dsfinvk import ExportRefused, make_export, read_journal
    from tourkasse.dsfinvk.closings import Selection
    from tourkasse.dsfinvk.export import zip_bytes

    try:
        period = _period(request, first, last)
        with request.app.state.stores() as store:
            chosen = _truck(store, truck) or ""
            if not chosen:
                raise Refused("Für den DSFinV-K-Export bitte einen Wagen wählen")
            data = list(store.journal(chosen))
        selection = Selection(first_day=period.first, last_day=period.last)
        export = make_export(read_journal(data, truck=chosen), selection)
    except (Refused, ExportRefused) as exc:
        # a link the accountant clicked: the page again, with the reason, not bare JSON
        return _accounts(request, first, last, truck if truck in _known(request) else "", str(exc))
    name = f"dsfinvk_{chosen}_{period.first:%Y%m%d}-{period.last:%Y%m%d}.zip"
    return _download(zip_bytes(export), "json", name)


# --- API ---------------------------------------------------------------------------------
@router.get("/api/accounts/daily", dependencies=ACCOUNTANT_ONLY)
def api_daily(
    request: Request,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
    truck: str | None = None,
) -> dict[str, Any]:
    """Daily sums per day, truck and stop, closings and card totals; amounts in cents."""
    try:
        period = _period(request, first.isoformat(), last.isoformat())
        report, _ = _daily(request, period, truck or "")
    except Refused as exc:
        raise _api_refused(exc) from None
    return report.to_dict()


@router.get("/api/accounts/cashbook", dependencies=ACCOUNTANT_ONLY)
def api_cash_book(
    request: Request,
    truck: str,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> dict[str, Any]:
    """A truck's cash book: opening balance, every cash event, running balance; in cents."""
    try:
        period = _period(request, first.isoformat(), last.isoformat())
        with request.app.state.stores() as store:
            return reading.cash_book_of(store, _truck(store, truck) or truck, period).to_dict()
    except Refused as exc:
        raise _api_refused(exc) from None


@router.get("/api/accounts/receipts", dependencies=ACCOUNTANT_ONLY)
def api_receipts(
    request: Request,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
    truck: str | None = None,
    number: int | None = None,
    amount: str | None = None,
) -> list[dict[str, Any]]:
    """Receipts of the period (at most 200), with their printed text; ``amount`` as 12,30."""
    try:
        period = _period(request, first.isoformat(), last.isoformat())
        found = _receipts(
            request, period, truck or "", str(number) if number is not None else "", amount or ""
        )
    except Refused as exc:
        raise _api_refused(exc) from None
    return [receipt.to_dict() for receipt in found]
