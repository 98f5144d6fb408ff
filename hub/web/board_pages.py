"""The public arrival boards: a page per stop, reached by its unguessable link, no login.

(Being built: see issue 9. The pieces other pages share are here already.)
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

router = APIRouter()

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
