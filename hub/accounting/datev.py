"""DATEV EXTF Buchungsstapel (format version 13) of the trucks' business days.

Each truck's day is booked in sums, as accountants book a till: per VAT rate the revenue of
goods and of deposits against cash; card takings from cash to the card transit account (they
never were in the drawer); the opening float, every cash movement and every closing's cash
difference against its own account. Amounts are positive with S/H from the view of "Konto";
revenue accounts are automatic accounts, so no BU key is written.

A batch holds the dates of one fiscal year (Belegdatum is TTMM; DATEV takes the year from the
header), so a period across the start of a fiscal year gives one file per fiscal year.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from hub.accounting.accounts import Accounts
from hub.accounting.books import DayBook
from hub.config import AccountingSettings
from tourkasse.money import Cents

FORMAT_VERSION = 13
ORIGIN = "TK"  # Herkunft: two characters naming the program that wrote the batch
ENCODING = "cp1252"

# The 125 columns of a Buchungsstapel in format version 13, named as DATEV names them
# (including its own spelling "Zusatzinformation- Inhalt").
COLUMNS: tuple[str, ...] = (
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
    "Postensperre",
    "Diverse Adressnummer",
    "Geschäftspartnerbank",
    "Sachverhalt",
    "Zinssperre",
    "Beleglink",
    *(f"Beleginfo - {part} {n}" for n in range(1, 9) for part in ("Art", "Inhalt")),
    "KOST1 - Kostenstelle",
    "KOST2 - Kostenstelle",
    "Kost-Menge",
    "EU-Land u. UStID (Bestimmung)",
    "EU-Steuersatz (Bestimmung)",
    "Abw. Versteuerungsart",
    "Sachverhalt L+L",
    "Funktionsergänzung L+L",
    "BU 49 Hauptfunktionstyp",
    "BU 49 Hauptfunktionsnummer",
    "BU 49 Funktionsergänzung",
    *(
        name
        for n in range(1, 21)
        for name in (f"Zusatzinformation - Art {n}", f"Zusatzinformation- Inhalt {n}")
    ),
    "Stück",
    "Gewicht",
    "Zahlweise",
    "Forderungsart",
    "Veranlagungsjahr",
    "Zugeordnete Fälligkeit",
    "Skontotyp",
    "Auftragsnummer",
    "Buchungstyp",
    "USt-Schlüssel (Anzahlungen)",
    "EU-Land (Anzahlungen)",
    "Sachverhalt L+L (Anzahlungen)",
    "EU-Steuersatz (Anzahlungen)",
    "Erlöskonto (Anzahlungen)",
    "Herkunft-Kz",
    "Buchungs GUID",
    "KOST-Datum",
    "SEPA-Mandatsreferenz",
    "Skontosperre",
    "Gesellschaftername",
    "Beteiligtennummer",
    "Identifikationsnummer",
    "Zeichnernummer",
    "Postensperre bis",
    "Bezeichnung SoBil-Sachverhalt",
    "Kennzeichen SoBil-Buchung",
    "Festschreibung",
    "Leistungsdatum",
    "Datum Zuord. Steuerperiode",
    "Fälligkeit",
    "Generalumkehr (GU)",
    "Steuersatz",
    "Land",
    "Abrechnungsreferenz",
    "BVV-Position",
    "EU-Land u. UStID (Ursprung)",
    "EU-Steuersatz (Ursprung)",
    "Abw. Skontokonto",
)
_COLUMN = {name: index for index, name in enumerate(COLUMNS)}
_NOT_IN_BELEGFELD = re.compile(r"[^A-Za-z0-9$&%*+\-/]")


@dataclass(frozen=True)
class Booking:
    day: date
    amount: Cents  # positive
    debit: bool  # S (Soll) from the view of ``account``, else H (Haben)
    account: int
    counter: int
    document: str  # Belegfeld 1
    text: str  # Buchungstext


@dataclass(frozen=True)
class Batch:
    """One file: the bookings of one fiscal year."""

    fiscal_year_start: date
    first: date
    last: date
    bookings: tuple[Booking, ...]
    name: str

    @property
    def year(self) -> int:
        return self.fiscal_year_start.year


def _booking(
    day: date, amount: Cents, account: int, counter: int, document: str, text: str
) -> Booking | None:
    """A booking of ``amount`` to ``account`` (+: S, -: H) against ``counter``; None for 0."""
    if amount == 0:
        return None
    return Booking(day, abs(amount), amount > 0, account, counter, document, text[:60])


def bookings(books: Iterable[DayBook], accounts: Accounts) -> list[Booking]:
    made: list[Booking | None] = []
    cash = accounts.cash
    for book in books:
        day, truck = book.day, book.truck
        document = f"{truck}-{day:%Y%m%d}"
        where = f"Wagen {truck} {day:%d.%m.%Y}"
        for rate in sorted(book.goods, key=lambda r: -r.value):
            made.append(
                _booking(
                    day,
                    book.goods[rate],
                    cash,
                    accounts.revenue(rate),
                    document,
                    f"Erlöse {rate.percent_text} {where}",
                )
            )
        for rate in sorted(book.deposits, key=lambda r: -r.value):
            made.append(
                _booking(
                    day,
                    book.deposits[rate],
                    cash,
                    accounts.deposit(rate),
                    document,
                    f"Pfand {rate.percent_text} {where}",
                )
            )
        made.append(
            _booking(
                day, book.card, accounts.card_transit, cash, document, f"Kartenzahlungen {where}"
            )
        )
        made.append(
            _booking(
                day,
                book.opening_float,
                cash,
                accounts.cash_transit,
                document,
                f"Anfangsbestand {where}",
            )
        )
        for kind in sorted(book.movements):
            made.append(
                _booking(
                    day,
                    book.movements[kind],
                    cash,
                    accounts.movement(kind),
                    document,
                    f"{kind} {where}",
                )
            )
        for closing in book.closings:
            counter = accounts.cash_surplus if closing.difference > 0 else accounts.cash_shortfall
            what = "Kassenüberschuss" if closing.difference > 0 else "Kassenfehlbetrag"
            made.append(
                _booking(
                    day,
                    closing.difference,
                    cash,
                    counter,
                    f"{truck}-Z{closing.number}",
                    f"{what} Z {closing.number} {where}",
                )
            )
    return [booking for booking in made if booking is not None]


def fiscal_year_start(day: date, settings: AccountingSettings) -> date:
    month, first = (int(part) for part in settings.fiscal_year_start.split("-"))
    start = _day_in(day.year, month, first)
    return start if day >= start else _day_in(day.year - 1, month, first)


def _day_in(year: int, month: int, day: int) -> date:
    while True:  # a fiscal year starting on the 31st in a shorter month starts on its last day
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def batches(
    made: list[Booking], first: date, last: date, settings: AccountingSettings
) -> list[Batch]:
    """The bookings split by fiscal year: one batch per year that has bookings (one empty batch
    for a period without any, so the accountant still gets a file that says so)."""
    years: dict[date, list[Booking]] = {}
    day = first
    while day <= last:
        start = fiscal_year_start(day, settings)
        years.setdefault(start, [])
        day = _day_in(start.year + 1, start.month, start.day)
    for booking in made:
        years[fiscal_year_start(booking.day, settings)].append(booking)
    result = []
    if any(years.values()):  # a fiscal year without a booking gets no file of its own
        years = {start: found for start, found in years.items() if found}
    else:
        years = dict([min(years.items())])
    for start, found in sorted(years.items()):
        next_start = _day_in(start.year + 1, start.month, start.day)
        batch_first = max(first, start)
        batch_last = min(last, date.fromordinal(next_start.toordinal() - 1))
        name = f"EXTF_Buchungsstapel_{batch_first:%Y%m%d}-{batch_last:%Y%m%d}.csv"
        result.append(Batch(start, batch_first, batch_last, tuple(found), name))
    return result


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _amount(cents: Cents) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d}"


def header(batch: Batch, settings: AccountingSettings, created: datetime, user: str) -> str:
    label = f"Tourkasse {batch.first:%d.%m.}-{batch.last:%d.%m.%Y}"[:30]
    fields = [
        _text("EXTF"),
        "700",
        "21",
        _text("Buchungsstapel"),
        str(FORMAT_VERSION),
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}",
        "",
        _text(ORIGIN),
        _text(user[:25]),
        "",  # Importiert von: filled in by DATEV on import
        str(settings.adviser),
        str(settings.client),
        f"{batch.fiscal_year_start:%Y%m%d}",
        str(settings.account_length),
        f"{batch.first:%Y%m%d}",
        f"{batch.last:%Y%m%d}",
        _text(label),
        _text(settings.initials),
        "1",  # Buchungstyp: Finanzbuchführung
        "0",  # Rechnungslegungszweck: unabhängig
        "0",  # Festschreibung: no, the accountant checks first
        _text("EUR"),
        "",
        _text(""),
        "",
        "",
        _text(settings.chart[-2:]),
        "",
        "",
        _text(""),
        _text(""),
    ]
    return ";".join(fields)


def row(booking: Booking) -> str:
    cells = [""] * len(COLUMNS)
    cells[_COLUMN["Umsatz (ohne Soll/Haben-Kz)"]] = _amount(booking.amount)
    cells[_COLUMN["Soll/Haben-Kennzeichen"]] = _text("S" if booking.debit else "H")
    cells[_COLUMN["WKZ Umsatz"]] = _text("EUR")
    cells[_COLUMN["Konto"]] = str(booking.account)
    cells[_COLUMN["Gegenkonto (ohne BU-Schlüssel)"]] = str(booking.counter)
    cells[_COLUMN["BU-Schlüssel"]] = _text("")
    cells[_COLUMN["Belegdatum"]] = f"{booking.day:%d%m}"
    cells[_COLUMN["Belegfeld 1"]] = _text(_NOT_IN_BELEGFELD.sub("", booking.document)[:36])
    cells[_COLUMN["Buchungstext"]] = _text(booking.text)
    return ";".join(cells)


def batch_bytes(
    batch: Batch, settings: AccountingSettings, *, created: datetime, user: str = "Tourkasse"
) -> bytes:
    """The file as DATEV imports it: Windows-1252, CRLF; what cp1252 lacks becomes "?"."""
    lines = [header(batch, settings, created, user), ";".join(COLUMNS)]
    lines += [row(booking) for booking in batch.bookings]
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING, errors="replace")
