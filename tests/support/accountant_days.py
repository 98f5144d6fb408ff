"""Two trucks' fixed journals for the accountant's tests, with their figures worked out by hand.

The figures in ``HAND`` were computed on paper from the receipts below (VAT per receipt and rate,
rounded half up), not by any code of Tourkasse, so the reports are checked against something
they did not compute themselves. Business days are local dates in Europe/Berlin (UTC+1 in
November): T02's late sale at 23:30 local is 22:30 UTC, still Tuesday the 24th.

T01, Tuesday 24.11.2026 (all at the stops "gimte" and "hemeln")
  Bon 1  opening float                              +100,00 cash
  Bon 2  gimte: Landbrot 4,20 (7 %), Wasser 0,79 and its deposit 0,25 (19 %)  5,24 cash
         VAT 7 %: 420·7/107 = 27,48 → 27; 19 %: 104·19/119 = 16,61 → 17
  Bon 3  gimte: Gouda 250 g à 19,90/kg = 4,98 (7 %), Spülmittel 1,89 (19 %)   6,87 card
         VAT 7 %: 498·7/107 = 32,58 → 33; 19 %: 189·19/119 = 30,18 → 30
  Bon 4  hemeln: three empties −0,75 (19 %), Milch 1,19 (7 %)                 0,44 cash
         VAT 7 %: 119·7/107 = 7,79 → 8; 19 %: −75·19/119 = −11,97 → −12
  Bon 5  hemeln: training receipt, Landbrot 4,20 cash (never turnover)
  Bon 6  hemeln: aborted receipt, Landbrot 4,20, nothing paid
  Bon 7  hemeln: void of Bon 2 (stop gimte, as the original)          −5,24 cash
  Bon 8  Geldtransit to the bank                                      −50,00 cash
  Bon 9  hemeln: 10 Brötchen à 0,45 = 4,50 (7 %), 2,00 card and 2,50 cash
         VAT 7 %: 450·7/107 = 29,44 → 29
  Z 1    expected 100,00 + 5,24 + 0,44 − 5,24 − 50,00 + 2,50 = 52,94; counted 52,90: −0,04
T01, Wednesday 25.11.2026
  Bon 10 gimte: Kaffee 5,99 (7 %) cash; Bon 11 Privatentnahme −20,00
  Z 2    expected 52,90 + 5,99 − 20,00 = 38,89; counted 38,89
T02, Tuesday 24.11.2026, 23:30 local
  Bon 1  lutterberg: Kasten Bier 12,99 and Kastenpfand 3,42 (19 %) = 16,41 card
         VAT 19 %: 1641·19/119 = 262,01 → 262
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.support.journals import JournalWriter
from tourkasse.article import Unit
from tourkasse.journal import Entry, EntryKind
from tourkasse.receipt import BonType, LineKind, Payment, PaymentMethod, Receipt, ReceiptLine
from tourkasse.vat import VatRate

TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)
CASH, CARD = PaymentMethod.CASH, PaymentMethod.CARD


def _line(text: str, quantity: int, price: int, rate: VatRate, kind=LineKind.SALE, unit=Unit.PIECE):
    total = quantity * price if unit is Unit.PIECE else 498  # the one weighed line: see above
    group = "Pfand" if kind in (LineKind.DEPOSIT, LineKind.DEPOSIT_RETURN) else "Ware"
    return ReceiptLine(kind, text, quantity, unit, price, rate, total, group)


BROT = _line("Landbrot", 1, 420, VatRate.REDUCED)
WASSER = _line("Wasser still", 1, 79, VatRate.NORMAL)
PFAND = _line("Pfand Einweg", 1, 25, VatRate.NORMAL, LineKind.DEPOSIT)
GOUDA = _line("Gouda", 250, 1990, VatRate.REDUCED, unit=Unit.KG)
SPUELI = _line("Spülmittel", 1, 189, VatRate.NORMAL)
LEERGUT = _line("Leergut Einweg", -3, 25, VatRate.NORMAL, LineKind.DEPOSIT_RETURN)
MILCH = _line("Frischmilch", 1, 119, VatRate.REDUCED)
BROETCHEN = _line("Brötchen", 10, 45, VatRate.REDUCED)
KAFFEE = _line("Kaffee gemahlen", 1, 599, VatRate.REDUCED)
BIER = _line("Kasten Pils", 1, 1299, VatRate.NORMAL)
KASTENPFAND = _line("Kastenpfand", 1, 342, VatRate.NORMAL, LineKind.DEPOSIT)


MASTER = {
    "company": {
        "name": "Rollender Laden Wesertal",
        "street": "Am Markt 3",
        "postcode": "34346",
        "city": "Hann. Münden",
        "country": "DE",
        "tax_number": "21/815/08150",
    },
    "till": {
        "serial": "TK-T01-0001",
        "brand": "Tourkasse",
        "model": "Tourkasse Verkaufswagen (Raspberry Pi)",
        "software": "Tourkasse",
        "version": "0.1.0",
    },
}


def _at(writer: JournalWriter, local_hour: int, minute: int, day: date) -> None:
    """Local time in November (UTC+1) → the writer's next entry time, one minute before."""
    writer.at = datetime(day.year, day.month, day.day, local_hour - 1, minute, tzinfo=UTC)


def _closing(writer: JournalWriter, counted: int, expected: int, turnover: int, pay: dict) -> Entry:
    body = {
        "counted": counted,
        "expected_cash": expected,
        "difference": counted - expected,
        "figures": {"turnover": turnover, "payments": pay},
        "count": {},
        "staff": {"number": "1", "name": "Anna"},
        "master": MASTER,  # as the till writes it into every closing
    }
    return writer.add(EntryKind.DAILY_CLOSING, body, minutes=1)


def t01() -> list[Entry]:
    w = JournalWriter("T01")
    _at(w, 8, 0, TUESDAY)
    w.add(EntryKind.STAFF_SIGN_ON, {"staff": {"number": "1", "name": "Anna"}}, minutes=1)
    w.add(EntryKind.OPENING_FLOAT, {"amount": 10000, "staff": None}, minutes=1)
    sale = w.receipt
    sale(Receipt(BonType.RECEIPT, (BROT, WASSER, PFAND), (Payment(CASH, 524, 1000),), stop="gimte"))
    sale(Receipt(BonType.RECEIPT, (GOUDA, SPUELI), (Payment(CARD, 687),), stop="gimte"))
    sale(Receipt(BonType.RECEIPT, (LEERGUT, MILCH), (Payment(CASH, 44),), stop="hemeln"))
    sale(Receipt(BonType.TRAINING, (BROT,), (Payment(CASH, 420),), stop="hemeln"))
    sale(Receipt(BonType.ABORTED, (BROT,), (), stop="hemeln"))
    w.void(2)
    w.add(
        EntryKind.CASH_MOVEMENT,
        {"movement": "Geldtransit", "amount": -5000, "note": "Bank", "staff": None},
    )
    sale(
        Receipt(
            BonType.RECEIPT, (BROETCHEN,), (Payment(CARD, 200), Payment(CASH, 250)), stop="hemeln"
        )
    )
    _closing(w, 5290, 5294, 1181, {"cash": 294, "card": 887})
    _at(w, 9, 0, WEDNESDAY)
    sale(Receipt(BonType.RECEIPT, (KAFFEE,), (Payment(CASH, 599),), stop="gimte"))
    w.add(
        EntryKind.CASH_MOVEMENT,
        {"movement": "Privatentnahme", "amount": -2000, "note": "Einkauf", "staff": None},
    )
    _closing(w, 3889, 3889, 599, {"cash": 599})
    return w.entries


def t02() -> list[Entry]:
    w = JournalWriter("T02")
    _at(w, 23, 30, TUESDAY)
    w.receipt(
        Receipt(BonType.RECEIPT, (BIER, KASTENPFAND), (Payment(CARD, 1641),), stop="lutterberg")
    )
    return w.entries


# Worked out by hand (see the module's docstring); amounts in cents.
HAND = {
    ("T01", TUESDAY): {
        "receipts": 5,
        "voids": 1,
        "training": 1,
        "training_total": 420,
        "aborted": 1,
        "gross": {VatRate.NORMAL: 114, VatRate.REDUCED: 1067},
        "vat": {VatRate.NORMAL: 18, VatRate.REDUCED: 70},
        "payments": {"cash": 294, "card": 887},
    },
    ("T01", WEDNESDAY): {
        "receipts": 1,
        "voids": 0,
        "training": 0,
        "training_total": 0,
        "aborted": 0,
        "gross": {VatRate.REDUCED: 599},
        "vat": {VatRate.REDUCED: 39},  # 599·7/107 = 39,19 → 39
        "payments": {"cash": 599},
    },
    ("T02", TUESDAY): {
        "receipts": 1,
        "voids": 0,
        "training": 0,
        "training_total": 0,
        "aborted": 0,
        "gross": {VatRate.NORMAL: 1641},
        "vat": {VatRate.NORMAL: 262},
        "payments": {"card": 1641},
    },
}
# T01 on Tuesday per stop: gimte holds Bon 2, 3 and the void of Bon 2; hemeln Bon 4 and 9
HAND_STOPS = {
    "gimte": {"gross": {VatRate.NORMAL: 189, VatRate.REDUCED: 498}, "receipts": 3},
    "hemeln": {"gross": {VatRate.NORMAL: -75, VatRate.REDUCED: 569}, "receipts": 2},
}


def store_days(url: str) -> None:
    """Both trucks' journals into the hub store at ``url``, through its ingest."""
    from hub.store import open_store
    from tourkasse.protocol import JournalBatch

    with open_store(url) as store:
        for entries in (t01(), t02()):
            batch = JournalBatch(entries[0].truck, tuple(e.data for e in entries), 1)
            outcome = store.accept_batch(batch, received_at=datetime.now(UTC))
            assert outcome.reason is None, outcome.reason
