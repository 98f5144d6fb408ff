"""The links of the public arrival boards: one per stop, unguessable, renewable.

A board shows a stop's expected arrival to whoever has its link (a seniors' home's tablet,
the residents' phones); it needs no login. Renewing a link replaces it, and the old one then
shows nothing. The token is kept as it is, not hashed, because the operator hands the same
link out again (to a new tablet, on a printed timetable); it opens nothing but that stop's
times.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from hub.store.dialect import Database
from tourkasse.journal import format_time

TOKEN_BYTES = 18  # 144 bits: 24 characters in a URL


@dataclass(frozen=True)
class BoardLink:
    stop: str
    token: str
    created_at: datetime
    created_by: str


class BoardLinks:
    def __init__(self, db: Database) -> None:
        self.db = db

    def stop_for(self, token: str) -> str | None:
        """The stop whose board this token opens; None for an unknown or renewed one."""
        if not token:
            return None
        row = self.db.one("SELECT stop FROM board_links WHERE token = ?", [token])
        return str(row[0]) if row else None

    def get(self, stop: str) -> BoardLink | None:
        row = self.db.one(
            "SELECT stop, token, created_at, created_by FROM board_links WHERE stop = ?", [stop]
        )
        return _link(row) if row else None

    def all(self) -> dict[str, BoardLink]:
        rows = self.db.rows("SELECT stop, token, created_at, created_by FROM board_links")
        return {row[0]: _link(row) for row in rows}

    def renew(self, stop: str, by: str, now: datetime) -> BoardLink:
        """A new link for the stop's board; the one it had before shows nothing from now on."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.db.transaction():
            self.db.run(
                "INSERT INTO board_links (stop, token, created_at, created_by) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (stop) DO UPDATE SET token = excluded.token, "
                "created_at = excluded.created_at, created_by = excluded.created_by",
                [stop, token, format_time(now), by],
            )
        return BoardLink(stop, token, now, by)

    def ensure(self, stop: str, by: str, now: datetime) -> BoardLink:
        """The stop's link, made on first use."""
        return self.get(stop) or self.renew(stop, by, now)


def _link(row: tuple[object, ...]) -> BoardLink:
    stop, token, created_at, created_by = row
    return BoardLink(
        str(stop), str(token), datetime.fromisoformat(str(created_at)), str(created_by)
    )
