"""Money as integer cents, and the one rounding rule the shop uses.

Floats never hold money here: every amount is an ``int`` of euro cents. Rounding is
commercial ("kaufmännisch"): half away from zero, so a void (the same amounts negated)
rounds to exactly the negated figures of the original.
"""

from __future__ import annotations

import re

Cents = int

_AMOUNT = re.compile(
    r"^\s*(?P<sign>[-+]?)\s*(?P<euros>\d{1,7})(?:[.,](?P<cents>\d{1,2}))?\s*(?:€|EUR)?\s*$"
)


def divide_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero (commercial rounding)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return sign * quotient


def format_eur(cents: Cents, *, symbol: bool = True) -> str:
    """German display: ``1.234,50 €``; negative amounts keep their minus sign."""
    _require_int(cents)
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", ".")
    text = f"{sign}{grouped},{rest:02d}"
    return f"{text} €" if symbol else text


def format_plain(cents: Cents) -> str:
    """Machine form with a decimal point and exactly two decimals: ``-12.30``.

    Used in the TSE's processData and the QR code, which demand this form.
    """
    _require_int(cents)
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros}.{rest:02d}"


def parse_eur(text: str) -> Cents:
    """Read an amount typed by staff or written in a file: ``12,30``, ``12.3``, ``5 €``.

    Raises ValueError with a German message for anything else.
    """
    match = _AMOUNT.match(text)
    if match is None:
        raise ValueError(f"„{text}“ ist kein Geldbetrag (erwartet z. B. 12,30)")
    cents = int(match["euros"]) * 100 + int((match["cents"] or "0").ljust(2, "0"))
    return -cents if match["sign"] == "-" else cents


def _require_int(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"money must be integer cents, got {type(value).__name__}")
