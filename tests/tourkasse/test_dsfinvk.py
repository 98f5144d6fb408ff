"""The DSFinV-K export of a fixed journal of two closings, its figures worked out by hand.

Closing 1 (Tuesday 24.11.2026): opening float 100,00 €; receipt 2 bread, two apple juices
and their deposit, cash; receipt 3 apples by weight with four empties back, by card, sold
while the TSE was out (its late answer comes before the closing); a training receipt; an
aborted receipt; 20,00 € paid out for flowers; 88,00 € counted against 88,37 € expected.
Closing 2 (Wednesday): receipt 2 voided; Gouda with a discount; a returned washing-up liquid
paid back; the drawer exact. Every expected figure below was computed by hand (the working
is in the comments), not by the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.dsfinvk_check import check_export, read_export
from tests.support.journals import JournalWriter
from tourkasse.article import Unit
from tourkasse.dsfinvk import (
    Company,
    ExportRefused,
    MasterData,
    Selection,
    TillMaster,
    make_export,
    zip_bytes,
)
from tourkasse.journal import EntryKind
from tourkasse.receipt import BonType, LineKind, Payment, PaymentMethod, Receipt, ReceiptLine, Staff
from tourkasse.signature import TseFields
from tourkasse.vat import VatRate

CASH, CARD = PaymentMethod.CASH, PaymentMethod.CARD
ANNA = Staff("7", "Anna")
MASTER = MasterData(
    Company("Dorfladen Muster GmbH", "Hauptstraße 1", "34346", "Hann. Münden", "DE",
            "22/815/08150", "DE123456789"),
    TillMaster("TK-T01-0001", version="0.1.0"),
)  # fmt: skip
SERIAL = "ab" * 32

BROT = ReceiptLine(
    LineKind.SALE, "Bauernbrot 1 kg", 1, Unit.PIECE, 429, VatRate.REDUCED, 429, "Brot", "1001"
)
SAFT = ReceiptLine(
    LineKind.SALE,
    "Apfelsaft 1 l",
    2,
    Unit.PIECE,
    189,
    VatRate.NORMAL,
    378,
    "Getränke",
    "5002",
    "4000000000017",
)
PFAND = ReceiptLine(
    LineKind.DEPOSIT,
    "Pfand Mehrweg",
    2,
    Unit.PIECE,
    15,
    VatRate.NORMAL,
    30,
    "Pfand",
    "9002",
    deposit_for=1,
)
AEPFEL = ReceiptLine(
    LineKind.SALE, "Äpfel Elstar", 1250, Unit.KG, 299, VatRate.REDUCED, 374, "Obst", "4001"
)
LEERGUT = ReceiptLine(
    LineKind.DEPOSIT_RETURN, "Leergut", -4, Unit.PIECE, 15, VatRate.NORMAL, -60, "Pfand", "9002"
)
SPUELI = ReceiptLine(
    LineKind.SALE, "Spülmittel", 1, Unit.PIECE, 135, VatRate.NORMAL, 135, "Haushalt", "6001"
)
BROETCHEN = ReceiptLine(
    LineKind.SALE, "Brötchen", 2, Unit.PIECE, 45, VatRate.REDUCED, 90, "Brot", "1002"
)
GOUDA = ReceiptLine(
    LineKind.SALE,
    "Gouda am Stück",
    400,
    Unit.KG,
    1490,
    VatRate.REDUCED,
    546,
    "Käse",
    "2101",
    discount=50,
)
RUECKGABE = ReceiptLine(
    LineKind.RETURN, "Spülmittel", -1, Unit.PIECE, 135, VatRate.NORMAL, -135, "Haushalt", "6001"
)


def signed(before: datetime, number: int, counter: int, data: str) -> dict:
    """A signature whose transaction started 2 minutes after the entry ``before``."""
    return TseFields(
        certified=False, description="Software-TSE", serial_number=SERIAL, client_id="TK-T01-0001",
        transaction_number=number, signature_counter=counter,
        start=before + timedelta(minutes=2), end=before + timedelta(minutes=2, seconds=30),
        process_type="Kassenbeleg-V1", process_data=data, signature_algorithm="ecdsa-plain-SHA256",
        time_format="unixTime", signature=f"c2lnbmF0dXJl{number}", public_key="cHVibGlj",
    ).to_dict()  # fmt: skip


def journal() -> JournalWriter:
    writer = JournalWriter(start=datetime(2026, 11, 24, 7, 0, tzinfo=UTC))

    def receipt(receipt: Receipt, tse: dict) -> None:
        writer.receipts[writer.next_number] = receipt
        writer.add(EntryKind.RECEIPT, {"receipt": receipt.to_dict(), "tse": tse})

    writer.add(
        EntryKind.OPENING_FLOAT,
        {"amount": 10000, "staff": None, "tse": signed(writer.at, 1, 2, "AVTransfer^…")},
    )
    receipt(
        Receipt(
            BonType.RECEIPT, (BROT, SAFT, PFAND), (Payment(CASH, 837, 1000),), ANNA, stop="gimte"
        ),
        signed(writer.at, 2, 4, "Beleg^4.08_4.29_0.00_0.00_0.00^8.37:Bar"),
    )
    receipt(
        Receipt(BonType.RECEIPT, (AEPFEL, LEERGUT), (Payment(CARD, 314),), ANNA, stop="gimte"),
        TseFields.failed_with("USB-TSE gezogen", description="Software-TSE").to_dict(),
    )
    receipt(
        Receipt(BonType.TRAINING, (SPUELI,), (Payment(CASH, 135),), ANNA),
        signed(writer.at, 4, 8, "AVTraining^…"),
    )
    receipt(
        Receipt(BonType.ABORTED, (BROETCHEN,), (), ANNA),
        signed(writer.at, 5, 10, "AVBelegabbruch^…"),
    )
    writer.add(
        EntryKind.TSE_LATE_SIGNATURE,
        {
            "receipt_number": 3,
            "tse": signed(writer.at, 3, 12, "Beleg^-0.60_3.74_0.00_0.00_0.00^3.14:Unbar"),
        },
    )
    writer.add(
        EntryKind.CASH_MOVEMENT,
        {
            "movement": "Auszahlung",
            "amount": -2000,
            "note": "Blumen",
            "staff": None,
            "tse": signed(writer.at, 6, 14, "AVTransfer^…"),
        },
    )
    writer.at = datetime(2026, 11, 24, 17, 57, tzinfo=UTC)  # 18:00 UTC, 19:00 in Germany
    writer.add(
        EntryKind.DAILY_CLOSING,
        {
            "counted": 8800,
            "difference": -37,
            "staff": {"number": "7", "name": "Anna"},
            "master": MASTER.to_dict(),
        },
    )

    writer.at = datetime(2026, 11, 25, 7, 57, tzinfo=UTC)
    original = writer.receipts[2]
    receipt(
        Receipt(
            BonType.RECEIPT, original.voided().lines, original.voided().payments, ANNA, void_of=2
        ),
        signed(writer.at, 7, 16, "Beleg^-4.08_-4.29_0.00_0.00_0.00^-8.37:Bar"),
    )
    receipt(
        Receipt(BonType.RECEIPT, (GOUDA,), (Payment(CASH, 546),), ANNA),
        signed(writer.at, 8, 18, "Beleg^…"),
    )
    receipt(
        Receipt(BonType.RECEIPT, (RUECKGABE,), (Payment(CASH, -135),), ANNA),
        signed(writer.at, 9, 20, "Beleg^…"),
    )
    writer.at = datetime(2026, 11, 25, 16, 57, tzinfo=UTC)
    writer.add(
        EntryKind.DAILY_CLOSING,
        {"counted": 8374, "difference": 0, "staff": None, "master": MASTER.to_dict()},
    )
    return writer  # fmt: skip


def rows(text: bytes) -> list[str]:
    return text.decode("utf-8").split("\r\n")[1:-1]


Z1 = '"TK-T01-0001";"2026-11-24T19:00:00+01:00";1'
Z2 = '"TK-T01-0001";"2026-11-25T18:00:00+01:00";2'


def test_closing_totals_are_the_hand_computed_figures():
    entries = journal().entries
    export = make_export(entries)
    check_export(export.files, entries)
    assert export.closings == (1, 2) and export.notes == ()
    # VAT by hand: 3,78 € × 19/119 = 0,6035 → 0,60; 0,30 € × 19/119 = 0,0479 → 0,05 (receipt 2
    # at 19 %: 4,08 × 19/119 = 0,6514 → 0,65 = 0,60 + 0,05); bread 4,29 × 7/107 = 0,2807 → 0,28;
    # apples 1,25 kg × 2,99 = 3,7375 → 3,74, × 7/107 = 0,2447 → 0,24; empties −0,60 × 19/119 =
    # −0,0958 → −0,10. Training and aborted receipts are not in the totals.
    # Cash expected 100,00 + 8,37 − 20,00 = 88,37, counted 88,00: difference −0,37.
    assert rows(export.files["businesscases.csv"]) == [
        f'{Z1};"Anfangsbestand";"";0;5;100,00000;100,00000;0,00000',
        f'{Z1};"Auszahlung";"";0;5;-20,00000;-20,00000;0,00000',
        f'{Z1};"DifferenzSollIst";"";0;5;-0,37000;-0,37000;0,00000',
        f'{Z1};"Pfand";"";0;1;0,30000;0,25000;0,05000',
        f'{Z1};"PfandRueckzahlung";"";0;1;-0,60000;-0,50000;-0,10000',
        f'{Z1};"Umsatz";"";0;1;3,78000;3,18000;0,60000',
        f'{Z1};"Umsatz";"";0;2;8,03000;7,51000;0,52000',
        # void of receipt 2: −0,30 (VAT −0,05), −3,78 (−0,60), −4,29 (−0,28); Gouda 0,400 kg ×
        # 14,90 = 5,96 less 0,50 = 5,46, × 7/107 = 0,3572 → 0,36; washing-up liquid back −1,35
        # × 19/119 = −0,2155 → −0,22. Umsatz 19 %: −3,78 − 1,35 = −5,13, VAT −0,82;
        # 7 %: −4,29 + 5,46 = 1,17, VAT −0,28 + 0,36 = 0,08. The drawer is exact: no difference.
        f'{Z2};"Pfand";"";0;1;-0,30000;-0,25000;-0,05000',
        f'{Z2};"Umsatz";"";0;1;-5,13000;-4,31000;-0,82000',
        f'{Z2};"Umsatz";"";0;2;1,17000;1,09000;0,08000',
    ]
    # cash: 100,00 + 8,37 − 20,00 − 0,37 = 88,00; card 3,14; day 2 cash −8,37 + 5,46 − 1,35
    assert rows(export.files["payment.csv"]) == [
        f'{Z1};"Bar";"Bar";88,00',
        f'{Z1};"Unbar";"Karte";3,14',
        f'{Z2};"Bar";"Bar";-4,26',
    ]
    assert rows(export.files["cash_per_currency.csv"]) == [f'{Z1};"EUR";88,00', f'{Z2};"EUR";-4,26']
    company = '"Dorfladen Muster GmbH";"Hauptstraße 1";"34346";"Hann. Münden";"DEU";"22/815/08150";"DE123456789"'
    assert rows(export.files["cashpointclosing.csv"]) == [
        f'{Z1};"2026-11-24";"2.3";"1";"Z1-Differenz";{company};91,14;88,00',
        f'{Z2};"2026-11-25";"2.3";"7";"9";{company};-4,26;-4,26',
    ]  # fmt: skip


def test_each_event_becomes_its_transaction():
    tables = read_export(make_export(journal().entries).files)
    heads = {row["BON_ID"]: row for row in tables["transactions.csv"]}
    assert [(b, h["BON_TYP"], h["BON_STORNO"], h["UMS_BRUTTO"]) for b, h in heads.items()] == [
        ("1", "AVTransfer", "0", "100,00"),
        ("2", "Beleg", "0", "8,37"),
        ("3", "Beleg", "0", "3,14"),
        ("4", "AVTraining", "0", "1,35"),
        ("5", "AVBelegabbruch", "0", "0,00"),  # nothing sold: the TSE signed 0.00
        ("6", "AVTransfer", "0", "-20,00"),
        ("Z1-Differenz", "AVTransfer", "0", "-0,37"),
        ("7", "Beleg", "1", "-8,37"),
        ("8", "Beleg", "0", "5,46"),
        ("9", "Beleg", "0", "-1,35"),
    ]
    assert heads["2"]["BON_NOTIZ"] == "Halt: gimte" and heads["2"]["BEDIENER_NAME"] == "Anna"
    lines = [(r["BON_ID"], r["POS_ZEILE"], r["GV_TYP"], r["MENGE"], r["EINHEIT"], r["STK_BR"])
             for r in tables["lines.csv"] if r["BON_ID"] in ("2", "3", "6", "9")]  # fmt: skip
    assert lines == [
        ("2", "1", "Umsatz", "1,000", "Stück", "4,29000"),
        ("2", "2", "Umsatz", "2,000", "Stück", "1,89000"),
        ("2", "3", "Pfand", "2,000", "Stück", "0,15000"),
        ("3", "1", "Umsatz", "1,250", "kg", "2,99000"),
        ("3", "2", "PfandRueckzahlung", "-4,000", "Stück", "0,15000"),
        ("6", "1", "Auszahlung", "1,000", "Stück", "-20,00000"),
        ("9", "1", "Umsatz", "-1,000", "Stück", "1,35000"),
    ]
    # the aborted receipt's rolls as a cancelled line: 2 × 0,45 rung up, nothing sold
    (rolls,) = [r for r in tables["lines.csv"] if r["BON_ID"] == "5"]
    assert (rolls["P_STORNO"], rolls["MENGE"], rolls["STK_BR"]) == ("1", "2,000", "0,45000")
    (rolls_vat,) = [r for r in tables["lines_vat.csv"] if r["BON_ID"] == "5"]
    assert (rolls_vat["UST_SCHLUESSEL"], rolls_vat["POS_BRUTTO"]) == ("2", "0,00000")
    # the empties take the drink's key (19 %), the cash movement none (5: not taxable)
    keys = {(r["BON_ID"], r["POS_ZEILE"]): r["UST_SCHLUESSEL"] for r in tables["lines_vat.csv"]}
    assert keys["3", "2"] == "1" and keys["3", "1"] == "2" and keys["6", "1"] == "5"
    # Gouda: 5,96 before the discount of 0,50 (VAT 5,96 × 7/107 = 0,3899 → 0,39; 0,50 → 0,03)
    assert [(r["TYP"], r["PF_BRUTTO"], r["PF_UST"]) for r in tables["itemamounts.csv"]] == [
        ("base_amount", "5,96000", "0,39000"),
        ("discount", "-0,50000", "-0,03000"),
    ]


def test_a_void_refers_to_its_original_in_the_earlier_closing():
    export = make_export(journal().entries, Selection(first_z=2))
    assert rows(export.files["references.csv"]) == [
        f'{Z2};"7";"";"Transaktion";"Storno";"2026-11-24T19:00:00+01:00";"TK-T01-0001";1;"2"'
    ]
    check_export(export.files, journal().entries)


def test_a_receipt_sold_while_the_tse_was_out_carries_the_failure_and_the_late_answer():
    tables = read_export(make_export(journal().entries).files)
    tse = {row["BON_ID"]: row for row in tables["transactions_tse.csv"]}
    late = tse["3"]
    assert late["TSE_TA_FEHLER"] == "TSE ausgefallen: USB-TSE gezogen"
    assert (late["TSE_ID"], late["TSE_TANR"], late["TSE_TA_SIGZ"]) == ("1", "3", "12")
    assert late["TSE_VORGANGSDATEN"] == "Beleg^-0.60_3.74_0.00_0.00_0.00^3.14:Unbar"
    assert (tse["2"]["TSE_TA_FEHLER"], tse["2"]["TSE_TA_SIGZ"]) == ("", "4")
    assert tse["2"]["TSE_TA_START"] == "2026-11-24T08:05:00+01:00"  # entry 1 at 07:03 UTC
    assert tse["2"]["TSE_TA_ENDE"] == "2026-11-24T08:05:30+01:00"
    assert tse["Z1-Differenz"]["TSE_TA_FEHLER"].startswith("Kassendifferenz")
    assert [(r["Z_NR"], r["TSE_ID"], r["TSE_SERIAL"]) for r in tables["tse.csv"]] == [
        ("1", "1", SERIAL),
        ("2", "1", SERIAL),
    ]


def test_closings_are_chosen_by_business_day_or_number():
    from datetime import date

    entries = journal().entries
    assert make_export(entries, Selection(first_day=date(2026, 11, 25))).closings == (2,)
    assert make_export(entries, Selection(last_z=1)).closings == (1,)
    assert make_export(entries, Selection(last_day=date(2026, 11, 25))).closings == (1, 2)
    assert make_export(entries, Selection(first_z=1, last_z=1)).closings == (1,)
    assert make_export(entries, Selection(first_day=date(2026, 11, 24))).closings == (1, 2)
    with pytest.raises(
        ExportRefused, match=r"Keine Tagesabschlüsse für Geschäftstage 01\.12\.2026"
    ):
        make_export(entries, Selection(first_day=date(2026, 12, 1)))


def test_the_same_closings_give_the_same_bytes():
    one, two = make_export(journal().entries), make_export(journal().entries)
    assert one.files == two.files
    assert zip_bytes(one) == zip_bytes(two)
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(zip_bytes(one)))
    assert archive.namelist() == sorted(archive.namelist()) and len(archive.namelist()) == 22
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_an_older_closing_without_master_data_takes_the_fallback_and_says_so():
    writer = journal()
    older = JournalWriter(start=datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    for entry in writer.entries:  # the same journal, its closings written before master data
        older.at = entry.at
        body = {
            k: v for k, v in entry.body.items() if k not in ("master", "number", "closing_number")
        }
        older.add(entry.kind, body, minutes=0)
    with pytest.raises(ExportRefused, match="enthält keine Stammdaten"):
        make_export(older.entries)
    export = make_export(older.entries, fallback=MASTER, fallback_source="truck.toml")
    assert export.notes == (
        "Tagesabschluss 1 (2026-11-24) enthält keine Stammdaten: Unternehmen und Kasse aus truck.toml übernommen",
        "Tagesabschluss 2 (2026-11-25) enthält keine Stammdaten: Unternehmen und Kasse aus truck.toml übernommen",
    )  # fmt: skip
    assert export.files == make_export(writer.entries).files


def test_master_data_in_the_closing_wins_over_the_fallback():
    other = MasterData(
        Company("Anderer Laden", "Weg 2", "12345", "Anderswo", "DE", "11/111/11111"),
        TillMaster("ANDERE-KASSE"),
    )
    entries = journal().entries
    export = make_export(entries, fallback=other, fallback_source="woanders.toml")
    assert export.notes == ()
    assert export.files == make_export(entries).files


def test_line_vat_adds_up_to_the_receipts_vat():
    """Three chewing gums at 0,10 €: each line 0,10 × 19/119 = 0,0160 → 0,02, together 0,06;
    the receipt's VAT is 0,30 × 19/119 = 0,0479 → 0,05: the cent too many comes off the first
    line (all are equally large)."""
    gum = ReceiptLine(LineKind.SALE, "Kaugummi", 1, Unit.PIECE, 10, VatRate.NORMAL, 10, "Süßes")
    writer = JournalWriter(start=datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    sale = Receipt(BonType.RECEIPT, (gum, gum, gum), (Payment(CASH, 30),))
    writer.add(EntryKind.RECEIPT, {"receipt": sale.to_dict()})
    writer.add(EntryKind.DAILY_CLOSING, {"counted": 30, "master": MASTER.to_dict()})
    export = make_export(writer.entries)
    check_export(export.files, writer.entries)
    tables = read_export(export.files)
    assert [r["POS_UST"] for r in tables["lines_vat.csv"]] == ["0,01000", "0,02000", "0,02000"]
    assert [r["BON_UST"] for r in tables["transactions_vat.csv"]] == ["0,05000"]
    assert [r["Z_UST"] for r in tables["businesscases.csv"]] == ["0,05000"]
