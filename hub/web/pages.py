"""The hub's pages other than the live page: login and logout, language, the start page per
role, alerts, the accountant's daily turnover, and the admin's users."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hub import access, alerts
from hub.access import ACCOUNTANT, ADMIN, HOME, OPERATOR, ROLES
from hub.store.users import Session
from hub.web import auth
from hub.web.texts import LANGUAGES, translator
from tourkasse.money import format_eur

router = APIRouter()


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """A page in the user's language, with the navigation their roles allow."""
    language = auth.language(request)
    session: Session | None = getattr(request.state, "session", None)
    roles = session.user.roles if session else frozenset()
    role_names = {key: names[LANGUAGES.index(language)] for key, names in ROLES.items()}
    return request.app.state.templates.TemplateResponse(
        request,
        template,
        {
            "t": translator(language),
            "lang": language,
            "other_lang": "en" if language == "de" else "de",
            "session": session,
            "roles": roles,
            "role_names": role_names,
            "role_label": lambda held: ", ".join(role_names[r] for r in sorted(held)),
            "euro": format_eur,
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )


# --- logging in and out ------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, next: str = "/", message: str = "") -> Response:
    token = auth.new_login_token()
    page = render(
        request,
        "login.html",
        {"login_token": token, "next": auth.safe_next(next), "message": message},
    )
    page.set_cookie(
        auth.LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.config.web.secure_cookies,
        max_age=3600,
    )
    return page


@router.post("/login")
def login(
    request: Request,
    name: str = Form(""),
    password: str = Form(""),
    login_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    t = translator(auth.language(request))
    config = request.app.state.config
    if not auth.login_token_matches(request, login_token):
        return _login_again(request, t("login.expired"), next, status_code=403)
    address = request.client.host if request.client else "?"
    with request.app.state.stores() as store:
        try:
            login = access.log_in(
                store.users,
                name.strip(),
                password,
                address=address,
                now=datetime.now(UTC),
                lifetime=auth.session_lifetime(config.web.session_hours),
            )
        except access.TooManyAttempts as exc:
            return _login_again(request, str(exc), next, status_code=429)
        except access.AccessError as exc:
            return _login_again(request, str(exc), next, status_code=401)
    answer = RedirectResponse(auth.safe_next(next), status_code=303)
    answer.set_cookie(
        auth.SESSION_COOKIE,
        login.token,
        httponly=True,
        samesite="strict",
        secure=config.web.secure_cookies,
        max_age=int(timedelta(hours=config.web.session_hours).total_seconds()),
    )
    answer.delete_cookie(auth.LOGIN_COOKIE)
    return answer


def _login_again(request: Request, message: str, next: str, *, status_code: int) -> Response:
    page = login_page(request, next=next, message=message)
    page.status_code = status_code
    return page


@router.post("/logout")
async def logout(request: Request, session: Session = Depends(auth.need())) -> Response:
    await auth.posted(request, session)
    with request.app.state.stores() as store:
        access.log_out(store.users, request.cookies.get(auth.SESSION_COOKIE))
    t = translator(auth.language(request))
    answer = RedirectResponse(f"/login?message={quote(t('logout.done'))}", status_code=303)
    answer.delete_cookie(auth.SESSION_COOKIE)
    return answer


@router.get("/lang/{language}")
def choose_language(language: str, next: str = "/") -> Response:
    answer = RedirectResponse(auth.safe_next(next), status_code=303)
    if language in LANGUAGES:
        answer.set_cookie(auth.LANGUAGE_COOKIE, language, samesite="lax", max_age=365 * 86400)
    return answer


@router.get("/")
def start(session: Session = Depends(auth.need())) -> Response:
    """Each role starts on its own page."""
    starts = ((OPERATOR, "/live"), (ACCOUNTANT, "/turnover"), (ADMIN, "/users"))
    for role, page in (*starts, (HOME, "/bestellungen")):
        if role in session.user.roles:
            return RedirectResponse(page, status_code=303)
    raise auth.NotAllowed()


# --- alerts (operator) -------------------------------------------------------------------
@router.get("/alerts", dependencies=[Depends(auth.need(OPERATOR))])
def alerts_page(request: Request) -> Response:
    config = request.app.state.config
    zone = ZoneInfo(config.timezone)
    with request.app.state.stores() as store:
        found = alerts.current(
            store,
            datetime.now(UTC),
            offline_after=timedelta(minutes=config.web.offline_alert_minutes),
            zone=zone,
        )
    return render(request, "alerts.html", {"alerts": found})


# --- daily turnover (accountant) ---------------------------------------------------------
@router.get("/turnover", dependencies=[Depends(auth.need(ACCOUNTANT))])
def turnover_page(request: Request, day: str = "") -> Response:
    zone = ZoneInfo(request.app.state.config.timezone)
    try:
        wanted = date.fromisoformat(day) if day else datetime.now(zone).date()
        problem = ""
    except ValueError:
        wanted, problem = datetime.now(zone).date(), f"Datum {day!r}: erwartet JJJJ-MM-TT"
    with request.app.state.stores() as store:
        report = store.turnover(wanted)
    plan = request.app.state.plan()
    names = plan.stop_names() if plan else {}
    return render(
        request,
        "turnover.html",
        {"report": report, "day": wanted, "problem": problem, "names": names},
    )


# --- users (admin) -----------------------------------------------------------------------
@router.get("/users", dependencies=[Depends(auth.need(ADMIN))])
def users_page(request: Request, message: str = "", problem: str = "") -> Response:
    with request.app.state.stores() as store:
        users = store.users.all()
    plan = request.app.state.plan()
    stops = plan.stop_names() if plan else {}
    return render(
        request,
        "users.html",
        {"users": users, "stops": stops, "message": message, "problem": problem},
    )


@router.post("/users")
async def add_user(request: Request, session: Session = Depends(auth.need(ADMIN))) -> Response:
    form = await auth.posted(request, session)
    t = translator(auth.language(request))
    name = str(form.get("name", "")).strip()
    roles = [str(role) for role in form.getlist("role")]
    password = str(form.get("password", ""))
    stop = str(form.get("stop", "")).strip() or None
    problem = access.name_problem(name) or access.roles_problem(roles)
    problem = problem or _stop_problem(request, roles, stop)
    problem = problem or access.password_problem(password)
    if problem:
        page = await run_in_threadpool(users_page, request, problem=problem)
        page.status_code = 422
        return page

    def save() -> bool:
        hashed = access.hash_password(password)  # argon2 takes a while: not on the event loop
        with request.app.state.stores() as store:
            return store.users.put(name, hashed, frozenset(roles), datetime.now(UTC), stop=stop)

    new = await run_in_threadpool(save)
    message = t("users.saved_new" if new else "users.saved_old", name=name)
    return await run_in_threadpool(users_page, request, message=message)


def _stop_problem(request: Request, roles: list[str], stop: str | None) -> str | None:
    """The rules of ``access.stop_problem`` in the words of this form."""
    if HOME in roles and not stop:
        return "Ein Zugang mit der Rolle Heim braucht seinen Halt (Auswahl „Halt (Heim)“)"
    if stop and HOME not in roles:
        return "Einen Halt bekommt nur ein Zugang mit der Rolle Heim"
    plan = request.app.state.plan()
    if stop and (plan is None or stop not in plan.stop_names()):
        return f"Halt {stop!r} gibt es im Tourplan nicht"
    return access.stop_problem(roles, stop)
