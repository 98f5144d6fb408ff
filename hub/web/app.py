"""The hub's web app. So far its JSON API: health, the trucks' status, turnover of a day and
what the ingest refused. The operator's pages come with the web issue (docs/protocol.md).

Each request opens the store for itself: a store object belongs to one thread, and FastAPI
runs plain functions on a pool of threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI, HTTPException, Query

from hub.config import HubConfig
from hub.store import HubStore, open_store


def create_app(config: HubConfig) -> FastAPI:
    app = FastAPI(title="Tourkasse Zentrale", docs_url="/api/docs", openapi_url="/api/openapi.json")

    @contextmanager
    def store() -> Iterator[HubStore]:
        opened = open_store(config.store.url, timezone=config.timezone)
        try:
            yield opened
        finally:
            opened.close()

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        with store() as hub:
            return {"ok": True, "trucks": len(hub.trucks())}

    @app.get("/api/trucks")
    def trucks() -> list[dict[str, Any]]:
        with store() as hub:
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

    @app.get("/api/turnover")
    def turnover(day: str = Query(alias="date"), truck: str | None = None) -> Any:
        try:
            wanted = date.fromisoformat(day)
        except ValueError:
            raise HTTPException(422, f"Datum {day!r}: erwartet JJJJ-MM-TT") from None
        with store() as hub:
            return hub.turnover(wanted, truck=truck).to_dict()

    @app.get("/api/problems")
    def problems(limit: int = 100) -> dict[str, Any]:
        with store() as hub:
            return {
                "rejected": [_plain(item) for item in hub.rejected(limit=limit)],
                "alerts": [_plain(item) for item in hub.alerts()],
            }

    return app


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
