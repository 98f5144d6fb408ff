"""The till's devices' current states, and their failures and recoveries in the journal.

The status table says how each device is now (the agent reports it to the hub); the journal
says when each one failed and came back. A state that does not change writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from tourkasse.journal import Entry, EntryKind
from truck.store import journal
from truck.store.database import write_transaction


@dataclass(frozen=True)
class DeviceState:
    device: str
    ok: bool
    message: str
    since: datetime


def current(db: Database) -> dict[str, DeviceState]:
    return {
        device: DeviceState(device, bool(ok), message, datetime.fromisoformat(since))
        for device, ok, message, since in db.execute(
            "SELECT device, ok, message, since FROM device_status"
        )
    }


def report(
    db: Database,
    *,
    truck: str,
    device: str,
    ok: bool,
    message: str,
    clock: Callable[[], datetime],
    journal_changes: bool = True,
) -> Entry | None:
    """Record a device's state; journal the change when it fails or comes back.

    ``journal_changes=False`` for a device whose failures are journaled elsewhere (the TSE).
    """
    with write_transaction(db):
        row = db.execute(
            "SELECT ok, message FROM device_status WHERE device = ?", [device]
        ).fetchone()
        if row is not None and bool(row[0]) == ok and row[1] == message:
            return None
        entry = None
        was_ok = row is None or bool(row[0])
        if was_ok != ok and journal_changes:
            kind = EntryKind.DEVICE_FAILURE_END if ok else EntryKind.DEVICE_FAILURE_START
            entry = journal.append(
                db,
                truck=truck,
                kind=kind,
                body={"device": device, "message": message},
                clock=clock,
            )
        db.execute(
            "INSERT INTO device_status (device, ok, message, since) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(device) DO UPDATE SET ok = excluded.ok, message = excluded.message, "
            "since = CASE WHEN device_status.ok = excluded.ok THEN device_status.since "
            "ELSE excluded.since END",
            [device, int(ok), message, clock().isoformat()],
        )
        return entry
