"""A truck's stop events (arrived, left, chosen by staff) read from the hub's journals.

The time of an event is the GPS fix's own time when the agent saw it (``gps_time``), else the
entry's time: a day replayed or synced late keeps the times it happened at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.store import HubStore
from tourkasse.journal import EntryKind, JournalError, decode_entry

STOP_KINDS = (EntryKind.STOP_ARRIVAL, EntryKind.STOP_DEPARTURE, EntryKind.STOP_CHOSEN)
NO_END = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class StopEvent:
    truck: str
    at: datetime  # UTC
    stop: str | None  # None: staff said "on the road"
    arrived: bool  # False: left the stop


def stop_events(
    store: HubStore, since: datetime, until: datetime | None = None, *, truck: str | None = None
) -> list[StopEvent]:
    """The stop events (of every truck, or of ``truck``) that happened from ``since`` to
    before ``until``, per truck in journal order."""
    # an entry is dated when it was written, its GPS time may lie a little before: read a day
    # more and judge by the event's own time
    written_since = since - timedelta(days=1)
    if truck is None:
        data = store.entries_since(STOP_KINDS, written_since, until)
    else:
        data = store.entries_between(STOP_KINDS, written_since, until or NO_END, truck=truck)
    found = []
    for raw in data:
        try:
            entry = decode_entry(raw)
        except JournalError:
            continue  # the ingest stored it, so it reads; a fault here must not stop a board
        try:
            at = datetime.fromisoformat(entry.body["gps_time"])
        except (KeyError, TypeError, ValueError):
            at = entry.at
        if at < since or (until is not None and at >= until):
            continue
        stop = entry.body.get("stop") or None
        arrived = entry.kind is not EntryKind.STOP_DEPARTURE and stop is not None
        found.append(StopEvent(entry.truck, at, stop, arrived))
    return found
