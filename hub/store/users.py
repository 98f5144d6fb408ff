"""Who may use the hub's web: users with their roles, sessions, and failed logins.

The store keeps only what the web needs to decide: a password's argon2 hash (never the
password), a session's token as its SHA-256 (a copy of the database gives no way in), and the
time and address of each failed login, so that the limit on attempts holds across processes
and restarts. Hashing and the rules live in ``hub/access.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.store.dialect import Database
from tourkasse.journal import format_time


@dataclass(frozen=True)
class User:
    name: str
    password_hash: str
    roles: frozenset[str]
    stop: str | None = None  # role "home": the one stop this user orders for


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class ApiToken:
    """A token an accountant's tool sends instead of a session (the token itself is not kept)."""

    user: str
    label: str
    created_at: datetime
    last_used_at: datetime | None


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _roles(text: str) -> frozenset[str]:
    return frozenset(role for role in text.split(",") if role)


def _user(row: tuple[Any, ...]) -> User:
    name, password_hash, roles, stop = row
    return User(name, password_hash, _roles(roles), stop or None)


class Users:
    """The users, sessions and failed logins of one store connection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- users ---------------------------------------------------------------------------
    def put(
        self,
        name: str,
        password_hash: str,
        roles: frozenset[str],
        now: datetime,
        stop: str | None = None,
    ) -> bool:
        """Add the user, or give an existing one a new password, roles and stop (ending their
        sessions); True when the user is new."""
        at = format_time(now)
        with self.db.transaction():
            known = self.db.one("SELECT name FROM users WHERE name = ?", [name]) is not None
            self.db.run(
                "INSERT INTO users (name, password_hash, roles, created_at, updated_at, stop) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "password_hash = excluded.password_hash, roles = excluded.roles, "
                "updated_at = excluded.updated_at, stop = excluded.stop",
                [name, password_hash, ",".join(sorted(roles)), at, at, stop],
            )
            if known:
                self.db.run("DELETE FROM sessions WHERE user_name = ?", [name])
        return not known

    def get(self, name: str) -> User | None:
        row = self.db.one(
            "SELECT name, password_hash, roles, stop FROM users WHERE name = ?", [name]
        )
        return _user(row) if row else None

    def all(self) -> list[User]:
        rows = self.db.rows("SELECT name, password_hash, roles, stop FROM users ORDER BY name")
        return [_user(row) for row in rows]

    def rehash(self, name: str, password_hash: str, now: datetime) -> None:
        """A stronger hash of the same password (argon2's parameters were raised)."""
        with self.db.transaction():
            self.db.run(
                "UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?",
                [password_hash, format_time(now), name],
            )

    # --- sessions ------------------------------------------------------------------------
    def start_session(
        self, token_hash: str, name: str, csrf: str, now: datetime, expires_at: datetime
    ) -> None:
        with self.db.transaction():
            # expired sessions are of no use to anyone: cleared whenever someone logs in
            self.db.run("DELETE FROM sessions WHERE expires_at <= ?", [format_time(now)])
            self.db.run(
                "INSERT INTO sessions (token_hash, user_name, csrf, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [token_hash, name, csrf, format_time(now), format_time(expires_at)],
            )

    def session(self, token_hash: str, now: datetime) -> Session | None:
        """The session of this token, if it has not expired and its user still exists."""
        row = self.db.one(
            "SELECT u.name, u.password_hash, u.roles, u.stop, s.csrf, s.expires_at "
            "FROM sessions s JOIN users u ON u.name = s.user_name "
            "WHERE s.token_hash = ? AND s.expires_at > ?",
            [token_hash, format_time(now)],
        )
        if row is None:
            return None
        return Session(_user(row[:4]), row[4], datetime.fromisoformat(row[5]))

    def end_session(self, token_hash: str) -> None:
        with self.db.transaction():
            self.db.run("DELETE FROM sessions WHERE token_hash = ?", [token_hash])

    # --- API tokens ----------------------------------------------------------------------
    def add_token(self, token_hash: str, name: str, label: str, now: datetime) -> bool:
        """Keep a new token of ``name``; False when the user has a token of that label."""
        with self.db.transaction():
            if self.db.one(
                "SELECT label FROM api_tokens WHERE user_name = ? AND label = ?", [name, label]
            ):
                return False
            self.db.run(
                "INSERT INTO api_tokens (token_hash, user_name, label, created_at) "
                "VALUES (?, ?, ?, ?)",
                [token_hash, name, label, format_time(now)],
            )
        return True

    def token_user(self, token_hash: str, now: datetime) -> User | None:
        """The user of this token (noting when it was used), or None."""
        row = self.db.one(
            "SELECT u.name, u.password_hash, u.roles, u.stop FROM api_tokens t "
            "JOIN users u ON u.name = t.user_name WHERE t.token_hash = ?",
            [token_hash],
        )
        if row is None:
            return None
        with self.db.transaction():
            self.db.run(
                "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?",
                [format_time(now), token_hash],
            )
        return _user(row)

    def tokens(self) -> list[ApiToken]:
        rows = self.db.rows(
            "SELECT user_name, label, created_at, last_used_at FROM api_tokens "
            "ORDER BY user_name, label"
        )
        return [
            ApiToken(name, label, datetime.fromisoformat(made), _time(used))
            for name, label, made, used in rows
        ]

    def revoke_token(self, name: str, label: str) -> bool:
        with self.db.transaction():
            done = self.db.run(
                "DELETE FROM api_tokens WHERE user_name = ? AND label = ?", [name, label]
            )
        return bool(done)

    # --- failed logins -------------------------------------------------------------------
    def failed(self, name: str, address: str, now: datetime) -> None:
        with self.db.transaction():
            self.db.run(
                "INSERT INTO login_failures (name, address, at) VALUES (?, ?, ?)",
                [name, address, format_time(now)],
            )

    def failures_since(self, name: str, address: str, since: datetime) -> tuple[int, int, str]:
        """Failures since ``since`` for this name and from this address, and the oldest of
        them (from when the wait is counted)."""
        at = format_time(since)
        by_name = self.db.one(
            "SELECT count(*), min(at) FROM login_failures WHERE name = ? AND at > ?", [name, at]
        )
        by_address = self.db.one(
            "SELECT count(*), min(at) FROM login_failures WHERE address = ? AND at > ?",
            [address, at],
        )
        assert by_name is not None and by_address is not None  # count(*) always answers
        oldest = min(filter(None, (by_name[1], by_address[1])), default=at)
        return int(by_name[0]), int(by_address[0]), oldest

    def forget_failures(self, name: str, before: datetime) -> None:
        """A successful login clears the name's count; old failures of anyone go."""
        with self.db.transaction():
            self.db.run("DELETE FROM login_failures WHERE name = ?", [name])
            self.db.run("DELETE FROM login_failures WHERE at <= ?", [format_time(before)])
