"""The GS1 check digit, shared by the scanner's input line and the article list's check."""

from __future__ import annotations


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit for the digits that precede it.

    Weights alternate 3, 1, 3, ... starting from the rightmost digit of the body, so the same
    function serves EAN-13 (body of 12), EAN-8 (body of 7), UPC-A (body of 11) and any GTIN
    padded with leading zeros.
    """
    if not body or not (body.isascii() and body.isdigit()):
        raise ValueError(f"body must be one or more ASCII digits, got {body!r}")
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """A 13-digit EAN as the truck stores it, with a correct check digit."""
    return (
        len(code) == 13
        and code.isascii()
        and code.isdigit()
        and (gtin_check_digit(code[:-1]) == int(code[-1]))
    )
