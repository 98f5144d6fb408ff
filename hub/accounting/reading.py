"""The accountant's books read from the hub store for a period (and, where asked, one truck)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.accounting.books import (
    BOOK_KINDS,
    CashBook,
    ClosingRow,
    DayBook,
    balance_after,
    cash_book,
    closing_row,
    day_books,
)
from hub.accounting.period import Period
from hub.store import HubStore
from hub.store.report import TurnoverReport
from tourkasse.journal import Entry, EntryKind, decode_entry
from tourkasse.money import Cents


def _entries(datas: list[bytes]) -> list[Entry]:
    return [decode_entry(data) for data in datas]


def books(store: HubStore, period: Period, truck: str | None = None) -> list[DayBook]:
    datas = store.entries_between(BOOK_KINDS, period.start, period.end, truck=truck)
    return day_books(_entries(datas), period)


def closings(store: HubStore, period: Period, truck: str | None = None) -> list[ClosingRow]:
    datas = store.entries_between((EntryKind.DAILY_CLOSING,), period.start, period.end, truck=truck)
    return [closing_row(entry, period) for entry in _entries(datas)]


def opening_balance(store: HubStore, truck: str, period: Period) -> Cents:
    """Cash in the drawer when the period begins: counted at the last closing before it, and
    what moved since (the drawer is empty before a truck's first closing and first sale)."""
    last = store.last_before(truck, EntryKind.DAILY_CLOSING, period.start)
    closing = decode_entry(last) if last is not None else None
    since = closing.at if closing is not None else None
    later = [
        entry
        for entry in _entries(store.entries_between(BOOK_KINDS, since, period.start, truck=truck))
        if closing is None or entry.seq > closing.seq
    ]
    return balance_after(later, closing.body["counted"] if closing is not None else 0)


def cash_book_of(store: HubStore, truck: str, period: Period) -> CashBook:
    entries = _entries(store.entries_between(BOOK_KINDS, period.start, period.end, truck=truck))
    return cash_book(truck, period, opening_balance(store, truck, period), entries)


@dataclass(frozen=True)
class CardTotal:
    """A truck's card takings of a day: to compare with the card terminal's end-of-day total."""

    day: date
    truck: str
    amount: Cents

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "truck": self.truck, "amount": self.amount}


def card_totals(days: list[TurnoverReport]) -> list[CardTotal]:
    # net of card voids, as the projections keep it; a day whose card sale was voided shows
    # 0,00 € rather than nothing, so the terminal's slip (sale and refund) finds its line
    return [
        CardTotal(report.day, truck.truck, truck.figures.by_payment["card"])
        for report in days
        for truck in report.trucks
        if "card" in truck.figures.by_payment
    ]
