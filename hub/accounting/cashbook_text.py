"""The cash book as the accountant reads it: on screen, and as CSV for German spreadsheets."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from hub.accounting.books import CashBook
from hub.accounting.spreadsheet import BOM, amount
from tourkasse.money import format_eur

CSV_COLUMNS = ["Datum", "Uhrzeit", "Beleg", "Text", "Einnahme", "Ausgabe", "Bestand"]


def cash_book_text(book: CashBook, zone: ZoneInfo) -> str:
    lines = [
        f"Kassenbuch Wagen {book.truck}, {book.period.text}",
        "",
        f"{'Datum':<16} {'Beleg':<9} {'Einnahme':>11} {'Ausgabe':>11} {'Bestand':>12}  Text",
        f"{book.period.first:%d.%m.%Y}{'':<7} {'':<9} {'':>11} {'':>11} "
        f"{format_eur(book.opening_balance):>12}  Anfangsbestand des Zeitraums",
    ]
    for row in book.rows:
        income = format_eur(row.amount) if row.amount > 0 else ""
        spent = format_eur(-row.amount) if row.amount < 0 else ""
        lines.append(
            f"{row.at.astimezone(zone):%d.%m.%Y %H:%M} {row.document:<9} {income:>11} "
            f"{spent:>11} {format_eur(row.balance):>12}  {row.text}"
        )
    lines += ["", f"Bestand am Ende des Zeitraums: {format_eur(book.closing_balance)}"]
    return "\n".join(lines) + "\n"


def cash_book_csv(book: CashBook, zone: ZoneInfo) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    first = book.period.first
    writer.writerow(
        [f"{first:%d.%m.%Y}", "", "", "Anfangsbestand", "", "", amount(book.opening_balance)]
    )
    for row in book.rows:
        local = row.at.astimezone(zone)
        writer.writerow(
            [
                f"{local:%d.%m.%Y}",
                f"{local:%H:%M:%S}",
                row.document,
                row.text,
                amount(row.amount) if row.amount > 0 else "",
                amount(-row.amount) if row.amount < 0 else "",
                amount(row.balance),
            ]
        )
    return out.getvalue()
