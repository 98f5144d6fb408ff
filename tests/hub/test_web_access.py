"""Must show: only the login page (and static files) answer without a session; each role
reaches its own pages and API routes and nothing else; forms need their CSRF token; logins
are limited; sessions expire; passwords are kept only as argon2 hashes; security headers.

Every GET route of the app is tried as anonymous, operator, accountant, admin and a
seniors' home (role home, one stop), and so is every form (POST), with the session's own CSRF
token: a route added without an entry in ALLOWED, POSTED or the boards' sets fails the test,
so none slips through unchecked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from hub import access
from hub.broker import free_port
from hub.config import HubConfig, HubToursSettings, MqttSettings, StoreSettings
from hub.orders.model import Channel, Order, OrderLine, OrderState
from hub.store import open_store
from hub.web.app import create_app
from hub.web.order_pages import BROWSER_COOKIE
from tests.conftest import EXAMPLE_TOUR
from tests.support.accountant_days import store_days
from tests.support.web import PASSWORD, add_user, csrf_of, log_in, login_form
from tourkasse.article import Unit

# route -> roles that may use it (empty: any logged-in user), and what to add to the path so
# that it answers 200 (a query, or the value of its one path parameter)
ALLOWED: dict[str, tuple[set[str], str]] = {
    "/": (set(), ""),
    "/live": ({"operator"}, ""),
    "/alerts": ({"operator"}, ""),
    "/loading": ({"operator"}, ""),
    "/stops": ({"operator"}, ""),
    "/articles": ({"operator"}, ""),
    "/articles/{number}": ({"operator"}, "1001"),
    "/tours": ({"operator"}, ""),
    "/tours/{tour_id}": ({"operator"}, "neu"),
    "/tours/{tour_id}/fahrplan": ({"operator"}, "werra-weser/fahrplan"),
    "/arrivals": ({"operator"}, ""),
    "/turnover": ({"accountant"}, ""),
    "/accounts": ({"accountant"}, ""),
    "/accounts/cashbook": ({"accountant"}, ""),
    "/accounts/receipts": ({"accountant"}, ""),
    "/accounts/export": ({"accountant"}, "?format=csv&from=2026-11-01&to=2026-11-30"),
    "/accounts/dsfinvk": ({"accountant"}, "?truck=T01&from=2026-11-24&to=2026-11-24"),
    "/users": ({"admin"}, ""),
    "/orders": ({"operator"}, "?day=2026-12-08"),
    "/bestellungen": ({"home"}, ""),
    "/bestellungen/{number}": ({"home"}, "B-1"),
    "/api/openapi.json": ({"operator", "accountant", "admin"}, ""),
    "/api/health": ({"operator", "accountant", "admin"}, ""),
    "/api/trucks": ({"operator"}, ""),
    "/api/turnover": ({"operator", "accountant"}, "?date=2026-11-24"),
    "/api/problems": ({"operator", "admin"}, ""),
    "/api/metrics": ({"operator", "admin"}, ""),
    "/api/accounts/daily": ({"accountant"}, "?from=2026-11-01&to=2026-11-30"),
    "/api/accounts/cashbook": ({"accountant"}, "?truck=&from=2026-11-01&to=2026-11-30"),
    "/api/accounts/receipts": ({"accountant"}, "?from=2026-11-01&to=2026-11-30"),
    "/api/live": ({"operator"}, ""),
    "/events": ({"operator"}, ""),
}
PUBLIC = {"/login", "/lang/{language}", "/healthz"}
# the stops' boards: no login, the unguessable link is the key (tried below)
BOARDS = {
    "/tafel/{token}",
    "/tafel/{token}/stand",
    "/tafel/{token}/events",
    "/tafel/{token}/kalender.ics",
    "/tafel/{token}/fahrplan",
    "/tafel/{token}/bestellen",
    "/tafel/{token}/bestellen/{number}",
}
# the board link's order forms: no session, their own token (tests/hub/test_order_pages.py)
BOARD_FORMS = {
    "/tafel/{token}/bestellen",
    "/tafel/{token}/bestellen/{number}",
    "/tafel/{token}/bestellen/{number}/storno",
}
# form -> roles that may send it (empty: any logged-in user), and the value of its path
# parameters; the forms are sent empty but for the token: the role decides before the form
POSTED: dict[str, tuple[set[str], str]] = {
    "/users": ({"admin"}, ""),
    "/articles/import": ({"operator"}, ""),
    "/articles/import/{token}": ({"operator"}, "unbekannt"),
    "/articles/{number}": ({"operator"}, "1001"),
    "/articles-push": ({"operator"}, ""),
    "/tours/state": ({"operator"}, ""),
    "/tours/assignments": ({"operator"}, ""),
    "/tours/exceptions": ({"operator"}, ""),
    "/tours/{kind}/{index}/delete": ({"operator"}, "assignments/0/delete"),
    "/tours/{tour_id}": ({"operator"}, "neu"),
    "/tours-push": ({"operator"}, ""),
    "/arrivals/{stop_id}/link": ({"operator"}, "hemeln/link"),
    "/arrivals/{stop_id}/cancel": ({"operator"}, "hemeln/cancel"),
    "/arrivals/{stop_id}/uncancel": ({"operator"}, "hemeln/uncancel"),
    "/orders/{number}/lines/{line}": ({"operator"}, "B-1/lines/1"),
    "/orders/{number}/confirm-all": ({"operator"}, "B-1/confirm-all"),
    "/orders/deadline": ({"operator"}, ""),
    "/bestellungen": ({"home"}, ""),
    "/bestellungen/{number}": ({"home"}, "B-1"),
    "/bestellungen/{number}/storno": ({"home"}, "B-1/storno"),
    "/logout": (set(), ""),  # tried last: it ends the session
}
PUBLIC_FORMS = {"/login"}
BROWSER_KEY = "k" * 43  # the key of the browser that placed the board link's order


@pytest.fixture
def app(hub_url):
    for name, role in (("olga", "operator"), ("anton", "accountant"), ("ada", "admin")):
        add_user(hub_url, name, role)
    now = datetime.now(UTC)
    with open_store(hub_url) as store:
        store.users.put("heidi", access.hash_password(PASSWORD), frozenset({"home"}), now, "hemeln")
        with store.db.transaction():
            article = {"number": "1001", "name": "Brot", "price": "4,20", "vat": 7, "group": "Brot"}
            store.catalogue.put("1001", article, "test", now)
        store.orders.add(hemeln_order(Channel.HOME, now), by="test")  # B-1 the home's
        board_order = hemeln_order(Channel.BOARD, now)  # B-2 a browser's on the board link
        store.orders.add(board_order, by="test", owner_key=access.token_hash(BROWSER_KEY))
    store_days(hub_url)  # two trucks' journals: the accountant's downloads have something
    tours = HubToursSettings(file=EXAMPLE_TOUR)
    config = HubConfig(
        store=StoreSettings(url=hub_url), tours=tours, mqtt=MqttSettings(port=free_port())
    )
    return create_app(config, live_events=False)


def hemeln_order(channel: Channel, now: datetime) -> Order:
    line = OrderLine(1, "1001", "Brot", Unit.PIECE, 1, 420, 0, "Frau Kühn")
    return Order(
        "", "hemeln", date(2026, 12, 8), "T01", channel, "heidi", "", (line,), OrderState.OPEN,
        now, now,
    )  # fmt: skip


def url(path: str, extra: str) -> str:
    if "{" in path:
        return path[: path.index("{")] + extra
    return path + extra


def get_routes(app, method: str = "GET") -> set[str]:
    """Every path answering ``method``, also of the routers the app includes."""
    found, pending = set(), list(app.routes)
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute) and method in route.methods:
            found.add(route.path)
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            pending.extend(included.routes)
    return found


def test_every_route_is_in_the_table(app):
    assert get_routes(app) == set(ALLOWED) | PUBLIC | BOARDS
    assert get_routes(app, "POST") == set(POSTED) | PUBLIC_FORMS | BOARD_FORMS
    assert get_routes(app, "PUT") | get_routes(app, "DELETE") | get_routes(app, "PATCH") == set()


def test_every_form_is_refused_to_anonymous_and_to_roles_it_is_not_for(app, hub_url):
    anonymous = TestClient(app)
    for path, (_roles, extra) in POSTED.items():
        answer = anonymous.post(url(path, extra), data={}, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=%2F"), path
    homes = (
        ("olga", "/live"),
        ("anton", "/turnover"),
        ("ada", "/users"),
        ("heidi", "/bestellungen"),
    )
    for name, home in homes:
        client = TestClient(app)
        log_in(client, name)
        page = client.get(home)
        token = csrf_of(page.text)  # every page has one: its logout form
        role = {"olga": "operator", "anton": "accountant", "ada": "admin", "heidi": "home"}[name]
        for path, (roles, extra) in POSTED.items():
            answer = client.post(url(path, extra), data={"csrf": token}, follow_redirects=False)
            if roles and role not in roles:
                assert answer.status_code == 403, (name, path)
                assert "Kein Zugriff" in answer.text
            else:  # its own form: taken up (refused for being empty, at most), never a login
                assert answer.status_code not in (401, 403), (name, path, answer.status_code)
                to_login = answer.headers.get("location", "").startswith("/login?next=")
                assert not to_login, (name, path)
        assert "abgemeldet" in answer.headers["location"]  # the last one: logged out
    with open_store(hub_url) as store:  # no empty form changed anything either
        assert store.catalogue.article("1001")["price"] == "4,20"
        assert [change.by for change in store.catalogue.history()] in ([], ["test"])
        # the operator's push is hers to send (empty but for the token, it sends the list)
        assert {push.by for push in store.catalogue.pushes("articles")} <= {"olga"}
        assert store.users.get("") is None


def test_a_board_needs_no_login_and_an_unknown_link_opens_nothing(app, hub_url):
    client = TestClient(app)
    client.cookies.set(BROWSER_COOKIE, BROWSER_KEY)  # the browser that placed B-2
    with open_store(hub_url) as store:
        token = store.board_links.ensure("hemeln", "test", datetime.now(UTC)).token
    for path in BOARDS - {"/tafel/{token}/events"}:  # the stream never ends: see the browser
        path = path.replace("{number}", "B-2")  # the board link's own order
        answer = client.get(path.replace("{token}", token), follow_redirects=False)
        assert answer.status_code == 200, path
        wrong = client.get(path.replace("{token}", "x" + token), follow_redirects=False)
        assert wrong.status_code == 404, path
        assert "Hemeln" not in wrong.text and "login" not in wrong.headers.get("location", "")


def test_anonymous_gets_only_the_login_page(app):
    client = TestClient(app)
    assert client.get("/login").status_code == 200
    assert client.get("/static/hub.css").status_code == 200
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    for path, (_roles, query) in ALLOWED.items():
        answer = client.get(url(path, query), follow_redirects=False)
        if path.startswith("/api/") or path == "/events":
            assert answer.status_code == 401, path
            assert answer.json() == {"detail": "Anmeldung nötig"}
        else:
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/login?next=%2F"), path


@pytest.mark.parametrize(
    ("name", "role", "home"),
    [
        ("olga", "operator", "/live"),
        ("anton", "accountant", "/turnover"),
        ("ada", "admin", "/users"),
        ("heidi", "home", "/bestellungen"),
    ],
)
def test_each_role_reaches_its_routes_and_no_others(app, name, role, home):
    client = TestClient(app)
    answer = log_in(client, name)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert client.get("/", follow_redirects=False).headers["location"] == home
    for path, (roles, query) in ALLOWED.items():
        if path in ("/", "/events"):
            continue  # the start page redirects (above); the stream is tried on its own below
        answer = client.get(url(path, query), follow_redirects=False)
        expected = 200 if not roles or role in roles else 403
        assert answer.status_code == expected, (path, answer.status_code)
        if expected == 403 and not path.startswith("/api/"):
            assert "Kein Zugriff" in answer.text
    page = client.get(home)
    assert name in page.text
    # the navigation offers only the role's own pages
    pages = ("/live", "/alerts", "/loading", "/stops", "/articles", "/tours", "/orders")
    pages += ("/turnover", "/users", "/bestellungen")
    offered = {link for link in pages if f'href="{link}"' in page.text}
    assert offered == {p for p in pages if role in ALLOWED[p][0]}


def test_the_event_stream_is_the_operators(app):
    client = TestClient(app)
    log_in(client, "anton")
    assert client.get("/events").status_code == 403


def test_a_user_with_two_roles_sees_both(app, hub_url):
    add_user(hub_url, "berta", "operator", "accountant")
    client = TestClient(app)
    log_in(client, "berta")
    assert client.get("/live").status_code == 200
    assert client.get("/turnover").status_code == 200
    assert client.get("/users").status_code == 403


def test_a_wrong_password_is_refused_in_words_and_nothing_is_let_in(app):
    client = TestClient(app)
    answer = log_in(client, "olga", "falsch-falsch")
    assert answer.status_code == 401
    assert "Benutzername oder Passwort falsch" in answer.text
    assert client.get("/live", follow_redirects=False).status_code == 303
    assert log_in(client, "niemand", PASSWORD).status_code == 401


def test_logins_are_limited_per_name_even_with_the_right_password_afterwards(app):
    client = TestClient(app)
    for _ in range(5):
        assert log_in(client, "olga", "falsch-falsch").status_code == 401
    blocked = log_in(client, "olga", PASSWORD)
    assert blocked.status_code == 429
    assert "Zu viele Fehlversuche" in blocked.text and "Minute" in blocked.text
    # another user from the same address is not locked out by olga's failures
    assert log_in(client, "anton").status_code == 303


def test_logins_are_limited_per_address(app):
    client = TestClient(app)
    for attempt in range(20):
        assert log_in(client, f"rater{attempt}", "falsch-falsch").status_code == 401
    assert log_in(client, "olga").status_code == 429


def test_the_login_form_needs_its_own_token(app):
    client = TestClient(app)
    login_form(client)
    answer = client.post(
        "/login",
        data={"name": "olga", "password": PASSWORD, "login_token": "erfunden"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert "veraltet" in answer.text
    assert client.get("/live", follow_redirects=False).status_code == 303


def test_forms_need_the_sessions_csrf_token(app, hub_url):
    client = TestClient(app)
    log_in(client, "ada")
    form = {"name": "neu", "password": "ein-langes-passwort", "role": "operator"}
    assert client.post("/users", data=form).status_code == 403
    assert client.post("/users", data={**form, "csrf": "geraten"}).status_code == 403
    with open_store(hub_url) as store:
        assert store.users.get("neu") is None
    token = csrf_of(client.get("/users").text)
    saved = client.post("/users", data={**form, "csrf": token})
    assert saved.status_code == 200 and "Benutzer neu angelegt" in saved.text
    # a form from another site cannot log anyone out either
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/users").status_code == 200


def test_the_admin_page_refuses_a_short_password_and_an_unknown_role_in_words(app):
    client = TestClient(app)
    log_in(client, "ada")
    token = csrf_of(client.get("/users").text)
    short = client.post(
        "/users", data={"name": "x", "password": "kurz", "role": "operator", "csrf": token}
    )
    assert short.status_code == 422 and "mindestens 10 Zeichen" in short.text
    boss = client.post(
        "/users", data={"name": "x", "password": "lang-genug-1", "role": "chef", "csrf": token}
    )
    assert boss.status_code == 422 and "unbekannte Rolle(n) chef" in boss.text


def test_logging_out_ends_the_session(app):
    client = TestClient(app)
    log_in(client, "olga")
    page = client.get("/live")
    cookie = client.cookies.get("tourkasse_session")
    answer = client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert client.get("/live", follow_redirects=False).status_code == 303
    # the old cookie is worth nothing now, even if someone kept it
    other = TestClient(app, cookies={"tourkasse_session": cookie})
    assert other.get("/live", follow_redirects=False).status_code == 303


def test_an_expired_session_leads_back_to_the_login(app, hub_url):
    client = TestClient(app)
    log_in(client, "olga")
    assert client.get("/live").status_code == 200
    with open_store(hub_url) as store, store.db.transaction():
        store.db.run("UPDATE sessions SET expires_at = ?", ["2020-01-01T00:00:00.000000+00:00"])
    answer = client.get("/live", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Flive"


def test_passwords_are_kept_only_as_argon2_hashes_and_sessions_only_as_hashes(app, hub_url):
    client = TestClient(app)
    log_in(client, "olga")
    with open_store(hub_url) as store:
        [[hashed]] = store.db.rows("SELECT password_hash FROM users WHERE name = 'olga'")
        tokens = [row[0] for row in store.db.rows("SELECT token_hash FROM sessions")]
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert client.cookies.get("tourkasse_session") not in tokens


def test_cookies_and_security_headers(app):
    client = TestClient(app)
    login_page = client.get("/login")
    answer = log_in(client, "olga")
    session_cookie = answer.headers["set-cookie"]
    assert "tourkasse_session=" in session_cookie
    assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
    for page in (login_page, client.get("/live"), client.get("/api/health")):
        headers = page.headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"


def test_after_login_the_browser_goes_where_it_wanted_but_never_off_site(app):
    client = TestClient(app)
    assert log_in(client, "olga", next="/alerts").headers["location"] == "/alerts"
    client = TestClient(app)
    assert log_in(client, "olga", next="//evil.example/").headers["location"] == "/"


def test_the_pages_speak_english_on_request(app):
    client = TestClient(app)
    assert "Anmelden" in client.get("/login").text
    client.get("/lang/en?next=/login")
    assert "Log in" in client.get("/login").text
