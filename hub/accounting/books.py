"""What the journals say about money, per truck and business day: the accountant's books.

Read from the journal entries of a period (receipts, the opening float, cash movements, daily
closings), in each truck's order. Turnover follows the rules of the whole hub: ordinary
receipts count, voids as negative receipts; training and aborted receipts do not. Goods and
deposits are kept apart because they go to different accounts; card payments are kept apart
from cash because they never enter the drawer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hub.accounting.period import Period
from tourkasse.journal import Entry, EntryKind, JournalError
from tourkasse.money import Cents, format_eur
from tourkasse.receipt import BonType, LineKind, PaymentMethod, Receipt
from tourkasse.vat import VatRate

# the entries that move money or close a day: what the books are made of
BOOK_KINDS = (
    EntryKind.RECEIPT,
    EntryKind.OPENING_FLOAT,
    EntryKind.CASH_MOVEMENT,
    EntryKind.DAILY_CLOSING,
)
DEPOSIT_KINDS = (LineKind.DEPOSIT, LineKind.DEPOSIT_RETURN)


@dataclass(frozen=True)
class ClosingRow:
    """A daily closing (Z) as the till wrote it: counted, expected and the difference."""

    truck: str
    number: int
    at: datetime
    day: date
    counted: Cents
    expected: Cents
    difference: Cents
    turnover: Cents
    cash: Cents  # cash taken by receipts since the closing before
    card: Cents
    staff: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "truck": self.truck,
            "number": self.number,
            "at": self.at.isoformat(),
            "day": self.day.isoformat(),
            "counted": self.counted,
            "expected": self.expected,
            "difference": self.difference,
            "turnover": self.turnover,
            "cash": self.cash,
            "card": self.card,
            "staff": self.staff,
        }


@dataclass
class DayBook:
    """One truck's business day in money: what DATEV is booked from."""

    day: date
    truck: str
    goods: dict[VatRate, Cents] = field(default_factory=dict)  # gross, voids and returns netted
    deposits: dict[VatRate, Cents] = field(default_factory=dict)  # deposits less empties
    cash: Cents = 0  # cash taken by receipts (voids paid back included)
    card: Cents = 0
    opening_float: Cents = 0
    movements: dict[str, Cents] = field(default_factory=dict)  # signed: + into the drawer
    closings: list[ClosingRow] = field(default_factory=list)

    @property
    def turnover(self) -> Cents:
        return sum(self.goods.values()) + sum(self.deposits.values())


@dataclass(frozen=True)
class CashRow:
    """A line of the cash book: one event that moved cash, and the balance after it."""

    at: datetime
    day: date
    document: str  # "Bon 12", "Z 5"
    text: str
    amount: Cents  # + into the drawer, - out of it
    balance: Cents

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "day": self.day.isoformat(),
            "document": self.document,
            "text": self.text,
            "amount": self.amount,
            "balance": self.balance,
        }


@dataclass(frozen=True)
class CashBook:
    truck: str
    period: Period
    opening_balance: Cents
    rows: tuple[CashRow, ...]

    @property
    def closing_balance(self) -> Cents:
        return self.rows[-1].balance if self.rows else self.opening_balance

    def to_dict(self) -> dict[str, Any]:
        return {
            "truck": self.truck,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "opening_balance": self.opening_balance,
            "closing_balance": self.closing_balance,
            "rows": [row.to_dict() for row in self.rows],
        }


@dataclass(frozen=True)
class CashEvent:
    """What one entry does to the drawer; ``resets_to`` is set for a closing's count."""

    document: str
    text: str
    amount: Cents
    resets_to: Cents | None = None


def _receipt(entry: Entry) -> Receipt:
    try:
        return Receipt.from_dict(entry.body["receipt"])
    except (KeyError, TypeError, ValueError) as exc:
        raise JournalError(f"Wagen {entry.truck}, Eintrag {entry.seq}: Bon nicht lesbar") from exc


def cash_event(entry: Entry) -> CashEvent | None:
    """The entry's effect on the cash in the drawer, or None when it has none."""
    body = entry.body
    if entry.kind is EntryKind.RECEIPT:
        receipt = _receipt(entry)
        if receipt.bon_type is not BonType.RECEIPT:
            return None  # training and aborted receipts move no real money
        cash = sum(p.amount for p in receipt.payments if p.method is PaymentMethod.CASH)
        if not cash:
            return None
        number = body["number"]
        if receipt.void_of is not None:
            text = f"Storno zu Bon {receipt.void_of}, bar zurück"
        elif cash < 0:
            text = "Rücknahme (Leergut, Ware), bar ausgezahlt"
        else:
            text = "Verkauf bar"
        return CashEvent(f"Bon {number}", text, cash)
    if entry.kind is EntryKind.OPENING_FLOAT:
        return CashEvent(f"Bon {body['number']}", "Anfangsbestand (Wechselgeld)", body["amount"])
    if entry.kind is EntryKind.CASH_MOVEMENT:
        note = str(body.get("note") or "").strip()
        text = f"{body['movement']}: {note}" if note else str(body["movement"])
        return CashEvent(f"Bon {body['number']}", text, body["amount"])
    if entry.kind is EntryKind.DAILY_CLOSING:
        difference = body.get("difference", 0)
        text = f"Tagesabschluss: gezählt {format_eur(body['counted'])}"
        if "expected_cash" in body:
            text += f", Soll {format_eur(body['expected_cash'])}"
        if difference:
            text += f", Differenz {format_eur(difference)}"
        return CashEvent(f"Z {body['closing_number']}", text, difference, body["counted"])
    return None


def balance_after(entries: Iterable[Entry], start: Cents = 0) -> Cents:
    """The cash in the drawer after ``entries``, starting from ``start``."""
    balance = start
    for entry in entries:
        event = cash_event(entry)
        if event is not None:
            balance = event.resets_to if event.resets_to is not None else balance + event.amount
    return balance


def cash_book(
    truck: str, period: Period, opening_balance: Cents, entries: Iterable[Entry]
) -> CashBook:
    """The cash book of ``truck`` for the period: every cash event with the running balance."""
    rows: list[CashRow] = []
    balance = opening_balance
    for entry in entries:
        event = cash_event(entry)
        if event is None:
            continue
        balance = event.resets_to if event.resets_to is not None else balance + event.amount
        rows.append(
            CashRow(
                entry.at, period.day_of(entry.at), event.document, event.text, event.amount, balance
            )
        )
    return CashBook(truck, period, opening_balance, tuple(rows))


def closing_row(entry: Entry, period: Period) -> ClosingRow:
    body = entry.body
    figures = body.get("figures") or {}
    payments = figures.get("payments") or {}
    staff = body.get("staff") or None
    return ClosingRow(
        truck=entry.truck,
        number=body["closing_number"],
        at=entry.at,
        day=period.day_of(entry.at),
        counted=body["counted"],
        expected=body.get("expected_cash", body["counted"]),
        difference=body.get("difference", 0),
        turnover=figures.get("turnover", 0),
        cash=payments.get("cash", 0),
        card=payments.get("card", 0),
        staff=staff.get("name") if isinstance(staff, dict) else None,
    )


def day_books(entries: Iterable[Entry], period: Period) -> list[DayBook]:
    """Each truck's business days in the period, in (day, truck) order."""
    books: dict[tuple[date, str], DayBook] = {}
    for entry in entries:
        day = period.day_of(entry.at)
        book = books.get((day, entry.truck))
        if book is None:
            book = books[(day, entry.truck)] = DayBook(day, entry.truck)
        _add(book, entry, period)
    return [books[key] for key in sorted(books)]


def _add(book: DayBook, entry: Entry, period: Period) -> None:
    body = entry.body
    if entry.kind is EntryKind.RECEIPT:
        receipt = _receipt(entry)
        if receipt.bon_type is not BonType.RECEIPT:
            return
        for line in receipt.lines:
            sums = book.deposits if line.kind in DEPOSIT_KINDS else book.goods
            sums[line.vat_rate] = sums.get(line.vat_rate, 0) + line.total
        for payment in receipt.payments:
            if payment.method is PaymentMethod.CASH:
                book.cash += payment.amount
            else:
                book.card += payment.amount
    elif entry.kind is EntryKind.OPENING_FLOAT:
        book.opening_float += body["amount"]
    elif entry.kind is EntryKind.CASH_MOVEMENT:
        movement = str(body["movement"])
        book.movements[movement] = book.movements.get(movement, 0) + body["amount"]
    elif entry.kind is EntryKind.DAILY_CLOSING:
        book.closings.append(closing_row(entry, period))
