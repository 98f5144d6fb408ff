"""The monthly summary as a PDF: what the accountant files with the month's closing.

One section per month of the period: the days with their receipts, gross per VAT rate, VAT, net
and payment types; the month's VAT per rate; the daily closings with counted, expected and the
difference; what was not turnover. PDF's built-in fonts know Latin-1 only (no euro sign), so
amounts stand in columns headed "EUR".
"""

from __future__ import annotations

from datetime import date
from itertools import groupby

from fpdf import FPDF, FontFace

from hub.accounting.daily import DailyReport, not_turnover
from hub.accounting.spreadsheet import RATES, amount
from hub.store.report import Figures, TurnoverReport

MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def _month_title(month: tuple[int, int]) -> str:
    return f"{MONTHS[month[1] - 1]} {month[0]}"


def _months(first: date, last: date) -> list[tuple[int, int]]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class _Summary(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.title_text = title
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)
        self.set_author("Tourkasse")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 8, f"{self.title_text} - Seite {self.page_no()}", align="C")


def _figure_cells(f: Figures) -> list[str]:
    return [
        str(f.receipts),
        *(amount(f.gross_by_rate.get(rate, 0)) for rate in RATES),
        amount(f.vat),
        amount(f.turnover - f.vat),
        amount(f.by_payment.get("cash", 0)),
        amount(f.by_payment.get("card", 0)),
    ]


def _table(
    pdf: FPDF,
    head: list[str],
    rows: list[list[str]],
    widths: tuple[int, ...],
    *,
    left: int = 2,
) -> None:
    """A table whose first ``left`` columns are text and the rest amounts, ``widths`` in mm."""
    pdf.set_font("Helvetica", size=9)
    with pdf.table(
        width=sum(widths),
        align="LEFT",
        col_widths=widths,
        text_align=(*("LEFT",) * left, *("RIGHT",) * (len(head) - left)),
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        first_row_as_headings=True,
        line_height=5.5,
    ) as table:
        for cells in (head, *rows):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)


def _heading(pdf: FPDF, text: str, size: int = 11) -> None:
    pdf.set_font("Helvetica", style="B", size=size)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")


def summary_pdf(report: DailyReport) -> bytes:
    period = report.period
    pdf = _Summary(f"Tourkasse - Monatsübersicht {period.text}")
    by_month = {
        month: list(days)
        for month, days in groupby(report.days, key=lambda r: (r.day.year, r.day.month))
    }
    for month in _months(period.first, period.last):
        days: list[TurnoverReport] = by_month.get(month, [])
        pdf.add_page()
        _heading(pdf, f"Monatsübersicht {_month_title(month)}", 15)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(
            0,
            6,
            f"Zeitraum {period.text}, Geschäftstage in {period.zone.key}. Beträge in EUR.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(2)
        head = [
            "Tag",
            "Wagen",
            "Bons",
            *(f"Brutto {rate.percent_text}" for rate in RATES),
            "USt",
            "Netto",
            "Bar",
            "Karte",
        ]
        rows = [
            [f"{day.day:%d.%m.%Y}", truck.truck, *_figure_cells(truck.figures)]
            for day in days
            for truck in day.trucks
        ]
        total = sum((day.figures for day in days), Figures())
        rows.append(["Summe", "", *_figure_cells(total)])
        _heading(pdf, "Umsatz je Tag und Wagen")
        if days:
            _table(pdf, head, rows, (24, 18, 14, 26, 26, 26, 24, 26, 26, 26))
        else:
            pdf.cell(0, 6, "Keine Bons in diesem Monat.", new_x="LMARGIN", new_y="NEXT")
        _heading(pdf, "Umsatzsteuer je Steuersatz")
        vat_rows = [
            [
                rate.percent_text,
                amount(total.gross_by_rate[rate]),
                amount(total.net_by_rate[rate]),
                amount(total.vat_by_rate.get(rate, 0)),
            ]
            for rate in total.rates
        ]
        if vat_rows:
            _table(
                pdf, ["Steuersatz", "Brutto", "Netto", "USt"], vat_rows, (30, 30, 30, 30), left=1
            )
        closings = [z for z in report.closings if (z.day.year, z.day.month) == month]
        _heading(pdf, "Tagesabschlüsse (Z)")
        if closings:
            zone = period.zone
            _table(
                pdf,
                ["Zeit", "Wagen", "Z-Nr.", "gezählt", "Soll", "Differenz"],
                [
                    [
                        f"{z.at.astimezone(zone):%d.%m.%Y %H:%M}",
                        z.truck,
                        str(z.number),
                        amount(z.counted),
                        amount(z.expected),
                        amount(z.difference),
                    ]
                    for z in closings
                ],
                (34, 18, 16, 26, 26, 26),
            )
        else:
            pdf.cell(0, 6, "Keine Abschlüsse in diesem Monat.", new_x="LMARGIN", new_y="NEXT")
        if total.training or total.aborted:
            pdf.set_font("Helvetica", size=9)
            pdf.cell(
                0,
                6,
                f"Nicht im Umsatz: {not_turnover(total, 'EUR')}.",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())
