"""The operator's live page: map, fleet, sales feed, turnover per stop, alerts; and its
event stream (server-sent events), which starts with the whole state and then sends what
changes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from hub.access import OPERATOR
from hub.web import auth
from hub.web.pages import render
from hub.web.texts import catalogue

router = APIRouter()
KEEPALIVE_S = 15.0  # a comment line now and then keeps proxies from closing the stream


@router.get("/live", dependencies=[Depends(auth.need(OPERATOR))])
def live_page(request: Request) -> Response:
    config = request.app.state.config
    settings = {
        "tiles": config.web.tile_url,
        "attribution": config.web.tile_attribution,
        "timezone": config.timezone,
        "texts": catalogue(auth.language(request)),
    }
    return render(request, "live.html", {"settings": json.dumps(settings, ensure_ascii=False)})


@router.get("/api/live", dependencies=[Depends(auth.need(OPERATOR))])
async def live_state(request: Request) -> dict:
    return await run_in_threadpool(request.app.state.events.snapshot)


@router.get("/events", dependencies=[Depends(auth.need(OPERATOR))])
async def live_events(request: Request) -> StreamingResponse:
    events = request.app.state.events
    queue = events.open_page()
    snapshot = await run_in_threadpool(events.snapshot)

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n"
            yield f"event: snapshot\ndata: {json.dumps(snapshot, ensure_ascii=False)}\n\n"
            while not await request.is_disconnected():
                try:
                    yield await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": still here\n\n"
        finally:
            events.close_page(queue)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},  # nginx in front must not hold events back
    )
