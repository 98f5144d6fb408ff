"""Finding receipts by truck, number, date and amount, each shown as it was printed.

The hub has the journal entry of every receipt, and an entry holds all the printed receipt
showed (lines, payments, VAT, the TSE's answer or its failure), so the receipt is printed again
here from the entry alone with the truck's own text layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tourkasse.journal import Entry, EntryKind
from tourkasse.money import Cents
from tourkasse.receipt import Receipt
from tourkasse.receipt_text import ShopHeader, receipt_lines
from tourkasse.signature import TseFields

MOST = 200  # receipts shown at once; the accountant narrows the search for more


@dataclass(frozen=True)
class FoundReceipt:
    truck: str
    number: int
    at: datetime
    bon_type: str
    total: Cents
    void_of: int | None
    stop: str | None
    printed: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "truck": self.truck,
            "number": self.number,
            "at": self.at.isoformat(),
            "bon_type": self.bon_type,
            "total": self.total,
            "void_of": self.void_of,
            "stop": self.stop,
            "printed": list(self.printed),
        }


def header_for(truck: str, master: dict[str, Any] | None) -> ShopHeader:
    """The receipt's head from the master data a truck's daily closing carries (company and
    till, as the DSFinV-K export reads them); the truck's name where there is none."""
    company = (master or {}).get("company") or {}
    till = (master or {}).get("till") or {}
    return ShopHeader(
        name=str(company.get("name") or f"Verkaufswagen {truck}"),
        street=str(company.get("street") or ""),
        postcode=str(company.get("postcode") or ""),
        city=str(company.get("city") or ""),
        tax_number=str(company.get("tax_number") or "–"),
        vat_id=company.get("vat_id"),
        till_serial=str(till.get("serial") or truck),
    )


def find_receipts(
    entries: Iterable[Entry],
    *,
    number: int | None = None,
    amount: Cents | None = None,
    headers: dict[str, ShopHeader] | None = None,
    most: int = MOST,
) -> list[FoundReceipt]:
    """The receipts among ``entries`` with this number and total (either may be None)."""
    found: list[FoundReceipt] = []
    for entry in entries:
        if entry.kind is not EntryKind.RECEIPT:
            continue
        body = entry.body
        if number is not None and body.get("number") != number:
            continue
        receipt = Receipt.from_dict(body["receipt"])
        if amount is not None and receipt.total != amount:
            continue
        header = (headers or {}).get(entry.truck) or header_for(entry.truck, None)
        tse = TseFields.from_dict(body.get("tse") or {"certified": False, "description": "TSE"})
        found.append(
            FoundReceipt(
                truck=entry.truck,
                number=body["number"],
                at=entry.at,
                bon_type=receipt.bon_type.value,
                total=receipt.total,
                void_of=receipt.void_of,
                stop=receipt.stop,
                printed=tuple(receipt_lines(header, body["number"], receipt, tse, entry.at)),
            )
        )
        if len(found) >= most:
            break
    return found
