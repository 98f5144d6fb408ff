"""The trucks' telemetry on the hub: last status, live position, the track for history.

None of it is journal: a status is replaced by the next one that arrives (the broker's last
will, sent when a truck's connection dies, carries the time of the connect, so arrival order
counts, not ``at``); a position only by a later one; the track is stored once per point in
time, however often a batch is sent again.
"""

from __future__ import annotations

import json
from datetime import datetime

from hub.store.dialect import Database
from hub.store.model import DeviceState, TruckPosition, TruckStatus
from tourkasse import protocol
from tourkasse.journal import format_time


def _utc(text: str) -> str:
    """A time of the wire as stored: UTC, fixed format, so text order is time order."""
    return format_time(datetime.fromisoformat(text))


def save_status(db: Database, status: protocol.Status, received_at: datetime) -> None:
    devices = {
        name: {"ok": report.ok, "message": report.message, "since": report.since}
        for name, report in status.devices
    }
    with db.transaction():
        db.run(
            "INSERT INTO statuses (truck, online, at, version, journal_seq, backlog, devices, "
            "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (truck) DO UPDATE SET "
            "online = excluded.online, at = excluded.at, version = excluded.version, "
            "journal_seq = excluded.journal_seq, backlog = excluded.backlog, "
            "devices = excluded.devices, received_at = excluded.received_at, "
            "previous_backlog = statuses.backlog",
            [
                status.truck,
                status.online,
                status.at,
                status.version,
                status.journal_seq,
                status.backlog,
                json.dumps(devices, ensure_ascii=False, sort_keys=True),
                format_time(received_at),
            ],
        )


def statuses(db: Database) -> list[TruckStatus]:
    rows = db.rows(
        "SELECT truck, online, at, version, journal_seq, backlog, devices, received_at, "
        "previous_backlog FROM statuses ORDER BY truck"
    )
    return [
        TruckStatus(
            truck,
            bool(online),
            at,
            version,
            int(journal_seq),
            int(backlog),
            {
                name: DeviceState(d["ok"], d["message"], d["since"])
                for name, d in json.loads(devices).items()
            },
            datetime.fromisoformat(received),
            int(previous) if previous is not None else None,
        )
        for truck, online, at, version, journal_seq, backlog, devices, received, previous in rows
    ]


def add_track(db: Database, batch: protocol.TrackBatch) -> str:
    """Store the batch's points (each point in time once); returns the latest stored time."""
    rows = [(batch.truck, _utc(p.time), p.time, p.lat, p.lon, p.speed_cm_s) for p in batch.points]
    with db.transaction():
        db.run_many(
            "INSERT INTO track (truck, time, sent, lat, lon, speed_cm_s) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (truck, time) DO NOTHING",
            rows,
        )
        row = db.one(
            "SELECT sent FROM track WHERE truck = ? ORDER BY time DESC LIMIT 1", [batch.truck]
        )
    return row[0] if row else ""


def track(db: Database, truck: str, since: datetime | None = None) -> list[protocol.TrackPoint]:
    """The stored track of a truck, oldest first (times as the truck sent them)."""
    rows = db.rows(
        "SELECT sent, lat, lon, speed_cm_s FROM track WHERE truck = ? AND time >= ? ORDER BY time",
        [truck, format_time(since) if since is not None else ""],
    )
    return [protocol.TrackPoint(sent, lat, lon, speed) for sent, lat, lon, speed in rows]


def save_position(db: Database, position: protocol.Position, received_at: datetime) -> None:
    with db.transaction():
        db.run(
            "INSERT INTO positions (truck, time, sent, lat, lon, speed_cm_s, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (truck) DO UPDATE SET "
            "time = excluded.time, sent = excluded.sent, lat = excluded.lat, "
            "lon = excluded.lon, speed_cm_s = excluded.speed_cm_s, "
            "received_at = excluded.received_at WHERE positions.time <= excluded.time",
            [
                position.truck,
                _utc(position.time),
                position.time,
                position.lat,
                position.lon,
                position.speed_cm_s,
                format_time(received_at),
            ],
        )


def positions(db: Database) -> list[TruckPosition]:
    rows = db.rows(
        "SELECT truck, sent, lat, lon, speed_cm_s, received_at FROM positions ORDER BY truck"
    )
    return [
        TruckPosition(truck, sent, int(lat), int(lon), int(speed), datetime.fromisoformat(at))
        for truck, sent, lat, lon, speed, at in rows
    ]
