"""Security headers on every answer of the hub's web.

A plain ASGI middleware rather than Starlette's BaseHTTPMiddleware, which buffers and cancels
streaming answers (the live events are one long answer).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

Scope = dict[str, Any]


def tile_origin(tile_url: str) -> str:
    """The origin the map's tiles come from, for the content security policy ('' if none)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def policy(tile_url: str) -> str:
    images = " ".join(filter(None, ("'self'", "data:", tile_origin(tile_url))))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )


class SecurityHeaders:
    def __init__(self, app: Any, *, tile_url: str = "") -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", policy(tile_url).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(self.headers)
                if not static:  # pages and data are per user: no cache keeps them
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
