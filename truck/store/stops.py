"""Where the truck is: stop arrivals, departures and choices in the journal, and the latest.

The agent journals what GPS shows; staff can say where the truck is when GPS is out or wrong.
The latest of these entries is where the truck is now; the till tags receipts with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from tourkasse.journal import Entry, EntryKind, decode_entry
from truck.store import journal

STOP_KINDS = (EntryKind.STOP_ARRIVAL, EntryKind.STOP_DEPARTURE, EntryKind.STOP_CHOSEN)
ON_THE_ROAD = "unterwegs"  # a receipt sold away from any stop


@dataclass(frozen=True)
class Whereabouts:
    """The truck's stop now (None: on the road), and what said so since when."""

    stop_id: str | None
    name: str
    source: str  # "gps" or "staff"
    since: datetime | None  # the journal entry's time; None before any entry

    @property
    def tag(self) -> str:
        """What a receipt carries: the stop's id, or "unterwegs"."""
        return self.stop_id or ON_THE_ROAD


def latest(db: Database) -> Whereabouts | None:
    """The latest stop entry of the journal; None when there has been none."""
    kinds = ", ".join("?" * len(STOP_KINDS))
    row = db.execute(
        f"SELECT data FROM journal WHERE kind IN ({kinds}) ORDER BY seq DESC LIMIT 1",
        [kind.value for kind in STOP_KINDS],
    ).fetchone()
    if row is None:
        return None
    entry = decode_entry(bytes(row[0]))
    body = entry.body
    at_stop = entry.kind is not EntryKind.STOP_DEPARTURE and body.get("stop") is not None
    return Whereabouts(
        stop_id=body["stop"] if at_stop else None,
        name=body.get("name", "") if at_stop else ON_THE_ROAD,
        source="staff" if entry.kind is EntryKind.STOP_CHOSEN else "gps",
        since=entry.at,
    )


def receipt_tag(db: Database, *, tours: bool) -> str | None:
    """What a receipt paid now carries: the stop's id, "unterwegs", or None without tours."""
    if not tours:
        return None
    where = latest(db)
    return where.tag if where is not None else ON_THE_ROAD


def record(
    db: Database,
    *,
    truck: str,
    kind: EntryKind,
    body: dict[str, Any],
    clock: Callable[[], datetime],
) -> Entry:
    if kind not in STOP_KINDS:
        raise ValueError(f"{kind} ist kein Halt-Eintrag")
    return journal.append(db, truck=truck, kind=kind, body=body, clock=clock)
