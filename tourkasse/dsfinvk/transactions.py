"""The single records of one closing: a transaction per numbered journal event.

Receipts (Beleg, AVTraining, AVBelegabbruch, voids as Beleg with BON_STORNO 1) become their
head, lines, VAT, payments, TSE data and references; the opening float and cash movements
become AVTransfer with one line of their business case; a cash difference found at the
closing becomes an AVTransfer of its own (DifferenzSollIst), which the till did not sign.
Every amount is integer cents here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tourkasse.article import Unit
from tourkasse.dsfinvk.closings import Journal, Period
from tourkasse.dsfinvk.values import Dec, eur, timestamp
from tourkasse.journal import Entry, EntryKind
from tourkasse.receipt import BonType, LineKind, PaymentMethod, Receipt, ReceiptLine
from tourkasse.signature import TseFields
from tourkasse.vat import VatRate, vat_of_gross

NOT_TAXABLE = 5  # UST_SCHLUESSEL: cash movements are outside VAT ("nicht steuerbar")
GV_OF_LINE = {
    LineKind.SALE: "Umsatz",
    LineKind.RETURN: "Umsatz",  # goods brought back: negative turnover at the goods' rate
    LineKind.DEPOSIT: "Pfand",
    LineKind.DEPOSIT_RETURN: "PfandRueckzahlung",
}
MOVEMENTS = ("Einzahlung", "Auszahlung", "Privateinlage", "Privatentnahme", "Geldtransit")
PAYMENT = {PaymentMethod.CASH: ("Bar", "Bar"), PaymentMethod.CARD: ("Unbar", "Karte")}
DIFFERENCE_NOTE = "Kassendifferenz aus der Zählung beim Tagesabschluss (keine TSE-Transaktion)"


@dataclass
class Rows:
    """Rows per file (without the three key columns, which the export adds)."""

    by_file: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    # the TSEs a closing's transactions name, in order of first use: serial → TSE_ID
    tse_ids: dict[str, int] = field(default_factory=dict)

    def add(self, file: str, **row: Any) -> None:
        self.by_file[file].append(row)

    def tse_id(self, serial: str | None) -> int | None:
        if serial is None:
            return None
        return self.tse_ids.setdefault(serial, len(self.tse_ids) + 1)


def single_records(journal: Journal, period: Period, kasse_id: str) -> Rows:
    rows = Rows()
    for entry in period.events:
        if entry.kind is EntryKind.RECEIPT:
            _receipt(rows, journal, period, entry, kasse_id)
        else:
            _transfer(rows, period, entry, kasse_id)
    difference = cash_difference(journal, period)
    if difference:
        _difference(rows, period, difference, kasse_id)
    return rows


def cash_difference(journal: Journal, period: Period) -> int:
    """Counted minus expected cash, as the closing recorded it (or as its figures give it)."""
    body = period.entry.body
    if "difference" in body:
        return body["difference"]
    # a closing without it (older or test journals): what the till's figures would have said
    index = journal.periods.index(period)
    expected = journal.periods[index - 1].entry.body.get("counted", 0) if index else 0
    for entry in period.events:
        if entry.kind is EntryKind.RECEIPT:
            receipt = Receipt.from_dict(entry.body["receipt"])
            if receipt.counts_as_turnover:
                expected += sum(
                    p.amount for p in receipt.payments if p.method is PaymentMethod.CASH
                )
        else:
            expected += entry.body["amount"]
    return body.get("counted", 0) - expected


def _head(entry: Entry, kasse_id: str, **values: Any) -> dict[str, Any]:
    number = entry.body["number"]
    staff = entry.body.get("staff") or {}
    return {
        "BON_ID": str(number),
        "BON_NR": number,
        "TERMINAL_ID": kasse_id,
        "BON_STORNO": "0",
        "BON_START": timestamp(entry.at),
        "BON_ENDE": timestamp(entry.at),
        "BEDIENER_ID": staff.get("number"),
        "BEDIENER_NAME": staff.get("name"),
        **values,
    }


def _receipt(rows: Rows, journal: Journal, period: Period, entry: Entry, kasse_id: str) -> None:
    body = entry.body
    number = body["number"]
    receipt = Receipt.from_dict(body["receipt"])
    bon_id = str(number)
    tse = _tse_fields(body)
    notes = [receipt.note] if receipt.note else []
    if receipt.stop:
        notes.append(f"Halt: {receipt.stop}")
    # abandoned before payment: nothing was sold, and the TSE signed 0.00; the lines are kept,
    # as cancelled lines with their quantity and price, to show what had been rung up
    aborted = receipt.bon_type is BonType.ABORTED
    total = 0 if aborted else receipt.total
    head = _head(entry, kasse_id, BON_TYP=receipt.bon_type.value, UMS_BRUTTO=eur(total))
    if receipt.staff is not None:
        head.update(BEDIENER_ID=receipt.staff.number, BEDIENER_NAME=receipt.staff.name)
    if receipt.is_void:
        head["BON_STORNO"] = "1"
    if tse.start is not None:
        head["BON_START"] = timestamp(min(tse.start, entry.at))
    head["BON_NOTIZ"] = "; ".join(notes)
    rows.add("transactions.csv", **head)

    vats = _line_vat(receipt)
    for index, line in enumerate(receipt.lines):
        _line(rows, bon_id, index, line, vats[index], kasse_id, cancelled=aborted)
    for rate in sorted({} if aborted else receipt.gross_by_rate, key=lambda r: r.dsfinvk_key):
        gross, vat = receipt.gross_by_rate[rate], receipt.vat_by_rate[rate]
        rows.add(
            "transactions_vat.csv",
            BON_ID=bon_id,
            UST_SCHLUESSEL=rate.dsfinvk_key,
            BON_BRUTTO=eur(gross),
            BON_NETTO=eur(gross - vat),
            BON_UST=eur(vat),
        )
    paid: dict[tuple[str, str], int] = {}
    for payment in receipt.payments:
        key = PAYMENT[payment.method]
        paid[key] = paid.get(key, 0) + payment.amount
    for (kind, name), amount in sorted(paid.items()):
        _payment(rows, bon_id, kind, name, amount)
    _tse_row(rows, period, number, tse)
    if receipt.void_of is not None:
        original = journal.closing_of.get(receipt.void_of)
        rows.add(
            "references.csv",
            BON_ID=bon_id,
            REF_TYP="Transaktion",
            REF_NAME="Storno",
            REF_DATUM=original.created if original else None,
            REF_Z_KASSE_ID=_kasse_of(original, kasse_id) if original else None,
            REF_Z_NR=original.number if original else None,
            REF_BON_ID=str(receipt.void_of),
        )


def _kasse_of(period: Period, fallback: str) -> str:
    return period.master.till.serial if period.master is not None else fallback


def _line_vat(receipt: Receipt) -> dict[int, int]:
    """VAT per line, so that the lines of a rate add up to the receipt's VAT at that rate.

    The receipt's VAT is computed once per rate from its gross sum (rounded half up); each
    line gets its own rounded share, and the cents that rounding leaves over go to the
    largest lines first. The closing's sums are then exact to the cent, from lines or heads.
    """
    shares: dict[VatRate, dict[int, int]] = {}
    for index, line in enumerate(receipt.lines):
        shares.setdefault(line.vat_rate, {})[index] = vat_of_gross(line.total, line.vat_rate)
    for rate, by_line in shares.items():
        left = receipt.vat_by_rate[rate] - sum(by_line.values())
        order = sorted(by_line, key=lambda i: (-abs(receipt.lines[i].total), i))
        step = 1 if left > 0 else -1
        turn = 0
        while left:
            by_line[order[turn % len(order)]] += step
            left -= step
            turn += 1
    return {index: vat for by_line in shares.values() for index, vat in by_line.items()}


def _line(
    rows: Rows,
    bon_id: str,
    index: int,
    line: ReceiptLine,
    vat: int,
    kasse_id: str,
    *,
    cancelled: bool = False,
) -> None:
    position = str(index + 1)
    amount, vat = (0, 0) if cancelled else (line.total, vat)
    rate = line.vat_rate
    weighed = line.unit is Unit.KG
    rows.add(
        "lines.csv",
        BON_ID=bon_id,
        POS_ZEILE=position,
        ARTIKELTEXT=line.text,
        POS_TERMINAL_ID=kasse_id,
        GV_TYP=GV_OF_LINE[line.kind],
        INHAUS="0",
        P_STORNO="1" if cancelled else "0",
        AGENTUR_ID=0,
        ART_NR=line.article_no,
        GTIN=line.gtin,
        WARENGR_ID=line.group,
        WARENGR=line.group,
        MENGE=Dec(line.quantity, 3 if weighed else 0),  # grams are thousandths of a kg
        FAKTOR=Dec(1, 0),
        EINHEIT="kg" if weighed else "Stück",
        STK_BR=eur(line.unit_price),
    )
    rows.add(
        "lines_vat.csv",
        BON_ID=bon_id,
        POS_ZEILE=position,
        UST_SCHLUESSEL=rate.dsfinvk_key,
        POS_BRUTTO=eur(amount),
        POS_NETTO=eur(amount - vat),
        POS_UST=eur(vat),
    )
    if line.discount and not cancelled:
        base = line.total + line.discount
        for kind, amount in (("base_amount", base), ("discount", -line.discount)):
            amount_vat = vat_of_gross(amount, rate)
            rows.add(
                "itemamounts.csv",
                BON_ID=bon_id,
                POS_ZEILE=position,
                TYP=kind,
                UST_SCHLUESSEL=rate.dsfinvk_key,
                PF_BRUTTO=eur(amount),
                PF_NETTO=eur(amount - amount_vat),
                PF_UST=eur(amount_vat),
            )


def _payment(rows: Rows, bon_id: str, kind: str, name: str, amount: int) -> None:
    rows.add(
        "datapayment.csv",
        BON_ID=bon_id,
        ZAHLART_TYP=kind,
        ZAHLART_NAME=name,
        ZAHLWAEH_CODE="EUR",
        ZAHLWAEH_BETRAG=eur(amount),
        BASISWAEH_BETRAG=eur(amount),
    )


def _tse_fields(body: dict[str, Any]) -> TseFields:
    if "tse" not in body:
        return TseFields(certified=False, description="", failure="keine TSE-Daten im Journal")
    return TseFields.from_dict(body["tse"])


def _tse_row(rows: Rows, period: Period, number: int, tse: TseFields) -> None:
    """The TSE's data for a transaction; sold in failure mode: the failure, and the TSE's late
    answer when it came before the closing."""
    signed = tse
    if tse.failed:
        signed = period.late.get(number, tse)
    serial = signed.serial_number or period.tse_before.get(number)
    rows.add(
        "transactions_tse.csv",
        BON_ID=str(number),
        TSE_ID=rows.tse_id(serial),
        TSE_TANR=signed.transaction_number,
        TSE_TA_START=timestamp(signed.start) if signed.start else None,
        TSE_TA_ENDE=timestamp(signed.end) if signed.end else None,
        TSE_TA_VORGANGSART=signed.process_type,
        TSE_TA_SIGZ=signed.signature_counter,
        TSE_TA_SIG=signed.signature,
        TSE_TA_FEHLER=tse.failure,
        TSE_VORGANGSDATEN=signed.process_data,
    )


def _transfer(rows: Rows, period: Period, entry: Entry, kasse_id: str) -> None:
    """The opening float or a cash movement: AVTransfer, one line, paid in cash."""
    body = entry.body
    amount = body["amount"]
    if entry.kind is EntryKind.OPENING_FLOAT:
        business_case, text = "Anfangsbestand", "Anfangsbestand"
    else:
        business_case = body["movement"]
        if business_case not in MOVEMENTS:  # "unbekannt": its draft was lost in a power cut
            business_case = "Einzahlung" if amount >= 0 else "Auszahlung"
        text = body.get("note") or business_case
    _cash_transaction(
        rows,
        _head(entry, kasse_id, BON_TYP="AVTransfer", UMS_BRUTTO=eur(amount)),
        business_case,
        text,
        amount,
        kasse_id,
    )
    _tse_row(rows, period, body["number"], _tse_fields(body))


def _difference(rows: Rows, period: Period, amount: int, kasse_id: str) -> None:
    bon_id = f"Z{period.number}-Differenz"
    staff = period.entry.body.get("staff") or {}
    head = {
        "BON_ID": bon_id,
        "BON_TYP": "AVTransfer",
        "BON_NAME": "Kassendifferenz",
        "TERMINAL_ID": kasse_id,
        "BON_STORNO": "0",
        "BON_START": period.created,
        "BON_ENDE": period.created,
        "BEDIENER_ID": staff.get("number"),
        "BEDIENER_NAME": staff.get("name"),
        "UMS_BRUTTO": eur(amount),
        "BON_NOTIZ": f"gezählt beim Tagesabschluss {period.number}",
    }
    _cash_transaction(rows, head, "DifferenzSollIst", "Kassendifferenz", amount, kasse_id)
    rows.add("transactions_tse.csv", BON_ID=bon_id, TSE_TA_FEHLER=DIFFERENCE_NOTE)


def _cash_transaction(
    rows: Rows, head: dict[str, Any], business_case: str, text: str, amount: int, kasse_id: str
) -> None:
    bon_id = head["BON_ID"]
    rows.add("transactions.csv", **head)
    rows.add(
        "lines.csv",
        BON_ID=bon_id,
        POS_ZEILE="1",
        ARTIKELTEXT=text,
        POS_TERMINAL_ID=kasse_id,
        GV_TYP=business_case,
        INHAUS="0",
        P_STORNO="0",
        AGENTUR_ID=0,
        MENGE=Dec(1, 0),
        FAKTOR=Dec(1, 0),
        EINHEIT="Stück",
        STK_BR=eur(amount),
    )
    rows.add(
        "lines_vat.csv",
        BON_ID=bon_id,
        POS_ZEILE="1",
        UST_SCHLUESSEL=NOT_TAXABLE,
        POS_BRUTTO=eur(amount),
        POS_NETTO=eur(amount),
        POS_UST=eur(0),
    )
    rows.add(
        "transactions_vat.csv",
        BON_ID=bon_id,
        UST_SCHLUESSEL=NOT_TAXABLE,
        BON_BRUTTO=eur(amount),
        BON_NETTO=eur(amount),
        BON_UST=eur(0),
    )
    _payment(rows, bon_id, "Bar", "Bar", amount)
