"""The accountant's daily report of a period: sums per day, truck and stop; closings; cards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from hub.accounting.books import ClosingRow
from hub.accounting.period import Period
from hub.accounting.reading import CardTotal, card_totals
from hub.accounting.spreadsheet import METHODS, NO_STOP, in_tour_order
from hub.store.report import Figures, TurnoverReport
from tourkasse.german import WEEKDAYS
from tourkasse.money import format_eur


@dataclass(frozen=True)
class DailyReport:
    period: Period
    days: Sequence[TurnoverReport]
    closings: Sequence[ClosingRow]
    names: dict[str, str]  # stop id → name, in tour order

    @cached_property  # asked for many times by a page; the days never change
    def figures(self) -> Figures:
        return sum((report.figures for report in self.days), Figures())

    @cached_property
    def card_totals(self) -> list[CardTotal]:
        return card_totals(list(self.days))

    def stop_name(self, stop: str | None) -> str:
        return self.names.get(stop, stop) if stop else NO_STOP

    def to_dict(self) -> dict[str, Any]:
        days = []
        for report in self.days:
            data = report.to_dict()
            for truck in data["trucks"]:
                for stop in truck["stops"]:
                    stop["name"] = self.stop_name(stop["stop"])
            days.append(data)
        return {
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "timezone": self.period.zone.key,
            "currency": "EUR",
            "unit": "cent",
            "days": days,
            "closings": [closing.to_dict() for closing in self.closings],
            "card_totals": [total.to_dict() for total in self.card_totals],
            **self.figures.to_dict(),
        }


def not_turnover(f: Figures, currency: str = "€") -> str:
    """Training and aborted receipts, counted apart: "1 Trainingsbon (4,20 €), 2 abgebrochene
    Bons"."""
    training = "1 Trainingsbon" if f.training == 1 else f"{f.training} Trainingsbons"
    aborted = "1 abgebrochener Bon" if f.aborted == 1 else f"{f.aborted} abgebrochene Bons"
    total = format_eur(f.training_total, symbol=False)
    return f"{training} ({total} {currency}), {aborted}"


def _figures_line(f: Figures) -> str:
    rates = "  ".join(
        f"{rate.percent_text}: {format_eur(f.gross_by_rate[rate])} "
        f"(netto {format_eur(f.net_by_rate[rate])}, USt {format_eur(f.vat_by_rate.get(rate, 0))})"
        for rate in f.rates
    )
    pay = "  ".join(
        f"{label} {format_eur(f.by_payment[m])}" for m, label in METHODS if m in f.by_payment
    )
    receipts = "1 Bon" if f.receipts == 1 else f"{f.receipts} Bons"
    return f"{format_eur(f.turnover)} aus {receipts}   {rates}   {pay}".rstrip()


def daily_text(report: DailyReport) -> str:
    zone = report.period.zone
    lines = [f"Tagessummen {report.period.text} (Geschäftstage in {zone.key})", ""]
    if not report.days:
        lines.append("Keine Bons in diesem Zeitraum.")
    for day in report.days:
        lines.append(f"{WEEKDAYS[day.day.weekday()]} {day.day:%d.%m.%Y}")
        for truck in day.trucks:
            lines.append(f"  Wagen {truck.truck}: {_figures_line(truck.figures)}")
            for stop in in_tour_order(truck.stops, report.names):
                lines.append(f"    {report.stop_name(stop.stop)}: {_figures_line(stop.figures)}")
    if report.days:
        lines += ["", f"Summe: {_figures_line(report.figures)}"]
        f = report.figures
        if f.training or f.aborted:
            lines.append(f"Nicht im Umsatz: {not_turnover(f)}")
    lines += ["", "Tagesabschlüsse (Z)"]
    if not report.closings:
        lines.append("  keine in diesem Zeitraum")
    for z in report.closings:
        local = z.at.astimezone(zone)
        lines.append(
            f"  Wagen {z.truck} Z {z.number} am {local:%d.%m.%Y %H:%M}: gezählt "
            f"{format_eur(z.counted)}, Soll {format_eur(z.expected)}, Differenz "
            f"{format_eur(z.difference)}"
        )
    lines += ["", "Kartenzahlungen je Tag (zum Abgleich mit dem Kartenterminal)"]
    cards = report.card_totals
    if not cards:
        lines.append("  keine")
    for total in cards:
        lines.append(f"  {total.day:%d.%m.%Y}  Wagen {total.truck}: {format_eur(total.amount)}")
    return "\n".join(lines) + "\n"
