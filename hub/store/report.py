"""The turnover of a business day: per truck and stop, per VAT rate and payment type, in cents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from hub.store.dialect import Database
from hub.store.projections import COUNT_FIELDS, NO_STOP
from tourkasse.vat import VatRate


def _add(a: dict[Any, int], b: dict[Any, int]) -> dict[Any, int]:
    return {key: a.get(key, 0) + b.get(key, 0) for key in a.keys() | b.keys()}


@dataclass(frozen=True)
class Figures:
    """Turnover of a stop, a truck or a day. Training and aborted receipts are not in it."""

    receipts: int = 0  # turnover receipts, voids included
    voids: int = 0
    training: int = 0
    training_total: int = 0
    aborted: int = 0
    gross_by_rate: dict[VatRate, int] = field(default_factory=dict)
    vat_by_rate: dict[VatRate, int] = field(default_factory=dict)  # per receipt, summed
    by_payment: dict[str, int] = field(default_factory=dict)  # "cash", "card"

    @property
    def turnover(self) -> int:
        return sum(self.gross_by_rate.values())

    @property
    def vat(self) -> int:
        return sum(self.vat_by_rate.values())

    @property
    def net_by_rate(self) -> dict[VatRate, int]:
        return {
            rate: gross - self.vat_by_rate.get(rate, 0)
            for rate, gross in self.gross_by_rate.items()
        }

    @property
    def rates(self) -> list[VatRate]:
        """The rates sold at, highest first."""
        return sorted(self.gross_by_rate, key=lambda rate: -rate.value)

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.receipts + other.receipts,
            self.voids + other.voids,
            self.training + other.training,
            self.training_total + other.training_total,
            self.aborted + other.aborted,
            _add(self.gross_by_rate, other.gross_by_rate),
            _add(self.vat_by_rate, other.vat_by_rate),
            _add(self.by_payment, other.by_payment),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "receipts": self.receipts,
            "voids": self.voids,
            "training": self.training,
            "training_total": self.training_total,
            "aborted": self.aborted,
            "turnover": self.turnover,
            "vat": [
                {
                    "rate": rate.name,
                    "percent": rate.percent_text,
                    "gross": self.gross_by_rate[rate],
                    "vat": self.vat_by_rate.get(rate, 0),
                    "net": self.net_by_rate[rate],
                }
                for rate in self.rates
            ],
            "payments": dict(sorted(self.by_payment.items())),
        }


@dataclass(frozen=True)
class StopTurnover:
    stop: str | None  # None: sold without a known stop ("ohne Halt")
    figures: Figures


@dataclass(frozen=True)
class TruckTurnover:
    truck: str
    stops: tuple[StopTurnover, ...]

    @cached_property  # a page asks for it again and again; the stops never change
    def figures(self) -> Figures:
        return sum((s.figures for s in self.stops), Figures())


@dataclass(frozen=True)
class TurnoverReport:
    day: date
    timezone: str
    trucks: tuple[TruckTurnover, ...]

    @cached_property
    def figures(self) -> Figures:
        return sum((t.figures for t in self.trucks), Figures())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: amounts in integer cents."""
        return {
            "day": self.day.isoformat(),
            "timezone": self.timezone,
            "currency": "EUR",
            "unit": "cent",
            "trucks": [
                {
                    "truck": t.truck,
                    "stops": [{"stop": s.stop, **s.figures.to_dict()} for s in t.stops],
                    **t.figures.to_dict(),
                }
                for t in self.trucks
            ],
            **self.figures.to_dict(),
        }


def turnover(db: Database, day: date, timezone: str, truck: str | None = None) -> TurnoverReport:
    found = turnover_days(db, day, day, timezone, truck)
    return found[0] if found else TurnoverReport(day, timezone, ())


def turnover_days(
    db: Database, first: date, last: date, timezone: str, truck: str | None = None
) -> list[TurnoverReport]:
    """The turnover of each business day from ``first`` to ``last`` that has receipts."""
    where, params = "day >= ? AND day <= ?", [first.isoformat(), last.isoformat()]
    if truck is not None:
        where, params = where + " AND truck = ?", [*params, truck]
    parts: dict[tuple[str, str, str], dict[str, Any]] = {}

    def part(day: str, owner: str, stop: str) -> dict[str, Any]:
        return parts.setdefault(
            (day, owner, stop),
            {"counts": (0,) * len(COUNT_FIELDS), "gross": {}, "vat": {}, "pay": {}},
        )

    for day, owner, stop, *counts in db.rows(
        f"SELECT day, truck, stop, {', '.join(COUNT_FIELDS)} FROM turnover_counts "
        f"WHERE {where} ORDER BY 1, 2, 3",
        params,
    ):
        part(day, owner, stop)["counts"] = tuple(int(n) for n in counts)
    for day, owner, stop, rate, gross, vat in db.rows(
        f"SELECT day, truck, stop, rate, gross, vat FROM turnover_rates WHERE {where} "
        "ORDER BY 1, 2, 3, 4",
        params,
    ):
        part(day, owner, stop)["gross"][VatRate[rate]] = int(gross)
        part(day, owner, stop)["vat"][VatRate[rate]] = int(vat)
    for day, owner, stop, method, amount in db.rows(
        f"SELECT day, truck, stop, method, amount FROM turnover_payments WHERE {where} "
        "ORDER BY 1, 2, 3, 4",
        params,
    ):
        part(day, owner, stop)["pay"][method] = int(amount)
    days: dict[str, dict[str, list[StopTurnover]]] = {}
    for (day, owner, stop), data in sorted(
        parts.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] == NO_STOP, kv[0][2])
    ):
        figures = Figures(*data["counts"], data["gross"], data["vat"], data["pay"])
        days.setdefault(day, {}).setdefault(owner, []).append(StopTurnover(stop or None, figures))
    return [
        TurnoverReport(
            date.fromisoformat(day),
            timezone,
            tuple(TruckTurnover(owner, tuple(stops)) for owner, stops in trucks.items()),
        )
        for day, trucks in days.items()
    ]
