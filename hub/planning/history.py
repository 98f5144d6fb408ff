"""The journals of a period, read into what planning needs: each visit of a stop on a date,
with its receipts' lines and the minutes the truck stood there.

A date counts as a visit of a stop when the truck arrived there (GPS or staff's choice) or
sold there. Minutes at the stop are those between a GPS arrival and the departure that
follows it; a visit without a recorded departure has no minutes (it does not count towards
turnover per hour either). Receipts are those that count as turnover (training and aborted
ones do not); a void counts with its negative lines, so that it cancels its original.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.store import HubStore
from tourkasse.journal import Entry, EntryKind, JournalError, decode_entry
from tourkasse.receipt import BonType, Receipt

KINDS = (
    EntryKind.RECEIPT,
    EntryKind.STOP_ARRIVAL,
    EntryKind.STOP_DEPARTURE,
    EntryKind.STOP_CHOSEN,
)


@dataclass
class Visit:
    stop: str
    day: date
    truck: str
    receipts: list[Receipt] = field(default_factory=list)
    minutes: float = 0.0
    timed: bool = False  # an arrival with its departure was recorded


@dataclass
class History:
    visits: dict[tuple[str, date], Visit] = field(default_factory=dict)

    def visit(self, stop: str, day: date, truck: str) -> Visit:
        return self.visits.setdefault((stop, day), Visit(stop, day, truck))

    def of_stop(self, stop: str) -> list[Visit]:
        return sorted((v for v in self.visits.values() if v.stop == stop), key=lambda v: v.day)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def read(store: HubStore, first: date, last: date, zone: ZoneInfo) -> History:
    """Visits from ``first`` through ``last`` (local dates, both included)."""
    history = History()
    arrived: dict[tuple[str, str], Entry] = {}  # (truck, stop) -> its open GPS arrival
    since = local_midnight(first, zone)
    until = local_midnight(last + timedelta(days=1), zone)
    for data in store.entries_since(KINDS, since, until):
        try:
            entry = decode_entry(data)
        except JournalError:
            continue  # stored by the ingest, so readable; never let one entry stop a report
        day = entry.at.astimezone(zone).date()
        if entry.kind is EntryKind.RECEIPT:
            try:
                receipt = Receipt.from_dict(entry.body["receipt"])
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
            if receipt.bon_type is BonType.RECEIPT and receipt.stop:
                history.visit(receipt.stop, day, entry.truck).receipts.append(receipt)
            continue
        stop = entry.body.get("stop")
        if not isinstance(stop, str) or not stop:
            continue
        if entry.kind is EntryKind.STOP_DEPARTURE:
            opened = arrived.pop((entry.truck, stop), None)
            if opened is not None:
                visit = history.visit(stop, opened.at.astimezone(zone).date(), entry.truck)
                visit.minutes += (entry.at - opened.at).total_seconds() / 60
                visit.timed = True
            continue
        history.visit(stop, day, entry.truck)
        if entry.kind is EntryKind.STOP_ARRIVAL:
            arrived[(entry.truck, stop)] = entry
    return history


def goods(receipts: list[Receipt]) -> dict[tuple[str, str], tuple[str, int]]:
    """Net quantities of goods per (article, unit): sales less returns and voids, deposits
    left out. The article is its number where the line has one, its text otherwise."""
    totals: dict[tuple[str, str], list] = defaultdict(lambda: ["", 0])
    for receipt in receipts:
        for line in receipt.lines:
            if line.kind.value not in ("sale", "return"):
                continue
            key = (line.article_no or line.text, line.unit.value)
            totals[key][0] = totals[key][0] or line.text
            totals[key][1] += line.quantity
    return {key: (text, quantity) for key, (text, quantity) in totals.items()}
