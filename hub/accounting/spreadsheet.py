"""The daily sums as a spreadsheet: CSV as German Excel and LibreOffice read it.

Semicolons, decimal comma without thousands separators, CRLF, one header row, one row per day,
truck and stop. The accountant's file starts with a UTF-8 byte order mark, without which
Excel reads UTF-8 as Windows-1252 and garbles every umlaut.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from hub.store.report import StopTurnover, TurnoverReport
from tourkasse.money import Cents
from tourkasse.vat import VatRate

BOM = "\ufeff"
METHODS = (("cash", "Bar"), ("card", "Karte"))
RATES = sorted(VatRate, key=lambda rate: -rate.value)
NO_STOP = "ohne Halt"
CSV_COLUMNS = [
    "Datum",
    "Wagen",
    "Halt",
    "Haltname",
    "Bons",
    "Stornos",
    "Umsatz brutto",
    *(f"{part} {rate.percent_text}" for rate in RATES for part in ("Brutto", "USt", "Netto")),
    *(label for _, label in METHODS),
    "Trainingsbons",
    "Training brutto",
    "Abgebrochene Bons",
]


def amount(cents: Cents) -> str:
    """Decimal comma, no thousands separator: what spreadsheets and DATEV import."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros},{rest:02d}"


def in_tour_order(stops: Iterable[StopTurnover], names: dict[str, str]) -> list[StopTurnover]:
    """The stops as the tour file lists them (the others after them); "ohne Halt" last."""
    order = {stop_id: index for index, stop_id in enumerate(names)}
    return sorted(
        stops, key=lambda s: (s.stop is None, order.get(s.stop or "", len(order)), s.stop or "")
    )


def sums_csv(reports: Sequence[TurnoverReport], names: dict[str, str], *, bom: bool = False) -> str:
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        for truck in report.trucks:
            for stop in in_tour_order(truck.stops, names):
                f = stop.figures
                row: list[object] = [
                    report.day.strftime("%d.%m.%Y"),
                    truck.truck,
                    stop.stop or "",
                    names.get(stop.stop, stop.stop) if stop.stop else NO_STOP,
                    f.receipts,
                    f.voids,
                    amount(f.turnover),
                ]
                for rate in RATES:
                    gross = f.gross_by_rate.get(rate, 0)
                    vat = f.vat_by_rate.get(rate, 0)
                    row += [amount(gross), amount(vat), amount(gross - vat)]
                row += [amount(f.by_payment.get(method, 0)) for method, _ in METHODS]
                row += [f.training, amount(f.training_total), f.aborted]
                writer.writerow(row)
    return out.getvalue()
