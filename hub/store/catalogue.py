"""The office's article list in the hub store: articles (their fields as JSON, as the article
list file writes them), department keys, price changes with the date they take effect, the
history of every change (who, when, before, after), and what was pushed to the trucks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hub.store.dialect import Database
from tourkasse.journal import format_time


@dataclass(frozen=True)
class PriceChange:
    id: int
    number: str
    price: str
    valid_from: date
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class Change:
    at: datetime
    by: str
    number: str
    what: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Push:
    kind: str
    version: int
    at: datetime
    by: str
    summary: str
    prices_as_of: date | None


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _read(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)


class Catalogue:
    """One store connection's view of the article list; writes in the caller's transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def articles(self) -> dict[str, dict[str, Any]]:
        rows = self.db.rows("SELECT number, fields FROM catalogue_articles")
        return {number: json.loads(fields) for number, fields in rows}

    def article(self, number: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT fields FROM catalogue_articles WHERE number = ?", [number])
        return json.loads(row[0]) if row else None

    def put(self, number: str, fields: dict[str, Any], by: str, now: datetime) -> None:
        self.db.run(
            "INSERT INTO catalogue_articles (number, fields, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET fields = excluded.fields, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [number, _json(fields), format_time(now), by],
        )

    def departments(self) -> list[dict[str, Any]]:
        rows = self.db.rows("SELECT fields FROM catalogue_departments ORDER BY key")
        return [json.loads(fields) for (fields,) in rows]

    def replace_departments(self, departments: list[dict[str, Any]]) -> None:
        self.db.run("DELETE FROM catalogue_departments")
        self.db.run_many(
            "INSERT INTO catalogue_departments (key, fields) VALUES (?, ?)",
            [(d["key"], _json(d)) for d in departments],
        )

    def add_price_change(
        self, number: str, price: str, valid_from: date, by: str, now: datetime
    ) -> None:
        self.db.run(
            "INSERT INTO price_changes (number, price, valid_from, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?)",
            [number, price, valid_from.isoformat(), format_time(now), by],
        )

    def price_changes(self, number: str | None = None) -> list[PriceChange]:
        sql = "SELECT id, number, price, valid_from, created_at, created_by FROM price_changes"
        rows = self.db.rows(
            sql + (" WHERE number = ?" if number else "") + " ORDER BY valid_from, id",
            [number] if number else [],
        )
        return [
            PriceChange(i, n, p, date.fromisoformat(v), datetime.fromisoformat(c), b)
            for i, n, p, v, c, b in rows
        ]

    def log(
        self,
        number: str,
        what: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        by: str,
        now: datetime,
    ) -> None:
        self.db.run(
            "INSERT INTO catalogue_history (at, by_user, number, what, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [format_time(now), by, number, what, _json(before), _json(after)],
        )

    def history(self, number: str | None = None, limit: int = 200) -> list[Change]:
        sql = "SELECT at, by_user, number, what, before, after FROM catalogue_history"
        rows = self.db.rows(
            sql + (" WHERE number = ?" if number else "") + " ORDER BY id DESC LIMIT ?",
            [number, limit] if number else [limit],
        )
        return [
            Change(datetime.fromisoformat(at), by, n, what, _read(before), _read(after))
            for at, by, n, what, before, after in rows
        ]

    def record_push(
        self, kind: str, version: int, by: str, summary: str, as_of: date | None, now: datetime
    ) -> None:
        self.db.run(
            "INSERT INTO pushes (kind, version, at, by_user, summary, prices_as_of) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [kind, version, format_time(now), by, summary, as_of.isoformat() if as_of else None],
        )

    def pushes(self, kind: str, limit: int = 20) -> list[Push]:
        rows = self.db.rows(
            "SELECT kind, version, at, by_user, summary, prices_as_of FROM pushes "
            "WHERE kind = ? ORDER BY id DESC LIMIT ?",
            [kind, limit],
        )
        return [
            Push(k, int(v), datetime.fromisoformat(at), by, s, date.fromisoformat(p) if p else None)
            for k, v, at, by, s, p in rows
        ]

    # --- an uploaded CSV between its preview and the user's go-ahead -------------------------
    def keep_upload(self, token: str, by: str, name: str, content: bytes, now: datetime) -> None:
        self.db.run("DELETE FROM pending_imports WHERE by_user = ?", [by])  # one per user
        self.db.run(
            "INSERT INTO pending_imports (token, by_user, at, name, content) "
            "VALUES (?, ?, ?, ?, ?)",
            [token, by, format_time(now), name, content],
        )

    def take_upload(self, token: str, by: str) -> tuple[str, bytes] | None:
        """The file's name and bytes, once: a preview is taken over at most once."""
        row = self.db.one(
            "SELECT name, content FROM pending_imports WHERE token = ? AND by_user = ?",
            [token, by],
        )
        self.db.run("DELETE FROM pending_imports WHERE token = ?", [token])
        return (row[0], bytes(row[1])) if row else None
