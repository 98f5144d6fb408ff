"""The figures of a business day, as projections of the journal since the last closing.

Turnover counts ordinary receipts (voids included, as negative receipts); training and
aborted receipts are counted apart and never as turnover. Cash expected in the drawer is what
was counted at the last closing and stayed in it, plus an opening float, plus cash taken,
plus cash movements (money taken to the bank is a Geldtransit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tourkasse.journal import Entry, EntryKind
from tourkasse.money import format_eur
from tourkasse.receipt import BonType, Receipt
from tourkasse.vat import VatRate, vat_by_rate

DENOMINATIONS = (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1)


@dataclass
class DayFigures:
    receipts: int = 0
    first_receipt: int | None = None
    last_receipt: int | None = None
    voids: int = 0
    aborted: int = 0
    training: int = 0
    training_total: int = 0
    gross_by_rate: dict[VatRate, int] = field(default_factory=dict)
    by_payment: dict[str, int] = field(default_factory=dict)
    carried: int = 0  # cash counted at the last closing, still in the drawer
    opening_float: int = 0
    movements: dict[str, int] = field(default_factory=dict)
    tse_failures: int = 0

    @property
    def turnover(self) -> int:
        return sum(self.gross_by_rate.values())

    @property
    def vat_by_rate(self) -> dict[VatRate, int]:
        return vat_by_rate(self.gross_by_rate)

    @property
    def expected_cash(self) -> int:
        return (
            self.carried
            + self.opening_float
            + self.by_payment.get("cash", 0)
            + sum(self.movements.values())
        )

    def to_dict(self) -> dict[str, Any]:
        rates = sorted(self.gross_by_rate, key=lambda rate: -rate.value)
        return {
            "receipts": self.receipts,
            "first_receipt": self.first_receipt,
            "last_receipt": self.last_receipt,
            "voids": self.voids,
            "aborted": self.aborted,
            "training": self.training,
            "training_total": self.training_total,
            "turnover": self.turnover,
            "vat": [
                {
                    "rate": rate.name,
                    "gross": self.gross_by_rate[rate],
                    "vat": self.vat_by_rate[rate],
                    "net": self.gross_by_rate[rate] - self.vat_by_rate[rate],
                }
                for rate in rates
            ],
            "payments": dict(sorted(self.by_payment.items())),
            "carried": self.carried,
            "opening_float": self.opening_float,
            "movements": dict(sorted(self.movements.items())),
            "expected_cash": self.expected_cash,
            "tse_failures": self.tse_failures,
        }


def carried_of(last_closing: Entry | None) -> int:
    return last_closing.body["counted"] if last_closing is not None else 0


def day_figures(entries: Iterable[Entry], carried: int = 0) -> DayFigures:
    figures = DayFigures(carried=carried)
    for entry in entries:
        body = entry.body
        if entry.kind is EntryKind.RECEIPT:
            _add_receipt(figures, body["number"], Receipt.from_dict(body["receipt"]))
        elif entry.kind is EntryKind.OPENING_FLOAT:
            figures.opening_float += body["amount"]
        elif entry.kind is EntryKind.CASH_MOVEMENT:
            movement = body["movement"]
            figures.movements[movement] = figures.movements.get(movement, 0) + body["amount"]
        elif entry.kind is EntryKind.TSE_FAILURE_START:
            figures.tse_failures += 1
        if entry.kind in (EntryKind.RECEIPT, EntryKind.OPENING_FLOAT, EntryKind.CASH_MOVEMENT):
            number = body["number"]
            figures.first_receipt = figures.first_receipt or number
            figures.last_receipt = number
    return figures


def _add_receipt(figures: DayFigures, number: int, receipt: Receipt) -> None:
    if receipt.bon_type is BonType.ABORTED:
        figures.aborted += 1
        return
    if receipt.bon_type is BonType.TRAINING:
        figures.training += 1
        figures.training_total += receipt.total
        return
    figures.receipts += 1
    if receipt.is_void:
        figures.voids += 1
    for rate, gross in receipt.gross_by_rate.items():
        figures.gross_by_rate[rate] = figures.gross_by_rate.get(rate, 0) + gross
    for payment in receipt.payments:
        key = payment.method.value
        figures.by_payment[key] = figures.by_payment.get(key, 0) + payment.amount


def counted_total(counts: dict[int, int]) -> int:
    """Sum of a cash count given as {denomination in cents: number of notes or coins}."""
    total = 0
    for denomination, number in counts.items():
        if denomination not in DENOMINATIONS:
            raise ValueError(f"{format_eur(denomination)} ist keine Euro-Stückelung")
        if number < 0:
            raise ValueError("Anzahl darf nicht negativ sein")
        total += denomination * number
    return total
