"""The receipt as data: what was sold, how it was paid, and its figures per VAT rate.

Every line is self-contained (text, quantity, unit, price and VAT rate copied in), so a
receipt reads the same after the article list has changed. Totals are always the sum of
the lines; VAT is computed per receipt and rate from the gross sums.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from tourkasse.article import Unit
from tourkasse.money import Cents, divide_half_up
from tourkasse.vat import VatRate, vat_by_rate


class LineKind(enum.StrEnum):
    SALE = "sale"
    DEPOSIT = "deposit"  # Pfand or Kastenpfand charged with drinks
    DEPOSIT_RETURN = "deposit_return"  # Leergut taken back
    RETURN = "return"  # goods brought back


class BonType(enum.StrEnum):
    """BON_TYP of the DSFinV-K, as far as the till produces them."""

    RECEIPT = "Beleg"
    TRAINING = "AVTraining"
    ABORTED = "AVBelegabbruch"
    TRANSFER = "AVTransfer"


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    CARD = "card"

    @property
    def tse_type(self) -> str:
        return "Bar" if self is PaymentMethod.CASH else "Unbar"

    @property
    def label(self) -> str:
        return {PaymentMethod.CASH: "Bar", PaymentMethod.CARD: "Karte"}[self]


def _integer(name: str, value: Any) -> None:
    """Amounts and quantities are whole numbers (cents, grams, pieces), never True or 1.5."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")


def line_amount(quantity: int, unit: Unit, unit_price: Cents) -> Cents:
    """Gross amount of ``quantity`` at ``unit_price``; quantities of KG articles are grams."""
    if unit is Unit.KG:
        return divide_half_up(quantity * unit_price, 1000)
    return quantity * unit_price


@dataclass(frozen=True)
class PriceOverride:
    original_price: Cents
    reason: str


@dataclass(frozen=True)
class Weighing:
    """Where a weight came from. Only a legal-for-trade scale may compute the price."""

    source: str  # "scale", "barcode" or "typed"
    till_computed: bool  # True when the till, not the scale, computed the price


@dataclass(frozen=True)
class ReceiptLine:
    kind: LineKind
    text: str
    quantity: int  # pieces, or grams for Unit.KG; negative on returns
    unit: Unit
    unit_price: Cents  # gross per piece or per kg, before a discount
    vat_rate: VatRate
    total: Cents  # gross amount of the line after its discount
    group: str
    article_no: str | None = None
    gtin: str | None = None
    discount: Cents = 0  # taken off the line's amount; positive on a sale
    override: PriceOverride | None = None
    weighing: Weighing | None = None
    deposit_for: int | None = None  # index of the drink line a deposit belongs to
    age_limit: int | None = None
    department: str | None = None

    def __post_init__(self) -> None:
        for name in ("quantity", "unit_price", "total", "discount"):
            _integer(name, getattr(self, name))


@dataclass(frozen=True)
class Payment:
    method: PaymentMethod
    amount: Cents  # what this payment contributes to the receipt (negative when paid out)
    tendered: Cents | None = None  # cash handed over by the customer

    def __post_init__(self) -> None:
        _integer("amount", self.amount)
        if self.tendered is not None:
            _integer("tendered", self.tendered)

    @property
    def change(self) -> Cents:
        if self.tendered is None:
            return 0
        return self.tendered - self.amount


@dataclass(frozen=True)
class Staff:
    number: str
    name: str


@dataclass(frozen=True)
class Receipt:
    bon_type: BonType
    lines: tuple[ReceiptLine, ...]
    payments: tuple[Payment, ...] = ()
    staff: Staff | None = None
    void_of: int | None = None  # the receipt number this receipt voids (BON_STORNO)
    note: str = ""
    stop: str | None = None
    order: str | None = None  # the number of the order this sale hands over ("abgeholt")

    @property
    def total(self) -> Cents:
        return sum(line.total for line in self.lines)

    @property
    def gross_by_rate(self) -> dict[VatRate, Cents]:
        sums: dict[VatRate, Cents] = {}
        for line in self.lines:
            sums[line.vat_rate] = sums.get(line.vat_rate, 0) + line.total
        return sums

    @property
    def vat_by_rate(self) -> dict[VatRate, Cents]:
        return vat_by_rate(self.gross_by_rate)

    @property
    def paid(self) -> Cents:
        return sum(payment.amount for payment in self.payments)

    @property
    def change(self) -> Cents:
        return sum(payment.change for payment in self.payments)

    @property
    def is_void(self) -> bool:
        return self.void_of is not None

    @property
    def counts_as_turnover(self) -> bool:
        return self.bon_type is BonType.RECEIPT

    def tse_payments(self) -> list[tuple[Cents, str]]:
        return [(p.amount, p.method.tse_type) for p in self.payments if p.amount]

    def voided(self) -> Receipt:
        """The void of this receipt: the same lines and payments with negated amounts."""
        lines = tuple(
            replace(line, quantity=-line.quantity, total=-line.total, discount=-line.discount)
            for line in self.lines
        )
        payments = tuple(Payment(p.method, -p.amount) for p in self.payments)
        return replace(self, lines=lines, payments=payments, note="", order=None)

    def to_dict(self) -> dict[str, Any]:
        return receipt_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Receipt:
        return receipt_from_dict(data)


def _line_to_dict(line: ReceiptLine) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": line.kind.value,
        "text": line.text,
        "quantity": line.quantity,
        "unit": line.unit.value,
        "unit_price": line.unit_price,
        "vat": line.vat_rate.name,
        "total": line.total,
        "group": line.group,
    }
    optional = {
        "article_no": line.article_no,
        "gtin": line.gtin,
        "discount": line.discount or None,
        "deposit_for": line.deposit_for,
        "age_limit": line.age_limit,
        "department": line.department,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    if line.override is not None:
        data["override"] = {
            "original_price": line.override.original_price,
            "reason": line.override.reason,
        }
    if line.weighing is not None:
        data["weighing"] = {
            "source": line.weighing.source,
            "till_computed": line.weighing.till_computed,
        }
    return data


# Reading receipts back is the hub's daily bread (every receipt of every truck): a dict lookup
# is several times faster than calling the enum.
_M = TypeVar("_M")
_LINE_KINDS = {kind.value: kind for kind in LineKind}
_UNITS = {unit.value: unit for unit in Unit}
_VAT_RATES = {rate.name: rate for rate in VatRate}
_BON_TYPES = {bon_type.value: bon_type for bon_type in BonType}
_PAYMENT_METHODS = {method.value: method for method in PaymentMethod}


def _member(members: dict[Any, _M], value: Any, what: str) -> _M:
    try:
        return members[value]
    except (KeyError, TypeError):  # TypeError: a list or an object where a word belongs
        raise ValueError(f"{what} {value!r} unbekannt") from None


def _line_from_dict(data: dict[str, Any]) -> ReceiptLine:
    override = data.get("override")
    weighing = data.get("weighing")
    # A frozen dataclass's __init__ sets its 16 fields one by one through object.__setattr__,
    # eight times slower than filling the new line's __dict__ at once, and the hub reads every
    # line of every truck's receipts. __post_init__ still checks the amounts; a test holds
    # this to the dataclass's fields.
    line = object.__new__(ReceiptLine)
    line.__dict__.update(
        kind=_member(_LINE_KINDS, data["kind"], "Zeilenart"),
        text=data["text"],
        quantity=data["quantity"],
        unit=_member(_UNITS, data["unit"], "Einheit"),
        unit_price=data["unit_price"],
        vat_rate=_member(_VAT_RATES, data["vat"], "Steuersatz"),
        total=data["total"],
        group=data["group"],
        article_no=data.get("article_no"),
        gtin=data.get("gtin"),
        discount=data.get("discount", 0),
        override=PriceOverride(**override) if override else None,
        weighing=Weighing(**weighing) if weighing else None,
        deposit_for=data.get("deposit_for"),
        age_limit=data.get("age_limit"),
        department=data.get("department"),
    )
    line.__post_init__()
    return line


def receipt_to_dict(receipt: Receipt) -> dict[str, Any]:
    data: dict[str, Any] = {
        "bon_type": receipt.bon_type.value,
        "lines": [_line_to_dict(line) for line in receipt.lines],
        "payments": [
            {"method": p.method.value, "amount": p.amount}
            | ({"tendered": p.tendered} if p.tendered is not None else {})
            for p in receipt.payments
        ],
        "total": receipt.total,
        "vat": [
            {"rate": rate.name, "gross": gross, "vat": receipt.vat_by_rate[rate]}
            for rate, gross in sorted(receipt.gross_by_rate.items(), key=lambda kv: -kv[0].value)
        ],
    }
    if receipt.staff is not None:
        data["staff"] = {"number": receipt.staff.number, "name": receipt.staff.name}
    if receipt.void_of is not None:
        data["void_of"] = receipt.void_of
    if receipt.note:
        data["note"] = receipt.note
    if receipt.stop is not None:
        data["stop"] = receipt.stop
    if receipt.order is not None:
        data["order"] = receipt.order
    return data


def receipt_from_dict(data: dict[str, Any]) -> Receipt:
    staff = data.get("staff")
    receipt = Receipt(
        bon_type=_member(_BON_TYPES, data["bon_type"], "Bontyp"),
        lines=tuple(_line_from_dict(line) for line in data["lines"]),
        payments=tuple(
            Payment(
                _member(_PAYMENT_METHODS, p["method"], "Zahlart"), p["amount"], p.get("tendered")
            )
            for p in data["payments"]
        ),
        staff=Staff(**staff) if staff else None,
        void_of=data.get("void_of"),
        note=data.get("note", ""),
        stop=data.get("stop"),
        order=data.get("order"),
    )
    if "total" in data and data["total"] != receipt.total:
        raise ValueError(
            f"receipt total {data['total']} is not the sum of its lines {receipt.total}"
        )
    return receipt


@dataclass(frozen=True, slots=True)
class ReceiptSums:
    """The figures of a receipt that turnover is made of."""

    bon_type: BonType
    stop: str | None
    total: Cents
    is_void: bool
    gross_by_rate: dict[VatRate, Cents]
    payments: tuple[tuple[PaymentMethod, Cents], ...]

    @property
    def counts_as_turnover(self) -> bool:
        return self.bon_type is BonType.RECEIPT


def receipt_sums(data: dict[str, Any]) -> ReceiptSums:
    """The turnover figures of a receipt in its journal form, without building the Receipt.

    The hub reads every receipt of every truck as it arrives, and building the receipt with its
    lines costs several times more than these few sums. It refuses exactly what
    :func:`receipt_from_dict` refuses, with the same exceptions (a property test holds the two
    together), so every receipt the hub has taken can be read in full later.
    """
    bon_type = _member(_BON_TYPES, data["bon_type"], "Bontyp")
    # summed by the rate's name, a plain string: hashing an enum member runs Python code
    gross: dict[str, Cents] = {}
    total = 0
    for line in data["lines"]:
        try:  # the usual case in one test; the slow way below says what is wrong, in order
            known = (
                line["kind"] in _LINE_KINDS and line["unit"] in _UNITS and line["vat"] in _VAT_RATES
            )
        except (KeyError, TypeError):
            known = False
        if not known:
            _member(_LINE_KINDS, line["kind"], "Zeilenart")
            _member(_UNITS, line["unit"], "Einheit")
            _member(_VAT_RATES, line["vat"], "Steuersatz")
        rate = line["vat"]
        line["text"], line["group"]  # required, as receipt_from_dict has them
        amount, quantity, price = line["total"], line["quantity"], line["unit_price"]
        discount = line.get("discount", 0)
        # type(x) is int: the test of _integer for what JSON holds (bool is its own type)
        if not (type(amount) is type(quantity) is type(price) is type(discount) is int):
            for name, value in (("quantity", quantity), ("unit_price", price)):
                _integer(name, value)
            _integer("total", amount)
            _integer("discount", discount)
        if override := line.get("override"):
            PriceOverride(**override)
        if weighing := line.get("weighing"):
            Weighing(**weighing)
        gross[rate] = gross.get(rate, 0) + amount
        total += amount
    payments = []
    for payment in data["payments"]:
        amount, tendered = payment["amount"], payment.get("tendered")
        _integer("amount", amount)
        if tendered is not None:
            _integer("tendered", tendered)
        payments.append((_member(_PAYMENT_METHODS, payment["method"], "Zahlart"), amount))
    if staff := data.get("staff"):
        Staff(**staff)
    if "total" in data and data["total"] != total:
        raise ValueError(f"receipt total {data['total']} is not the sum of its lines {total}")
    by_rate = {_VAT_RATES[name]: amount for name, amount in gross.items()}
    return ReceiptSums(
        bon_type, data.get("stop"), total, data.get("void_of") is not None, by_rate, tuple(payments)
    )
