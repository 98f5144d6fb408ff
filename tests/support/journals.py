"""Truck journals for the hub's tests: real, hash-chained entries with real receipts.

``JournalWriter`` appends entries as the till does (gap-free sequence, hash chain, receipt and
closing numbers, times that never go back). ``sell_day`` fills a business day with sales across
a few stops — mixed VAT rates, loose goods by weight, deposits and empties, cash, card and split
payments, a void, a training and an aborted receipt, a sale without a known stop, cash movements
and a daily closing — and returns what each stop must add up to, computed straight from the
receipts. ``sales_day`` does the same for a fresh journal.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tourkasse.article import Unit
from tourkasse.journal import GENESIS_HASH, Entry, EntryKind, encode_entry
from tourkasse.receipt import (
    BonType,
    LineKind,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptLine,
    Staff,
    line_amount,
)
from tourkasse.vat import VatRate

TIMEZONE = "Europe/Berlin"
STOPS = ("gimte", "volkmarshausen", "hemeln")  # stop ids of config/tour.example.toml
DAY = date(2026, 11, 24)
STAFF = Staff("1", "Anna")

# text, unit, unit price (per piece or per kg), rate, group
ARTICLES: tuple[tuple[str, Unit, int, VatRate, str], ...] = (
    ("Bauernbrot 1 kg", Unit.PIECE, 429, VatRate.REDUCED, "Brot"),
    ("Brötchen", Unit.PIECE, 45, VatRate.REDUCED, "Brot"),
    ("Vollmilch 1 l", Unit.PIECE, 119, VatRate.REDUCED, "Molkerei"),
    ("Äpfel Elstar", Unit.KG, 299, VatRate.REDUCED, "Obst"),
    ("Gouda am Stück", Unit.KG, 1490, VatRate.REDUCED, "Käse"),
    ("Apfelsaft 1 l", Unit.PIECE, 189, VatRate.NORMAL, "Getränke"),
    ("Spülmittel", Unit.PIECE, 135, VatRate.NORMAL, "Haushalt"),
    ("Briefmarke 95 ct", Unit.PIECE, 95, VatRate.ZERO, "Post"),
)


def line(article: int, quantity: int) -> ReceiptLine:
    text, unit, price, rate, group = ARTICLES[article]
    return ReceiptLine(
        LineKind.SALE, text, quantity, unit, price, rate, line_amount(quantity, unit, price), group
    )


def deposit(quantity: int, drink_line: int) -> ReceiptLine:
    kind = LineKind.DEPOSIT if quantity > 0 else LineKind.DEPOSIT_RETURN
    return ReceiptLine(
        kind,
        "Pfand Mehrweg" if quantity > 0 else "Leergut",
        quantity,
        Unit.PIECE,
        15,
        VatRate.NORMAL,
        quantity * 15,
        "Pfand",
        deposit_for=drink_line if quantity > 0 else None,
    )


def paid(lines: Iterable[ReceiptLine], how: str) -> tuple[tuple[ReceiptLine, ...], tuple]:
    lines = tuple(lines)
    total = sum(item.total for item in lines)
    if total < 0 or how == "cash":
        tendered = ((total // 500) + 1) * 500 if total > 0 else None
        return lines, (Payment(PaymentMethod.CASH, total, tendered),)
    if how == "card":
        return lines, (Payment(PaymentMethod.CARD, total),)
    card = total // 2
    return lines, (Payment(PaymentMethod.CARD, card), Payment(PaymentMethod.CASH, total - card))


def random_sale(rng: random.Random, stop: str | None) -> Receipt:
    """A sale of one to five lines, sometimes with a drink and its deposit or empties back."""
    lines: list[ReceiptLine] = []
    for _ in range(rng.randint(1, 4)):
        article = rng.randrange(len(ARTICLES))
        unit = ARTICLES[article][1]
        lines.append(
            line(article, rng.randint(120, 1800) if unit is Unit.KG else rng.randint(1, 4))
        )
    if rng.random() < 0.4:
        lines.append(line(5, rng.randint(1, 6)))
        lines.append(deposit(lines[-1].quantity, len(lines) - 1))
    if rng.random() < 0.2:
        lines.append(deposit(-rng.randint(1, 12), 0))
    how = rng.choice(("cash", "cash", "card", "split"))
    lines_, payments = paid(lines, how)
    return Receipt(BonType.RECEIPT, lines_, payments, staff=STAFF, stop=stop)


class JournalWriter:
    """Appends entries to one truck's journal as the till would."""

    def __init__(self, truck: str = "T01", start: datetime | None = None) -> None:
        self.truck = truck
        self.at = start or datetime.combine(DAY, time(7, 0), UTC)
        self.prev = GENESIS_HASH
        self.next_number = 1
        self.next_closing = 1
        self.entries: list[Entry] = []
        self.receipts: dict[int, Receipt] = {}  # by receipt number

    def copy(self) -> JournalWriter:
        """An independent writer at the same point: another history from here (a fork)."""
        return copy.deepcopy(self)

    def add(self, kind: EntryKind, body: dict[str, Any], *, minutes: int = 3) -> Entry:
        self.at += timedelta(minutes=minutes)
        if kind.numbered:
            body = {**body, "number": self.next_number}
            self.next_number += 1
        if kind is EntryKind.DAILY_CLOSING:
            body = {**body, "closing_number": self.next_closing}
            self.next_closing += 1
        entry = encode_entry(
            truck=self.truck,
            seq=len(self.entries) + 1,
            at=self.at,
            kind=kind,
            prev=self.prev,
            body=body,
        )
        self.entries.append(entry)
        self.prev = entry.hash
        return entry

    def receipt(self, receipt: Receipt, *, minutes: int = 3) -> Entry:
        number = self.next_number
        entry = self.add(EntryKind.RECEIPT, {"receipt": receipt.to_dict()}, minutes=minutes)
        self.receipts[number] = receipt
        return entry

    def void(self, number: int) -> Entry:
        original = self.receipts[number].voided()
        voided = Receipt(
            BonType.RECEIPT, original.lines, original.payments, STAFF, number, stop=original.stop
        )
        return self.receipt(voided)


@dataclass
class Totals:
    """What a stop (or a truck, or a day) must add up to; amounts in cents."""

    receipts: int = 0
    voids: int = 0
    training: int = 0
    training_total: int = 0
    aborted: int = 0
    gross_by_rate: dict[VatRate, int] = field(default_factory=dict)
    vat_by_rate: dict[VatRate, int] = field(default_factory=dict)
    by_payment: dict[str, int] = field(default_factory=dict)


def expected_totals(
    entries: Iterable[Entry], timezone: str = TIMEZONE
) -> dict[tuple[date, str, str | None], Totals]:
    """Per (business day, truck, stop): the turnover computed straight from the receipts."""
    zone = ZoneInfo(timezone)
    found: dict[tuple[date, str, str | None], Totals] = {}
    for entry in entries:
        if entry.kind is not EntryKind.RECEIPT:
            continue
        receipt = Receipt.from_dict(entry.body["receipt"])
        totals = found.setdefault(
            (entry.at.astimezone(zone).date(), entry.truck, receipt.stop), Totals()
        )
        if receipt.bon_type is BonType.TRAINING:
            totals.training += 1
            totals.training_total += receipt.total
            continue
        if receipt.bon_type is BonType.ABORTED:
            totals.aborted += 1
            continue
        totals.receipts += 1
        totals.voids += receipt.is_void
        for rate, gross in receipt.gross_by_rate.items():
            totals.gross_by_rate[rate] = totals.gross_by_rate.get(rate, 0) + gross
        for rate, vat in receipt.vat_by_rate.items():
            totals.vat_by_rate[rate] = totals.vat_by_rate.get(rate, 0) + vat
        for payment in receipt.payments:
            method = payment.method.value
            totals.by_payment[method] = totals.by_payment.get(method, 0) + payment.amount
    return found


def sell_day(
    writer: JournalWriter,
    day: date,
    *,
    sales: int = 24,
    stops: tuple[str, ...] = STOPS,
    seed: int = 1,
) -> None:
    """One business day on ``writer``'s journal: sign-on, float, the stops, closing."""
    rng = random.Random(seed)
    start = datetime.combine(day, time(8, 0), ZoneInfo(TIMEZONE)).astimezone(UTC)
    writer.at = max(writer.at, start)
    writer.add(EntryKind.STAFF_SIGN_ON, {"staff": {"number": "1", "name": "Anna"}})
    writer.add(EntryKind.OPENING_FLOAT, {"amount": 15000, "staff": None})
    per_stop = [sales // len(stops) + (i < sales % len(stops)) for i in range(len(stops))]
    first_sale: int | None = None
    for index, (stop, count) in enumerate(zip(stops, per_stop, strict=True)):
        writer.add(EntryKind.STOP_ARRIVAL, {"stop": stop, "source": "gps"}, minutes=20)
        for _ in range(count):
            number = writer.next_number
            writer.receipt(random_sale(rng, stop))
            first_sale = first_sale or number
        if index == 0:
            training_lines, payments = paid(random_sale(rng, stop).lines, "cash")
            writer.receipt(Receipt(BonType.TRAINING, training_lines, payments, STAFF, stop=stop))
            aborted = random_sale(rng, stop)
            writer.receipt(Receipt(BonType.ABORTED, aborted.lines, (), STAFF, stop=stop))
        if index == 1 and first_sale is not None:
            writer.void(first_sale)  # a receipt of the first stop, voided at the second
            writer.add(
                EntryKind.CASH_MOVEMENT,
                {"movement": "Auszahlung", "amount": -1250, "note": "Blumen", "staff": None},
            )
        writer.add(EntryKind.STOP_DEPARTURE, {"stop": stop, "source": "gps"})
    writer.receipt(random_sale(rng, None))  # on the road: no known stop
    writer.add(EntryKind.DAILY_CLOSING, {"counted": 0, "staff": None})
    writer.add(EntryKind.STAFF_SIGN_OFF, {"staff": {"number": "1", "name": "Anna"}})


@dataclass(frozen=True)
class SalesDay:
    entries: list[Entry]
    day: date
    expected: dict[str | None, Totals]  # per stop of that day (None: no known stop)


def sales_day(
    truck: str = "T01",
    *,
    sales: int = 24,
    stops: tuple[str, ...] = STOPS,
    day: date = DAY,
    seed: int = 1,
) -> SalesDay:
    """A fresh journal of one business day, and what each stop must add up to."""
    writer = JournalWriter(truck)
    sell_day(writer, day, sales=sales, stops=stops, seed=seed)
    expected = {
        stop: totals
        for (when, _, stop), totals in expected_totals(writer.entries).items()
        if when == day
    }
    return SalesDay(writer.entries, day, expected)
