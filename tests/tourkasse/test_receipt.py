"""The receipt as data: written to the journal and read back unchanged, refused when unreadable."""

from dataclasses import fields

import pytest

from tourkasse.article import Unit
from tourkasse.receipt import (
    BonType,
    LineKind,
    Payment,
    PaymentMethod,
    PriceOverride,
    Receipt,
    ReceiptLine,
    Staff,
    Weighing,
)
from tourkasse.vat import VatRate

EVERYTHING = ReceiptLine(
    kind=LineKind.SALE,
    text="Gouda jung",
    quantity=312,
    unit=Unit.KG,
    unit_price=1299,
    vat_rate=VatRate.REDUCED,
    total=355,
    group="Käse",
    article_no="3001",
    gtin="2012345000000",
    discount=50,
    override=PriceOverride(original_price=1399, reason="Anschnitt"),
    weighing=Weighing(source="scale", till_computed=False),
    deposit_for=None,
    age_limit=16,
    department="Frische",
)
BOTTLE = ReceiptLine(
    LineKind.SALE, "Apfelsaft 1 l", 1, Unit.PIECE, 149, VatRate.NORMAL, 149, "Saft"
)
DEPOSIT = ReceiptLine(
    LineKind.DEPOSIT, "Pfand", 1, Unit.PIECE, 25, VatRate.NORMAL, 25, "Pfand", deposit_for=1
)


def receipt() -> Receipt:
    return Receipt(
        bon_type=BonType.RECEIPT,
        lines=(EVERYTHING, BOTTLE, DEPOSIT),
        payments=(Payment(PaymentMethod.CASH, 529, tendered=1000),),
        staff=Staff("7", "Anna"),
        note="Stammkundin",
        stop="gimte",
    )


def test_a_receipt_reads_back_exactly_as_it_was_written():
    original = receipt()
    again = Receipt.from_dict(original.to_dict())
    assert again == original
    # every field of every line is there (the reader fills the lines by hand, for speed)
    names = {field.name for field in fields(ReceiptLine)}
    assert all(set(vars(line)) == names for line in again.lines)
    assert again.gross_by_rate == {VatRate.REDUCED: 355, VatRate.NORMAL: 174}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["lines"][0].update(kind="gift"), "Zeilenart 'gift' unbekannt"),
        (lambda d: d["lines"][0].update(vat="HALF"), "Steuersatz 'HALF' unbekannt"),
        (lambda d: d["lines"][0].update(unit=["kg"]), "Einheit \\['kg'\\] unbekannt"),
        (lambda d: d["payments"][0].update(method="coins"), "Zahlart 'coins' unbekannt"),
        (lambda d: d.update(bon_type="Rechnung"), "Bontyp 'Rechnung' unbekannt"),
        (lambda d: d["lines"][1].update(total="1,49"), "total must be an integer"),
        (lambda d: d.update(total=530), "is not the sum of its lines"),
    ],
)
def test_an_unreadable_receipt_is_refused_with_the_reason(change, why):
    data = receipt().to_dict()
    change(data)
    with pytest.raises((ValueError, TypeError), match=why):
        Receipt.from_dict(data)


def test_a_line_without_a_required_field_is_refused():
    data = receipt().to_dict()
    del data["lines"][1]["text"]
    with pytest.raises(KeyError):
        Receipt.from_dict(data)
