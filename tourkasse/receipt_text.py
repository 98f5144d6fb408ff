"""The receipt as the customer reads it: plain text lines for a 42- or 48-column printer.

Everything the KassenSichV asks of a receipt is here: the seller's name and address, date,
start and end time, goods, amounts and VAT per rate, the till's and the TSE's serial numbers,
transaction number, signature counter and signature (also carried in the QR code), or the
note that the TSE failed. The printer driver (a later issue) turns these lines into ESC/POS.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tourkasse.article import Unit
from tourkasse.money import format_eur
from tourkasse.receipt import BonType, LineKind, Receipt, ReceiptLine
from tourkasse.signature import TseFields
from tourkasse.vat import VatRate

LOCAL = ZoneInfo("Europe/Berlin")
RATE_LETTER = {VatRate.NORMAL: "A", VatRate.REDUCED: "B", VatRate.ZERO: "C"}


@dataclass(frozen=True)
class ShopHeader:
    name: str
    street: str
    postcode: str
    city: str
    tax_number: str
    vat_id: str | None
    till_serial: str


def receipt_lines(
    shop: ShopHeader,
    number: int,
    receipt: Receipt,
    tse: TseFields,
    at: datetime,
    *,
    columns: int = 42,
    copy: bool = False,
    qr_line: bool = True,
) -> list[str]:
    """The receipt's lines; ``copy`` marks a reprint, which is not a second receipt."""
    out: list[str] = []
    rule = "-" * columns
    out += [
        part.center(columns).rstrip()
        for part in (shop.name, shop.street, f"{shop.postcode} {shop.city}")
    ]
    ids = f"St.-Nr. {shop.tax_number}" + (f"  USt-IdNr. {shop.vat_id}" if shop.vat_id else "")
    if len(ids) > columns and shop.vat_id:
        out.append(f"St.-Nr. {shop.tax_number}".center(columns).rstrip())
        out.append(f"USt-IdNr. {shop.vat_id}".center(columns).rstrip())
    else:
        out.append(ids.center(columns).rstrip())
    out.append(rule)
    banner = _banner(receipt)
    if copy:
        out += ["*** KOPIE ***".center(columns), rule]
    if banner:
        out += [banner.center(columns), rule]
    for line in receipt.lines:
        out += _article_lines(line, columns)
    out.append(rule)
    out.append(_two("SUMME", format_eur(receipt.total), columns))
    for payment in receipt.payments:
        label = (
            payment.method.label if payment.amount >= 0 else f"{payment.method.label} ausgezahlt"
        )
        if payment.tendered is not None:
            out.append(
                _two(f"{label} gegeben", format_eur(payment.tendered, symbol=False), columns)
            )
            out.append(_two("Rückgeld", format_eur(payment.change, symbol=False), columns))
        else:
            out.append(_two(label, format_eur(abs(payment.amount), symbol=False), columns))
    out.append(rule)
    out.append(_vat_row("MwSt", "Netto", "Steuer", "Brutto", columns))
    for rate, gross in sorted(receipt.gross_by_rate.items(), key=lambda kv: -kv[0].value):
        vat = receipt.vat_by_rate[rate]
        out.append(
            _vat_row(
                f"{RATE_LETTER[rate]} {rate.percent_text}",
                format_eur(gross - vat, symbol=False),
                format_eur(vat, symbol=False),
                format_eur(gross, symbol=False),
                columns,
            )
        )
    out.append(rule)
    local = at.astimezone(LOCAL)
    out.append(_two(f"Bon {number}", f"{local:%d.%m.%Y %H:%M:%S}", columns))
    out.append(f"Kasse {shop.till_serial}")
    if receipt.staff is not None:
        out.append(f"Es bediente Sie: {receipt.staff.name}")
    if receipt.stop:
        out.append(f"Haltestelle: {receipt.stop}")
    if receipt.order:
        out.append(f"Bestellung: {receipt.order}")
    out += _tse_lines(tse, columns)
    if tse.qr and qr_line:
        out.append(f"QR: {tse.qr}")
    if banner:
        out += [rule, banner.center(columns)]
    return out


def _banner(receipt: Receipt) -> str:
    if receipt.bon_type is BonType.TRAINING:
        return "*** TRAININGSBON – KEIN VERKAUF ***"
    if receipt.bon_type is BonType.ABORTED:
        return "*** ABGEBROCHEN – KEIN VERKAUF ***"
    if receipt.void_of is not None:
        return f"*** STORNO ZU BON {receipt.void_of} ***"
    return ""


def _article_lines(line: ReceiptLine, columns: int) -> list[str]:
    text = line.text
    if line.kind is LineKind.DEPOSIT:
        text = f"  {text}"
    lines = [
        _two(text, f"{format_eur(line.total, symbol=False)} {RATE_LETTER[line.vat_rate]}", columns)
    ]
    detail = ""
    if line.unit is Unit.KG:
        kilos, grams = divmod(abs(line.quantity), 1000)
        kg = f"{kilos},{grams:03d}"
        detail = f"  {kg} kg x {format_eur(line.unit_price)}/kg"
        if line.weighing is not None and line.weighing.till_computed:
            detail += " (Preis von der Kasse berechnet)"
    elif abs(line.quantity) != 1:
        detail = f"  {abs(line.quantity)} x {format_eur(line.unit_price)}"
    if detail:
        lines.append(detail)
    if line.override is not None:
        lines.append(
            f"  Preis geändert von {format_eur(line.override.original_price)}: {line.override.reason}"
        )
    if line.discount:
        lines.append(f"  Rabatt -{format_eur(abs(line.discount))}")
    return lines


def _tse_lines(tse: TseFields, columns: int) -> list[str]:
    lines = [f"TSE: {tse.description}"]
    if tse.failure is not None:
        lines.append(tse.failure)
        return lines
    lines += [
        f"TSE-Transaktion: {tse.transaction_number}",
        f"Signaturzähler: {tse.signature_counter}",
        f"Start: {tse.start.astimezone(LOCAL):%d.%m.%Y %H:%M:%S}" if tse.start else "",
        f"Ende:  {tse.end.astimezone(LOCAL):%d.%m.%Y %H:%M:%S}" if tse.end else "",
        f"Zeitformat: {tse.time_format}",
        f"Algorithmus: {tse.signature_algorithm}",
        "Seriennummer TSE:",
        *textwrap.wrap(tse.serial_number or "", columns),
        "Signatur:",
        *textwrap.wrap(tse.signature or "", columns),
    ]
    return [line for line in lines if line]


def _two(left: str, right: str, columns: int) -> str:
    room = columns - len(right) - 1
    if len(left) > room:
        left = left[: max(room - 1, 1)] + "…"
    return f"{left:<{room}} {right}"


def _vat_row(a: str, b: str, c: str, d: str, columns: int) -> str:
    width = columns // 4
    return f"{a:<{columns - 3 * width}}{b:>{width}}{c:>{width}}{d:>{width}}"
