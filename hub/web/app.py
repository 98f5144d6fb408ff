"""The hub's web app: the operator's, accountant's and admin's pages, a seniors' home's
ordering page, and the JSON API.

Only the login page, the static files and the stops' board links (``/tafel/<token>``: the
board, its timetable, and ordering for the stop's next visits) answer without a session;
every other route names its roles (``auth.need``). Each request opens the store for itself:
a store object belongs to one thread, and FastAPI runs plain functions on a pool of threads.

In the background (``live_events``) the app runs the live events, pushes due price changes,
and publishes each truck's confirmed orders when they changed (``keep_publishing``, so an
order decided while the broker was down still reaches the truck).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from hub.access import ACCOUNTANT, ADMIN, OPERATOR
from hub.config import HubConfig
from hub.orders import publishing
from hub.store import HubStore, open_store
from hub.tours.editing import current_plan
from hub.web import (
    accounts_pages,
    article_pages,
    auth,
    board_pages,
    due_prices,
    health,
    live,
    order_office_pages,
    order_pages,
    pages,
    planning_pages,
    timetable_pages,
    tour_pages,
)
from hub.web.events import LiveEvents
from hub.web.security import SecurityHeaders
from hub.web.texts import translator
from tourkasse.config import ConfigError
from tourkasse.tour import TourPlan, load_tour_plan

WEB = Path(str(files("hub.web")))


def create_app(config: HubConfig, *, live_events: bool = True) -> FastAPI:
    """The app; ``live_events=False`` leaves out what runs in the background with the broker
    (live events, pushing due price changes): for tests of pages and API."""

    @contextmanager
    def stores() -> Iterator[HubStore]:
        opened = open_store(config.store.url, timezone=config.timezone)
        try:
            yield opened
        finally:
            opened.close()

    plan = TourPlanSource(config.tours.file, stores)

    events = LiveEvents(config, stores, plan)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if not live_events:
            yield
            return
        await events.start()
        prices = asyncio.create_task(due_prices.keep_pushing(config, stores))
        orders = asyncio.create_task(publishing.keep_publishing(config, stores, plan))
        try:
            yield
        finally:
            for task in (prices, orders):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await events.stop()

    app = FastAPI(
        title="Tourkasse Zentrale",
        docs_url=None,  # the API's description is behind a login too: /api/openapi.json
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.stores = stores
    app.state.plan = plan
    app.state.events = events
    app.state.templates = Jinja2Templates(directory=WEB / "templates")
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    app.add_middleware(SecurityHeaders, tile_url=config.web.tile_url)
    app.include_router(pages.router)
    app.include_router(live.router)
    app.include_router(planning_pages.router)
    app.include_router(article_pages.router)
    app.include_router(tour_pages.router)
    app.include_router(accounts_pages.router)
    app.include_router(board_pages.router)
    app.include_router(health.router)
    app.include_router(timetable_pages.router)
    app.include_router(order_pages.router)
    app.include_router(order_office_pages.router)
    _handlers(app)
    _api(app, stores)
    return app


class TourPlanSource:
    """The tour plan the hub goes by: the newest version edited on the web, else the tour
    file of the configuration. Read again only when either changed; a file broken while the
    hub runs keeps the last good plan (and says so)."""

    def __init__(self, path: Path | None, stores: Any) -> None:
        self.path = path
        self.stores = stores
        self.read: tuple[object, TourPlan | None] = (None, None)

    def __call__(self) -> TourPlan | None:
        with self.stores() as store:
            version = store.tour_plans.latest_version()
            if version:
                if self.read[0] != ("web", version):
                    self.read = (("web", version), current_plan(store, None))
                return self.read[1]
        if self.path is None:
            return None
        try:
            changed = ("file", self.path.stat().st_mtime_ns)
        except OSError:
            return self.read[1]
        if changed != self.read[0]:
            try:
                self.read = (changed, load_tour_plan(self.path))
            except ConfigError as exc:
                print(f"Tourdatei {self.path} fehlerhaft, es gilt die vorige: {exc}", flush=True)
                self.read = (changed, self.read[1])
        return self.read[1]


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(auth.NotLoggedIn)
    async def not_logged_in(request: Request, _exc: Exception) -> Response:
        if auth.wants_json(request):
            return JSONResponse({"detail": "Anmeldung nötig"}, status_code=401)
        return RedirectResponse(auth.login_target(request), status_code=303)

    @app.exception_handler(auth.NotAllowed)
    async def not_allowed(request: Request, _exc: Exception) -> Response:
        if auth.wants_json(request):
            return JSONResponse({"detail": "Kein Zugriff für Ihre Rolle"}, status_code=403)
        return pages.render(request, "forbidden.html", {}, status_code=403)

    @app.exception_handler(auth.CsrfRefused)
    async def csrf_refused(request: Request, _exc: Exception) -> Response:
        t = translator(auth.language(request))
        if auth.wants_json(request):
            return JSONResponse({"detail": t("csrf.refused")}, status_code=403)
        return pages.render(
            request, "forbidden.html", {"message": t("csrf.refused")}, status_code=403
        )


STAFF = (ADMIN, OPERATOR, ACCOUNTANT)  # not a home's account: it has no business with the API


def _api(app: FastAPI, stores: Any) -> None:
    @app.get("/api/openapi.json", dependencies=[Depends(auth.need(*STAFF))])
    def openapi() -> dict[str, Any]:
        return app.openapi()

    @app.get("/api/health", dependencies=[Depends(auth.need(*STAFF))])
    def health() -> dict[str, Any]:
        with stores() as hub:
            return {"ok": True, "trucks": len(hub.trucks())}

    @app.get("/api/trucks", dependencies=[Depends(auth.need(OPERATOR))])
    def trucks() -> list[dict[str, Any]]:
        with stores() as hub:
            statuses = {status.truck: status for status in hub.statuses()}
            names = sorted(set(hub.trucks()) | set(statuses))
            return [
                {
                    "truck": name,
                    "committed_through": hub.committed_through(name),
                    "status": _plain(statuses[name]) if name in statuses else None,
                }
                for name in names
            ]

    @app.get("/api/turnover", dependencies=[Depends(auth.need(OPERATOR, ACCOUNTANT))])
    def turnover(day: str = Query(alias="date"), truck: str | None = None) -> Any:
        try:
            wanted = date.fromisoformat(day)
        except ValueError:
            raise HTTPException(422, f"Datum {day!r}: erwartet JJJJ-MM-TT") from None
        with stores() as hub:
            return hub.turnover(wanted, truck=truck).to_dict()

    @app.get("/api/problems", dependencies=[Depends(auth.need(OPERATOR, ADMIN))])
    def problems(limit: int = Query(100, ge=1, le=10000)) -> dict[str, Any]:
        with stores() as hub:
            return {
                "rejected": [_plain(item) for item in hub.rejected(limit=limit)],
                "alerts": [_plain(item) for item in hub.alerts()],
            }


def _plain(value: Any) -> Any:
    """Dataclasses as JSON: bytes as text where they are text, times as ISO text."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
