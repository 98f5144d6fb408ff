"""A sale that hands over an order names it: in its journal data, and on the printed receipt."""

from __future__ import annotations

from datetime import UTC, datetime

from tourkasse.article import Unit
from tourkasse.receipt import (
    BonType,
    LineKind,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptLine,
)
from tourkasse.receipt_text import ShopHeader, receipt_lines
from tourkasse.signature import TseFields
from tourkasse.vat import VatRate

SHOP = ShopHeader(
    "Dorfladen mobil", "Hauptstr. 1", "37603", "Holzminden", "12/345/67890", None, "K1"
)
TSE = TseFields(certified=False, description="TSE ausgefallen", failure="TSE ausgefallen")


def order_sale() -> Receipt:
    apples = ReceiptLine(LineKind.SALE, "Äpfel", 372, Unit.KG, 299, VatRate.REDUCED, 111, "Obst")
    return Receipt(
        BonType.RECEIPT, (apples,), (Payment(PaymentMethod.CASH, 111),), stop="heim", order="B-17"
    )


def test_the_order_is_kept_in_the_receipts_data_and_printed():
    sale = order_sale()
    assert Receipt.from_dict(sale.to_dict()).order == "B-17"
    printed = receipt_lines(SHOP, 4, sale, TSE, datetime(2026, 12, 8, 9, 30, tzinfo=UTC))
    assert "Bestellung: B-17" in printed
    assert printed.index("Haltestelle: heim") < printed.index("Bestellung: B-17")


def test_a_receipt_without_order_says_nothing_of_one_and_its_void_does_not_hand_it_over():
    plain = Receipt.from_dict({**order_sale().to_dict(), "order": None})
    assert "order" not in plain.to_dict()
    printed = receipt_lines(SHOP, 5, plain, TSE, datetime(2026, 12, 8, 9, 31, tzinfo=UTC))
    assert not any(line.startswith("Bestellung") for line in printed)
    assert order_sale().voided().order is None
