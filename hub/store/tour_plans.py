"""The tour plan's versions in the hub store: each edit on the web saves the whole plan as
the TOML text the trucks read, with who, when and what was changed. Nothing is overwritten;
the newest version is the plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.store.dialect import Database
from tourkasse.journal import format_time


@dataclass(frozen=True)
class PlanVersion:
    version: int
    text: str
    at: datetime
    by: str
    what: str


class TourPlans:
    def __init__(self, db: Database) -> None:
        self.db = db

    def latest_version(self) -> int:
        row = self.db.one("SELECT max(version) FROM tour_plans")
        return int(row[0]) if row and row[0] is not None else 0

    def latest(self) -> PlanVersion | None:
        found = self.history(limit=1)
        return found[0] if found else None

    def add(self, text: str, by: str, what: str, now: datetime) -> int:
        with self.db.transaction():
            self.db.lock("tourkasse-tour-plan")  # two offices saving at once get two versions
            row = self.db.one("SELECT max(version) FROM tour_plans")
            version = int(row[0] or 0) + 1 if row else 1
            self.db.run(
                "INSERT INTO tour_plans (version, text, at, by_user, what) VALUES (?, ?, ?, ?, ?)",
                [version, text, format_time(now), by, what],
            )
        return version

    def history(self, limit: int = 20) -> list[PlanVersion]:
        rows = self.db.rows(
            "SELECT version, text, at, by_user, what FROM tour_plans ORDER BY version DESC LIMIT ?",
            [limit],
        )
        return [PlanVersion(int(v), t, datetime.fromisoformat(a), b, w) for v, t, a, b, w in rows]
