"""processData of processType ``Kassenbeleg-V1``: what the TSE signs about a receipt.

Form (DSFinV-K, see reference/fiscal.md)::

    <BON_TYP>^<19 %>_<7 %>_<10.7 %>_<5.5 %>_<0 %>^<amount>:<Bar|Unbar>[:<currency>]_…

e.g. ``Beleg^2.90_0.00_0.00_0.00_2.10^5.00:Unbar``. All five rate slots are always present with
exactly two decimals; the shop only uses 19 %, 7 % and 0 %, the 10.7 % and 5.5 % slots (farmers'
flat rates) stay 0.00. The currency is omitted for EUR, the only one we take.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from tourkasse.money import format_plain
from tourkasse.vat import VatRate

PROCESS_TYPE = "Kassenbeleg-V1"

BON_TYPES: tuple[str, ...] = (
    "Beleg",
    "AVTransfer",
    "AVBestellung",
    "AVTraining",
    "AVBelegstorno",
    "AVBelegabbruch",
    "AVSachbezug",
    "AVSonstige",
    "AVRechnung",
)

PAYMENT_TYPES: tuple[str, ...] = ("Bar", "Unbar")  # also the order in processData

# The five slots in their fixed order; None marks the rates the shop never uses.
_SLOTS: tuple[VatRate | None, ...] = (VatRate.NORMAL, VatRate.REDUCED, None, None, VatRate.ZERO)

_AMOUNT = r"-?\d+\.\d{2}"
_AMOUNT_RE = re.compile(_AMOUNT)
_PAYMENT_RE = re.compile(
    rf"(?P<amount>{_AMOUNT}):(?P<type>[A-Za-z]+)(?::(?P<currency>[A-Z]{{3}}))?"
)


def build_process_data(
    bon_typ: str,
    gross_by_rate: Mapping[VatRate, int],
    payments: Sequence[tuple[int, str]],
) -> str:
    """The processData string for a receipt.

    ``gross_by_rate`` holds gross cents per rate (missing rates are 0.00); ``payments`` are
    ``(cents, "Bar" | "Unbar")``. Payments of one type are merged into one, Bar before Unbar,
    because processData lists amounts per payment type, not single tenders.
    """
    if bon_typ not in BON_TYPES:
        raise ValueError(f"unbekannter BON_TYP „{bon_typ}“ (erlaubt: {', '.join(BON_TYPES)})")
    for rate in gross_by_rate:
        if not isinstance(rate, VatRate):
            raise ValueError(f"unbekannter Steuersatz {rate!r}")
    amounts = "_".join(
        format_plain(gross_by_rate.get(rate, 0)) if rate is not None else format_plain(0)
        for rate in _SLOTS
    )
    merged: dict[str, int] = {}
    for cents, payment_type in payments:
        if payment_type not in PAYMENT_TYPES:
            raise ValueError(f"unbekannte Zahlart „{payment_type}“ (erlaubt: Bar, Unbar)")
        format_plain(cents)  # refuses anything but integer cents, before it is summed
        merged[payment_type] = merged.get(payment_type, 0) + cents
    paid = "_".join(
        f"{format_plain(merged[kind])}:{kind}" for kind in PAYMENT_TYPES if kind in merged
    )
    return f"{bon_typ}^{amounts}^{paid}"


def parse_process_data(
    text: str,
) -> tuple[str, dict[VatRate, int], list[tuple[int, str]]]:
    """Read a ``Kassenbeleg-V1`` processData back: (BON_TYP, gross per rate, payments).

    The dict always holds the three rates the shop uses. Raises ValueError for anything that
    is not well-formed, for amounts at 10.7 % or 5.5 % and for foreign currencies.
    """
    parts = text.split("^")
    if len(parts) != 3:
        raise ValueError(f"processData braucht drei Teile getrennt durch ^: {text!r}")
    bon_typ, amounts_text, payments_text = parts
    if bon_typ not in BON_TYPES:
        raise ValueError(f"unbekannter BON_TYP „{bon_typ}“")
    amounts = amounts_text.split("_")
    if len(amounts) != len(_SLOTS) or not all(_AMOUNT_RE.fullmatch(a) for a in amounts):
        raise ValueError(f"processData braucht fünf Beträge mit zwei Nachkommastellen: {text!r}")
    gross: dict[VatRate, int] = {}
    for rate, amount in zip(_SLOTS, amounts, strict=True):
        cents = _cents(amount)
        if rate is None:
            if cents != 0:
                raise ValueError(f"Steuersätze 10,7 % und 5,5 % werden nicht geführt: {text!r}")
        else:
            gross[rate] = cents
    payments: list[tuple[int, str]] = []
    for item in payments_text.split("_") if payments_text else []:
        match = _PAYMENT_RE.fullmatch(item)
        if match is None or match["type"] not in PAYMENT_TYPES:
            raise ValueError(f"unlesbare Zahlung „{item}“ in processData")
        if match["currency"] not in (None, "EUR"):
            raise ValueError(f"Fremdwährung {match['currency']} wird nicht geführt")
        payments.append((_cents(match["amount"]), match["type"]))
    return bon_typ, gross, payments


def _cents(amount: str) -> int:
    negative = amount.startswith("-")
    euros, cents = amount.lstrip("-").split(".")
    value = int(euros) * 100 + int(cents)
    return -value if negative else value
