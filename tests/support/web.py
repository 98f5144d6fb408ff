"""Users and logins for the hub's web tests: a user straight into the store, and a logged-in
test client that went through the login form as a browser does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hub import access
from hub.store import open_store

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PASSWORD = "richtig-geheim-42"


def add_user(url: str, name: str, *roles: str, password: str = PASSWORD) -> None:
    with open_store(url) as store:
        store.users.put(name, access.hash_password(password), frozenset(roles), datetime.now(UTC))


def login_form(client: TestClient, next: str = "/") -> str:
    """The login page's form token (its cookie is now in the client)."""
    page = client.get("/login", params={"next": next})
    assert page.status_code == 200, page.text
    found = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD, next: str = "/"):
    token = login_form(client, next)
    return client.post(
        "/login",
        data={"name": name, "password": password, "login_token": token, "next": next},
        follow_redirects=False,
    )


def csrf_of(page_text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page_text)
    assert found is not None, page_text
    return found.group(1)


class WebThread:
    """The hub's real web server (uvicorn, with its live events) on a free loopback port."""

    def __init__(self, config) -> None:
        import threading

        from hub.web.server import WebServer

        self.config = config
        self.url = f"http://127.0.0.1:{config.web.port}"
        self.stop_event = threading.Event()
        self.server = WebServer(config)
        self.thread = threading.Thread(target=self.server.run, args=(self.stop_event,), daemon=True)

    def __enter__(self) -> WebThread:
        import httpx

        from tests.support.waiting import eventually

        self.thread.start()

        def answers() -> bool:
            try:
                return httpx.get(f"{self.url}/login", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        eventually(answers, timeout=15, what=f"das Web der Zentrale antwortet auf {self.url}")
        eventually(
            lambda: self.server.app.state.events.connected.is_set(),
            timeout=15,
            what="die Live-Ereignisse des Webs sind mit dem Broker verbunden",
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(timeout=15)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` (made with ``live_events=False``) in uvicorn on its configured loopback port,
    without the broker: the test writes into the store what the ingest would."""
    import threading

    import httpx
    import uvicorn

    from tests.support.waiting import eventually

    port = app.state.config.web.port
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/login", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        eventually(answers, timeout=15, what=f"das Web der Zentrale antwortet auf {base}")
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def browser_log_in(page, base: str, name: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person does."""
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
