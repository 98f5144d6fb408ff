"""A truck's journal cut into its daily closings (Z), and the closings an export asks for.

A closing covers the numbered business events (receipts, opening float, cash movements) after
the previous closing up to its own entry; that is how the till computes its figures
(truck/till/figures.py). What the export needs from outside a closing — the closing of a
voided receipt, the TSE that was in use before an outage — is looked up over the whole
journal, which is always read from its first entry, so an export never depends on which
closings were chosen with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from tourkasse.dsfinvk.master import MasterData
from tourkasse.dsfinvk.values import business_day, timestamp
from tourkasse.journal import ChainBroken, ChainWalk, Entry, EntryKind, JournalError, entry_hash
from tourkasse.signature import TseFields


class ExportRefused(ValueError):
    """The export cannot be made as asked; str() is German for the user."""


@dataclass
class Period:
    """One daily closing and what it covers."""

    number: int  # Z_NR
    entry: Entry  # the daily closing entry
    events: list[Entry] = field(default_factory=list)  # numbered entries, in journal order
    # TSE_LATE_SIGNATURE answers journaled before this closing, by receipt number
    late: dict[int, TseFields] = field(default_factory=dict)
    # the serial of the TSE last known to sign before each numbered entry (by receipt number)
    tse_before: dict[int, str] = field(default_factory=dict)
    master: MasterData | None = None

    @property
    def created(self) -> str:
        return timestamp(self.entry.at)

    @property
    def day(self) -> str:
        return business_day(self.entry.at)


@dataclass
class Journal:
    periods: list[Period]
    # every numbered entry's closing: receipt number → (Z_NR, Z_ERSTELLUNG, master data)
    closing_of: dict[int, Period]
    # TSE master data by serial, from the first signature that named it
    tses: dict[str, TseFields]


def read_journal(rows: Iterable[bytes], truck: str | None = None) -> list[Entry]:
    """A journal's stored bytes, checked (gap-free, hash chain) and decoded, from entry 1.

    Raises ExportRefused when the chain is broken: a broken journal is not exported.
    """
    walk = ChainWalk(truck=truck)
    entries = []
    try:
        for seq, data in enumerate(rows, start=1):
            entries.append(walk.step(seq, data, entry_hash(data)))
    except ChainBroken as exc:
        raise ExportRefused(
            f"Journal fehlerhaft, kein Export: Eintrag {exc.seq}: {exc.reason}"
        ) from None
    except JournalError as exc:
        raise ExportRefused(f"Journal fehlerhaft, kein Export: {exc}") from None
    return entries


def split_journal(entries: Iterable[Entry]) -> Journal:
    periods: list[Period] = []
    closing_of: dict[int, Period] = {}
    tses: dict[str, TseFields] = {}
    current = _Open()
    last_serial: str | None = None
    for entry in entries:
        kind = entry.kind
        body = entry.body
        if kind.numbered:
            number = body["number"]
            current.events.append(entry)
            if last_serial is not None:
                current.tse_before[number] = last_serial
            fields = TseFields.from_dict(body.get("tse", {"certified": False, "description": ""}))
            if fields.serial_number:
                tses.setdefault(fields.serial_number, fields)
                last_serial = fields.serial_number
        elif kind is EntryKind.TSE_LATE_SIGNATURE:
            fields = TseFields.from_dict(body["tse"])
            current.late[body["receipt_number"]] = fields
            if fields.serial_number:
                tses.setdefault(fields.serial_number, fields)
        elif kind is EntryKind.DAILY_CLOSING:
            master = body.get("master")
            period = Period(
                body["closing_number"],
                entry,
                current.events,
                current.late,
                current.tse_before,
                MasterData.from_dict(master) if master is not None else None,
            )
            periods.append(period)
            for event in period.events:
                closing_of[event.body["number"]] = period
            current = _Open()
    return Journal(periods, closing_of, tses)


@dataclass
class _Open:
    events: list[Entry] = field(default_factory=list)
    late: dict[int, TseFields] = field(default_factory=dict)
    tse_before: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Selection:
    """Which closings: by Z number, by business day (both ranges inclusive), or all."""

    first_z: int | None = None
    last_z: int | None = None
    first_day: date | None = None
    last_day: date | None = None

    def wants(self, period: Period) -> bool:
        if self.first_z is not None and period.number < self.first_z:
            return False
        if self.last_z is not None and period.number > self.last_z:
            return False
        day = date.fromisoformat(period.day)
        if self.first_day is not None and day < self.first_day:
            return False
        return not (self.last_day is not None and day > self.last_day)

    def describe(self) -> str:
        parts = []
        if self.first_z is not None or self.last_z is not None:
            parts.append(f"Abschlüsse {self.first_z or 1} bis {self.last_z or '…'}")
        if self.first_day is not None or self.last_day is not None:
            first = self.first_day.strftime("%d.%m.%Y") if self.first_day else "…"
            last = self.last_day.strftime("%d.%m.%Y") if self.last_day else "…"
            parts.append(f"Geschäftstage {first} bis {last}")
        return ", ".join(parts) or "alle Abschlüsse"


def chosen(journal: Journal, selection: Selection) -> list[Period]:
    periods = [p for p in journal.periods if selection.wants(p)]
    if not journal.periods:
        raise ExportRefused(
            "Das Journal enthält noch keinen Tagesabschluss: exportiert werden abgeschlossene "
            "Tage (Tagesabschluss mit tourkasse truck closing)"
        )
    if not periods:
        first, last = journal.periods[0], journal.periods[-1]
        raise ExportRefused(
            f"Keine Tagesabschlüsse für {selection.describe()} (vorhanden: Abschlüsse "
            f"{first.number}–{last.number}, {_german(first.day)} bis {_german(last.day)})"
        )
    return periods


def _german(day: str) -> str:
    return date.fromisoformat(day).strftime("%d.%m.%Y")
