"""The track: where the truck was, sampled into its own SQLite file and pruned soon.

Positions are personal data of the driver, so the track is kept apart from the journal (which is
never deleted) and only for ``retention``. Coordinates are stored as integers (1e-7 degrees,
about a centimetre), speeds in cm/s, times in UTC.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from tourkasse.sqlite_wal import switch_to_wal
from truck.store.database import StoreError, describe_error

SCALE = 10_000_000


def stamp(moment: datetime) -> str:
    # one fixed format, so that text order is time order
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class TrackPoint:
    time: datetime  # the fix's own time, UTC
    lat: float
    lon: float
    speed: float  # m/s


def open_track(path: Path) -> sqlite_utils.Database:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=15)
        switch_to_wal(conn, wait_s=15)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS track (time TEXT PRIMARY KEY, lat INTEGER NOT NULL, "
            "lon INTEGER NOT NULL, speed_cm_s INTEGER NOT NULL) WITHOUT ROWID"
        )
    except OSError as exc:
        raise StoreError(f"Fahrtspur {path} lässt sich nicht öffnen: {exc.strerror}") from exc
    except sqlite3.Error as exc:
        raise StoreError(describe_error(path, exc)) from exc
    return sqlite_utils.Database(conn)


def add(db: sqlite_utils.Database, point: TrackPoint) -> None:
    db.execute(
        "INSERT OR IGNORE INTO track (time, lat, lon, speed_cm_s) VALUES (?, ?, ?, ?)",
        [
            stamp(point.time),
            round(point.lat * SCALE),
            round(point.lon * SCALE),
            round(point.speed * 100),
        ],
    )


def points(db: sqlite_utils.Database, *, since: datetime | None = None) -> list[TrackPoint]:
    sql, params = "SELECT time, lat, lon, speed_cm_s FROM track", []
    if since is not None:
        sql, params = sql + " WHERE time >= ?", [stamp(since)]
    return [
        TrackPoint(datetime.fromisoformat(time), lat / SCALE, lon / SCALE, speed / 100)
        for time, lat, lon, speed in db.execute(sql + " ORDER BY time", params)
    ]


def prune(db: sqlite_utils.Database, *, now: datetime, retention: timedelta) -> int:
    """Delete points older than ``retention``; returns how many went."""
    cursor = db.execute("DELETE FROM track WHERE time < ?", [stamp(now - retention)])
    return cursor.rowcount


def rows_after(
    db: sqlite_utils.Database, after: str, *, limit: int
) -> list[tuple[str, int, int, int]]:
    """Stored points after the time text ``after``, as stored (integers), oldest first."""
    return [
        (time, lat, lon, speed)
        for time, lat, lon, speed in db.execute(
            "SELECT time, lat, lon, speed_cm_s FROM track WHERE time > ? ORDER BY time LIMIT ?",
            [after, limit],
        )
    ]
