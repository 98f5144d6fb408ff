"""The operator's article pages: the list with today's prices and scheduled changes, the
wholesaler's CSV (preview, then take over), editing an article with a price from a date,
the history of changes, and pushing the list to the trucks."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from hub.access import OPERATOR
from hub.catalogue import office
from hub.catalogue.article_csv import CsvError, read_article_file
from hub.downloads import PublishError
from hub.store.users import Session
from hub.web import auth
from hub.web.pages import render
from tourkasse.config import ConfigError

router = APIRouter()
MAX_UPLOAD = 5 * 1024 * 1024  # a wholesaler's list of some thousand articles is far smaller
EDITABLE = ("name", "price", "vat", "group", "unit", "allergens")


def _today(request: Request) -> date:
    return datetime.now(ZoneInfo(request.app.state.config.timezone)).date()


def _page(request: Request, **context: Any) -> Response:
    today = _today(request)
    with request.app.state.stores() as store:
        articles = sorted(office.effective(store, today).values(), key=lambda a: a["number"])
        upcoming = [c for c in store.catalogue.price_changes() if c.valid_from > today]
        history = store.catalogue.history(limit=30)
        pushes = store.catalogue.pushes("articles", limit=5)
    status_code = context.pop("status_code", 200)
    return render(
        request,
        "articles.html",
        {
            "articles": articles,
            "upcoming": upcoming,
            "history": history,
            "pushes": pushes,
            "today": today,
            "message": "",
            "problems": [],
            **context,
        },
        status_code=status_code,
    )


@router.get("/articles", dependencies=[Depends(auth.need(OPERATOR))])
def articles_page(request: Request, message: str = "") -> Response:
    return _page(request, message=message)


@router.post("/articles/import")
async def upload(request: Request, session: Session = Depends(auth.need(OPERATOR))) -> Response:
    form = await auth.posted(request, session)
    file = form.get("file")
    if not isinstance(file, UploadFile):
        return await run_in_threadpool(
            _page, request, problems=["Bitte eine CSV-Datei wählen"], status_code=422
        )
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return await run_in_threadpool(
            _page, request, problems=["Datei größer als 5 MB"], status_code=422
        )

    def look() -> Response:
        try:
            rows, _departments = read_article_file(file.filename or "", content)
        except CsvError as exc:
            return _page(request, problems=[f"{file.filename}: {exc}"], status_code=422)
        token = secrets.token_urlsafe(16)
        with request.app.state.stores() as store:
            result = office.preview(store, rows, _today(request))
            with store.db.transaction():
                store.catalogue.keep_upload(
                    token, session.user.name, file.filename or "", content, datetime.now(UTC)
                )
        return render(
            request,
            "article_import.html",
            {"preview": result, "token": token, "filename": file.filename},
        )

    return await run_in_threadpool(look)


@router.post("/articles/import/{token}")
async def take_over(
    request: Request, token: str, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    await auth.posted(request, session)

    def apply() -> Response:
        with request.app.state.stores() as store:
            with store.db.transaction():
                upload = store.catalogue.take_upload(token, session.user.name)
            if upload is None:
                return _page(
                    request, problems=["Diese Vorschau ist verbraucht – bitte neu hochladen"],
                    status_code=409,
                )  # fmt: skip
            rows, departments = read_article_file(*upload)
            result = office.apply_import(
                store, rows, session.user.name, datetime.now(UTC), _today(request), departments
            )
        message = (
            f"Import übernommen: {len(result.new)} neu, {len(result.changed)} geändert, "
            f"{len(result.unchanged)} unverändert, {len(result.refused)} abgewiesen"
        )
        return RedirectResponse(f"/articles?message={_quoted(message)}", status_code=303)

    return await run_in_threadpool(apply)


@router.get("/articles/{number}", dependencies=[Depends(auth.need(OPERATOR))])
def article_page(request: Request, number: str) -> Response:
    return _edit_page(request, number, [])


def _edit_page(request: Request, number: str, problems: list[str]) -> Response:
    today = _today(request)
    with request.app.state.stores() as store:
        article = office.effective(store, today).get(number)
        changes = store.catalogue.price_changes(number)
        history = store.catalogue.history(number)
    if article is None:
        return _page(request, problems=[f"Artikel {number} gibt es nicht"], status_code=404)
    return render(
        request,
        "article_edit.html",
        {
            "article": article,
            "changes": changes,
            "history": history,
            "today": today,
            "problems": problems,
        },
        status_code=422 if problems else 200,
    )


@router.post("/articles/{number}")
async def save_article(
    request: Request, number: str, session: Session = Depends(auth.need(OPERATOR))
) -> Response:
    form = await auth.posted(request, session)
    fields: dict[str, Any] = {key: str(form.get(key, "")).strip() for key in EDITABLE}
    problems = []
    try:
        fields["vat"] = int(fields["vat"])
    except ValueError:
        problems.append(f"MwSt. „{fields['vat']}“: erwartet 19, 7 oder 0")
    try:
        price_from = date.fromisoformat(
            str(form.get("price_from", "")) or _today(request).isoformat()
        )
    except ValueError:
        problems.append("Preis gültig ab: erwartet ein Datum")
        price_from = _today(request)

    def save() -> Response:
        with request.app.state.stores() as store:
            found = problems or office.edit(
                store, number, fields, price_from, session.user.name, datetime.now(UTC),
                _today(request),
            )  # fmt: skip
        if found:
            return _edit_page(request, number, found)
        return RedirectResponse(
            f"/articles?message={_quoted(f'Artikel {number} gespeichert')}", status_code=303
        )

    return await run_in_threadpool(save)


@router.post("/articles-push")
async def push(request: Request, session: Session = Depends(auth.need(OPERATOR))) -> Response:
    await auth.posted(request, session)
    config = request.app.state.config

    def send() -> Response:
        with request.app.state.stores() as store:
            try:
                published = office.push(
                    store, config.mqtt, session.user.name, datetime.now(UTC), _today(request)
                )
            except ConfigError as exc:
                return _page(request, problems=[str(p) for p in exc.problems], status_code=422)
            except PublishError as exc:
                return _page(request, problems=[str(exc)], status_code=502)
        return RedirectResponse(f"/articles?message={_quoted(published.message)}", status_code=303)

    return await run_in_threadpool(send)


def _quoted(text: str) -> str:
    return quote(text)
