"""What the hub store answers with: outcomes of a batch, refused messages, forks, telemetry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True)
class BatchOutcome:
    """What became of a journal batch, and what to tell the truck.

    ``through`` is the cumulative acknowledgement: the truck's journal is committed on the hub
    through this entry (after the batch). ``resend_from`` is set when the truck must send
    again from there (a gap, a broken chain, an entry that could not be read); ``reason`` says
    why, in German.
    """

    truck: str
    through: int
    stored: int
    duplicates: int
    forks: int
    resend_from: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Rejected:
    """A message the hub could not accept, kept with its payload bytes exactly as received."""

    id: int
    received_at: datetime
    topic: str
    truck: str | None
    reason: str
    payload: bytes


@dataclass(frozen=True)
class Fork:
    """An entry that arrived with a sequence number the hub already holds, but other content."""

    id: int
    truck: str
    seq: int
    stored_hash: str
    arriving_hash: str
    data: bytes  # the arriving entry's bytes; the stored journal keeps its own
    received_at: datetime


@dataclass(frozen=True)
class Alert:
    """A truck whose journal forked: someone must look (a restored backup, a cloned SD card)."""

    truck: str
    first_seq: int
    count: int
    first_seen: datetime


class DeviceState(NamedTuple):
    """A device as the truck reported it: (ok, message, since)."""

    ok: bool
    message: str
    since: str


@dataclass(frozen=True)
class TruckStatus:
    """The last status a truck (or the broker, for its last will) sent."""

    truck: str
    online: bool
    at: str
    version: str
    journal_seq: int
    backlog: int
    devices: dict[str, DeviceState]
    received_at: datetime
    previous_backlog: int | None = None  # in the status before (None: none known)


@dataclass(frozen=True)
class TruckPosition:
    """The latest live position of a truck (operator only: never on public pages)."""

    truck: str
    time: str
    lat: int  # 1e-7 degrees
    lon: int
    speed_cm_s: int
    received_at: datetime
