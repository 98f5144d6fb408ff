"""What the operator sees of the fleet, as plain data for the page and its live events.

Built from the hub store (status, position, committed journal) and the tour plan; every
function takes ``now`` so that pages and tests agree on what "today" and "offline for a
while" mean. Amounts stay integer cents here; the page formats them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.store import HubStore, TruckStatus
from tourkasse.journal import EntryKind, JournalError, decode_entry
from tourkasse.receipt import BonType, Receipt
from tourkasse.tour import TourPlan

# a truck's clock that differs from the hub's by more than this is shown as wrong
CLOCK_TOLERANCE = timedelta(minutes=2)
SCALE = 10_000_000  # positions travel in 1e-7 degrees
STOP_KINDS = (EntryKind.STOP_ARRIVAL, EntryKind.STOP_DEPARTURE, EntryKind.STOP_CHOSEN)


@dataclass(frozen=True)
class Day:
    """The business day the page shows, in the hub's time zone."""

    date: date
    start: datetime  # local midnight, aware
    zone: ZoneInfo

    @classmethod
    def of(cls, now: datetime, zone: ZoneInfo) -> Day:
        local = now.astimezone(zone)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(local.date(), start, zone)


def stops_today(plan: TourPlan | None, day: Day) -> list[dict[str, Any]]:
    """Every stop of today's tours, with the truck that drives it and the planned times."""
    if plan is None:
        return []
    marks = []
    for tour in plan.days(day.date):
        for scheduled in tour.stops:
            stop = scheduled.stop
            marks.append(
                {
                    "truck": tour.truck,
                    "tour": tour.tour.name,
                    "id": stop.id,
                    "name": stop.name,
                    "lat": stop.lat,
                    "lon": stop.lon,
                    "arrive": scheduled.arrive.astimezone(day.zone).strftime("%H:%M"),
                    "depart": scheduled.depart.astimezone(day.zone).strftime("%H:%M"),
                }
            )
    return marks


def whereabouts(store: HubStore, day: Day) -> dict[str, dict[str, Any]]:
    """Per truck: the stops visited today and where it is now (None: on the road)."""
    found: dict[str, dict[str, Any]] = {}
    for data in store.entries_since(STOP_KINDS, day.start):
        try:
            entry = decode_entry(data)
        except JournalError:
            continue  # the ingest stored it, so it reads; a fault here must not stop the page
        seen = found.setdefault(entry.truck, {"visited": [], "current": None})
        stop = entry.body.get("stop")
        if entry.kind is EntryKind.STOP_DEPARTURE or not stop:
            seen["current"] = None
            continue
        seen["current"] = {"id": stop, "name": entry.body.get("name", stop)}
        if stop not in seen["visited"]:
            seen["visited"].append(stop)
    return found


def clock_state(status: TruckStatus) -> tuple[bool, str]:
    """Whether the truck's clock agrees with the hub's, judged when its status arrived."""
    try:
        sent = datetime.fromisoformat(status.at)
    except ValueError:
        return False, "Uhrzeit unlesbar"
    off = (sent - status.received_at).total_seconds()
    if abs(off) <= CLOCK_TOLERANCE.total_seconds():
        return True, "Uhr stimmt"
    return False, f"Uhr geht {'vor' if off > 0 else 'nach'}: {abs(off) / 60:.0f} min"


def trucks(store: HubStore, plan: TourPlan | None, day: Day, now: datetime) -> list[dict[str, Any]]:
    """One row per truck the hub knows: status, position, stops, today's turnover."""
    statuses = {status.truck: status for status in store.statuses()}
    positions = {p.truck: p for p in store.positions()}
    turnover = {t.truck: t for t in store.turnover(day.date).trucks}
    places = whereabouts(store, day)
    planned = {tour.truck: tour for tour in plan.days(day.date)} if plan else {}
    names = sorted(set(statuses) | set(positions) | set(store.trucks()) | set(planned))
    rows = []
    for name in names:
        status = statuses.get(name)
        position = positions.get(name)
        place = places.get(name, {"visited": [], "current": None})
        tour = planned.get(name)
        current = place["current"]["id"] if place["current"] else None
        upcoming = [
            s
            for s in (tour.stops if tour else ())
            if s.stop.id not in place["visited"] and s.stop.id != current
        ]
        last_contact = max(
            (t for t in (status and status.received_at, position and position.received_at) if t),
            default=None,
        )
        clock_ok, clock_text = clock_state(status) if status else (True, "")
        rows.append(
            {
                "truck": name,
                "online": bool(status and status.online),
                "last_contact": last_contact.isoformat() if last_contact else None,
                "last_contact_local": (
                    last_contact.astimezone(day.zone).strftime("%d.%m. %H:%M")
                    if last_contact
                    else "–"
                ),
                "backlog": status.backlog if status else None,
                "devices": {
                    device: {"ok": state.ok, "message": state.message}
                    for device, state in (status.devices.items() if status else ())
                },
                "clock_ok": clock_ok,
                "clock": clock_text,
                "version": status.version if status else "",
                "tour": tour.tour.name if tour else None,
                "current_stop": place["current"],
                "visited": place["visited"],
                "next_stop": (
                    {
                        "id": upcoming[0].stop.id,
                        "name": upcoming[0].stop.name,
                        "arrive": upcoming[0].arrive.astimezone(day.zone).strftime("%H:%M"),
                    }
                    if upcoming
                    else None
                ),
                "position": position_of(position) if position else None,
                "turnover": turnover[name].figures.turnover if name in turnover else 0,
                "receipts": turnover[name].figures.receipts if name in turnover else 0,
            }
        )
    return rows


def position_of(position: Any) -> dict[str, Any]:
    return {
        "lat": position.lat / SCALE,
        "lon": position.lon / SCALE,
        "speed_kmh": round(position.speed_cm_s * 0.036, 1),
        "time": position.time,
    }


def sale(data: bytes, zone: ZoneInfo, names: dict[str, str]) -> dict[str, Any] | None:
    """A receipt entry as a line of the sales feed; None for what is not a sale to show."""
    try:
        entry = decode_entry(data)
        receipt = Receipt.from_dict(entry.body["receipt"])
    except (JournalError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return {
        "truck": entry.truck,
        "seq": entry.seq,
        "number": entry.body.get("number"),
        "at": entry.at.astimezone(zone).strftime("%H:%M:%S"),
        "stop": names.get(receipt.stop, receipt.stop) if receipt.stop else "",
        "total": receipt.total,
        "lines": len(receipt.lines),
        "training": receipt.bon_type is BonType.TRAINING,
        "void": receipt.is_void,
        "payment": ", ".join(sorted({p.method.value for p in receipt.payments})),
    }


def turnover_by_stop(store: HubStore, day: Day, names: dict[str, str]) -> list[dict[str, Any]]:
    """Today's turnover per truck and stop, largest first (for the chart)."""
    rows = []
    for truck in store.turnover(day.date).trucks:
        for stop in truck.stops:
            rows.append(
                {
                    "truck": truck.truck,
                    "stop": names.get(stop.stop, stop.stop) if stop.stop else "",
                    "turnover": stop.figures.turnover,
                    "receipts": stop.figures.receipts,
                }
            )
    return sorted(rows, key=lambda row: -row["turnover"])
