"""Who may do what on the hub: roles, passwords, logins and their limits, sessions.

Independent of the web framework, so that ``tourkasse hub user add`` and the web share the
rules. Passwords are hashed with argon2id (argon2-cffi's defaults); a session is a random
token in the browser's cookie, kept on the hub only as its SHA-256.

Logins are limited per name and per address: after too many failures within a window the
next attempt is refused without checking the password, with the time to wait. The counts
live in the store, so a restart or a second web process does not reset them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hub.store.users import Session, User, Users

ADMIN, OPERATOR, ACCOUNTANT = "admin", "operator", "accountant"
HOME = "home"  # a seniors' home's staff: order for their own stop, see nothing else
ROLES: dict[str, tuple[str, str]] = {
    ADMIN: ("Verwaltung", "Administration"),
    OPERATOR: ("Disposition", "Operations"),
    ACCOUNTANT: ("Buchhaltung", "Accounting"),
    HOME: ("Heim", "Home"),
}
MIN_PASSWORD = 10
FAILURE_WINDOW = timedelta(minutes=15)
FAILURES_PER_NAME = 5
FAILURES_PER_ADDRESS = 20

_HASHER = PasswordHasher()
# checked when the name is unknown, so that an unknown name takes as long as a wrong password
_NOBODY = _HASHER.hash(secrets.token_urlsafe(16))


class AccessError(Exception):
    """Refused; str() says why in the user's words (German)."""


class TooManyAttempts(AccessError):
    def __init__(self, wait: timedelta) -> None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        super().__init__(f"Zu viele Fehlversuche – bitte in {minutes} Minute(n) erneut versuchen.")
        self.wait = wait


def roles_problem(roles: list[str]) -> str | None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        return f"unbekannte Rolle(n) {', '.join(unknown)}: erlaubt sind {', '.join(ROLES)}"
    if not roles:
        return "mindestens eine Rolle nötig"
    return None


def stop_problem(roles: list[str], stop: str | None) -> str | None:
    """A home's account belongs to exactly one stop, and only a home's account has one; a
    home's account has no other role (it would see what the home must not)."""
    if HOME in roles:
        if not stop:
            return "Rolle home braucht --stop HALT (der Halt, für den das Heim bestellt)"
        if set(roles) != {HOME}:
            return "Rolle home lässt sich nicht mit anderen Rollen verbinden"
    elif stop:
        return "--stop gilt nur für die Rolle home"
    return None


def name_problem(name: str) -> str | None:
    if not (1 <= len(name) <= 64) or not all(c.isalnum() or c in "._-" for c in name):
        return "Benutzername: 1 bis 64 Buchstaben, Ziffern, Punkt, Binde- oder Unterstrich"
    return None


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"Passwort zu kurz: mindestens {MIN_PASSWORD} Zeichen"
    return None


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise AccessError(problem)
    return _HASHER.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Login:
    """A new session: the token goes into the cookie, the CSRF token into every form."""

    token: str
    csrf: str
    expires_at: datetime


def log_in(
    users: Users,
    name: str,
    password: str,
    *,
    address: str,
    now: datetime,
    lifetime: timedelta,
) -> Login:
    """A session for ``name``, or AccessError (wrong name or password, too many attempts)."""
    by_name, by_address, oldest = users.failures_since(name, address, now - FAILURE_WINDOW)
    if by_name >= FAILURES_PER_NAME or by_address >= FAILURES_PER_ADDRESS:
        raise TooManyAttempts(datetime.fromisoformat(oldest) + FAILURE_WINDOW - now)
    user = users.get(name)
    try:
        _HASHER.verify(user.password_hash if user else _NOBODY, password)
        ok = user is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        users.failed(name, address, now)
        raise AccessError("Benutzername oder Passwort falsch.")
    if _HASHER.check_needs_rehash(user.password_hash):
        users.rehash(name, _HASHER.hash(password), now)
    users.forget_failures(name, now - FAILURE_WINDOW)
    login = Login(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now + lifetime)
    users.start_session(token_hash(login.token), name, login.csrf, now, login.expires_at)
    return login


def session_of(users: Users, token: str | None, now: datetime) -> Session | None:
    if not token:
        return None
    return users.session(token_hash(token), now)


def log_out(users: Users, token: str | None) -> None:
    if token:
        users.end_session(token_hash(token))


TOKEN_PREFIX = "tk_"  # tells a Tourkasse API token apart from other secrets in a tool's settings


def label_problem(label: str) -> str | None:
    if not (1 <= len(label) <= 64) or not all(c.isalnum() or c in "._- " for c in label):
        return (
            "Bezeichnung: 1 bis 64 Buchstaben, Ziffern, Leerzeichen, Punkt, Binde- oder Unterstrich"
        )
    return None


def new_api_token(users: Users, name: str, label: str, now: datetime) -> str:
    """A new API token for the user ``name``; shown once, kept only as its hash."""
    if users.get(name) is None:
        raise AccessError(f"Benutzer „{name}“ gibt es nicht")
    problem = label_problem(label)
    if problem:
        raise AccessError(problem)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    if not users.add_token(token_hash(token), name, label, now):
        raise AccessError(f"{name} hat schon ein Token „{label}“ (erst widerrufen)")
    return token


def token_owner(users: Users, token: str, now: datetime) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    return users.token_user(token_hash(token), now)


def csrf_matches(session: Session, sent: str | None) -> bool:
    # a session without a token (an API token's) matches no form at all
    return bool(session.csrf) and sent is not None and secrets.compare_digest(session.csrf, sent)
