"""What a scanner or the sales staff put into the till's input line, read as a scan.

The till has one input line. A keyboard-wedge scanner "types" the digits of a barcode followed
by Enter; staff type a short article number (PLU) for loose goods. Both arrive here as one
string, and ``parse_scan`` decides what it is:

* 8, 12 or 13 digits: a barcode (EAN-8, UPC-A, EAN-13). The check digit is always verified, so
  a misread never sells the wrong article. Every article code is normalised to 13 digits, so a
  UPC-A and the same code read as EAN-13 find the same article.
* 13 digits starting with a configured in-store prefix ("20".."29"): a label printed by a scale
  or by the shop, carrying an article number and a weight in grams or a price in cents.
* 1 to 5 digits: a PLU typed by staff.
* anything else: ``BarcodeError``, whose text tells the staff what went wrong, in German.

This module only reads codes. Whether the till may compute a price from a weight read off a
label is a pricing decision (see DESIGN.md, "Weights are legal only from a legal-for-trade
scale") and is not made here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from tourkasse.gtin import gtin_check_digit

InStoreKind = Literal["weight", "price"]

PLU_MAX_DIGITS = 5
"""Longest article number staff may type, and the width of the PLU field in an in-store code."""

INSTORE_VALUE_MAX = 99_999
"""Largest value a 5-digit in-store field holds: 99,999 kg or 999,99 €."""

_BARCODE_LENGTHS = (8, 12, 13)
_SHOWN_INPUT_MAX = 20
"""Garbage (a scanner in the wrong mode, a cat on the keyboard) is cut short in the message."""


class BarcodeError(ValueError):
    """An input the till cannot read; ``str()`` is the German message shown to sales staff."""


def _is_digits(text: str) -> bool:
    # str.isdigit() alone accepts "²" and Arabic-Indic digits, which int() may not read
    # and which no scanner sends.
    return text.isascii() and text.isdigit()


def _has_valid_check_digit(code: str) -> bool:
    return gtin_check_digit(code[:-1]) == int(code[-1])


def make_ean13(body12: str) -> str:
    """The full EAN-13 for 12 digits: the body with its check digit appended."""
    if len(body12) != 12 or not _is_digits(body12):
        raise ValueError(f"an EAN-13 body is 12 digits, got {body12!r}")
    return body12 + str(gtin_check_digit(body12))


@dataclass(frozen=True)
class InStorePrefix:
    """What an EAN-13 starting with ``prefix`` carries besides its article number.

    Layout of such a code: 2-digit prefix, 5-digit article number (PLU), 5-digit value (grams
    for ``"weight"``, cents for ``"price"``), check digit. GS1 leaves prefixes 20-29 to each
    shop, so which of them its scales print is configuration.
    """

    prefix: str
    kind: InStoreKind

    def __post_init__(self) -> None:
        if len(self.prefix) != 2 or not _is_digits(self.prefix) or self.prefix[0] != "2":
            raise ValueError(f"an in-store prefix is one of '20'..'29', got {self.prefix!r}")
        if self.kind not in ("weight", "price"):
            raise ValueError(f"kind must be 'weight' or 'price', got {self.kind!r}")


DEFAULT_INSTORE_PREFIXES: tuple[InStorePrefix, ...] = (
    InStorePrefix("21", "price"),
    InStorePrefix("22", "price"),
    InStorePrefix("23", "price"),
    InStorePrefix("28", "weight"),
    InStorePrefix("29", "weight"),
)
"""Only a default, to be replaced by what the shop's scales actually print.

Price-embedded labels come first because a legal-for-trade scale computes that price itself,
while a weight-embedded label leaves the price to the till, which is off by default. "20" and
"24".."27" stay free for codes a shop prints for its own fixed-price articles; such codes are
read as ordinary article codes.
"""


@dataclass(frozen=True)
class ArticleCode:
    """An EAN-13, EAN-8 or UPC-A, as 13 digits: leading zeros pad the shorter codes."""

    gtin: str

    def __post_init__(self) -> None:
        _require_gtin(self.gtin)


@dataclass(frozen=True)
class PluCode:
    """An article number typed by staff: 1 to 5 digits, without leading zeros, never "0"."""

    plu: str

    def __post_init__(self) -> None:
        _require_plu(self.plu)


@dataclass(frozen=True)
class WeighedCode:
    """A weight label: article ``plu`` (as in ``PluCode``), ``grams`` > 0, the full code read."""

    plu: str
    grams: int
    gtin: str

    def __post_init__(self) -> None:
        _require_plu(self.plu)
        _require_value(self.grams)
        _require_gtin(self.gtin)


@dataclass(frozen=True)
class PricedCode:
    """A price label: article ``plu`` (as in ``PluCode``), ``cents`` > 0, the full code read."""

    plu: str
    cents: int
    gtin: str

    def __post_init__(self) -> None:
        _require_plu(self.plu)
        _require_value(self.cents)
        _require_gtin(self.gtin)


Scan: TypeAlias = ArticleCode | PluCode | WeighedCode | PricedCode


def _require_gtin(gtin: str) -> None:
    if len(gtin) != 13 or not _is_digits(gtin) or not _has_valid_check_digit(gtin):
        raise ValueError(f"gtin must be 13 digits with a valid check digit, got {gtin!r}")


def _require_plu(plu: str) -> None:
    if not (1 <= len(plu) <= PLU_MAX_DIGITS and _is_digits(plu)) or plu[0] == "0":
        raise ValueError(f"a PLU is 1 to 5 digits without leading zeros, got {plu!r}")


def _require_value(value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"value must be an int, got {type(value).__name__}")
    if not 1 <= value <= INSTORE_VALUE_MAX:
        raise ValueError(f"value must be within 1..{INSTORE_VALUE_MAX}, got {value}")


def make_instore_code(prefix: InStorePrefix, plu: str, value: int) -> str:
    """The 13-digit label code for article ``plu`` with ``value`` grams or cents.

    ``plu`` is 1 to 5 digits and is zero-padded to 5; an all-zero PLU is refused, as it would
    name no article. Used for tests, demos and printing the shop's own labels.
    """
    if not (1 <= len(plu) <= PLU_MAX_DIGITS and _is_digits(plu)) or int(plu) == 0:
        raise ValueError(f"a PLU is 1 to 5 digits and not all zeros, got {plu!r}")
    _require_value(value)
    return make_ean13(f"{prefix.prefix}{plu:0>5}{value:05d}")


def parse_scan(text: str, instore: Sequence[InStorePrefix] = DEFAULT_INSTORE_PREFIXES) -> Scan:
    """Read one line from the input: a barcode, an in-store label, or a typed PLU.

    Surrounding whitespace, including the CR/LF a keyboard-wedge scanner sends, is ignored.
    ``instore`` says which prefixes carry a weight or a price; if a prefix is listed twice, the
    first entry wins. A 13-digit code starting with "2" whose prefix is not listed is an
    ordinary article code. Raises ``BarcodeError`` with a message for the staff otherwise.
    """
    code = text.strip()
    if not code:
        raise BarcodeError("Keine Eingabe – bitte Strichcode scannen oder PLU eingeben")
    if not _is_digits(code):
        shown = code if len(code) <= _SHOWN_INPUT_MAX else code[:_SHOWN_INPUT_MAX] + "…"
        raise BarcodeError(f"„{shown}“ ist kein Strichcode und keine PLU")
    length = len(code)
    if length <= PLU_MAX_DIGITS:
        return _parse_plu(code)
    if length not in _BARCODE_LENGTHS:
        raise BarcodeError(_wrong_length_message(length))
    if not _has_valid_check_digit(code):
        raise BarcodeError("Prüfziffer falsch – bitte erneut scannen")
    gtin = code.zfill(13)
    for entry in instore:
        if gtin.startswith(entry.prefix):
            return _parse_instore(gtin, entry.kind)
    return ArticleCode(gtin)


def _parse_plu(code: str) -> PluCode:
    plu = code.lstrip("0")
    if not plu:
        raise BarcodeError(f"PLU „{code}“ gibt es nicht – bitte Artikelnummer prüfen")
    return PluCode(plu)


def _wrong_length_message(length: int) -> str:
    if length < 8:
        return (
            f"Strichcode unvollständig ({length} Ziffern statt 8) – "
            f"eine PLU hat höchstens {PLU_MAX_DIGITS} Ziffern"
        )
    if length < 12:
        return f"Strichcode unvollständig ({length} Ziffern statt 12 oder 13)"
    return f"Strichcode zu lang ({length} Ziffern statt höchstens 13) – bitte erneut scannen"


def _parse_instore(gtin: str, kind: InStoreKind) -> WeighedCode | PricedCode:
    """Decode a label whose check digit is already verified."""
    plu = gtin[2:7].lstrip("0")
    value = int(gtin[7:12])
    if not plu:
        raise BarcodeError("Artikelnummer 0 im Waagen-Etikett – Etikett prüfen")
    if kind == "weight":
        if value == 0:
            raise BarcodeError("Gewicht 0 g im Waagen-Etikett – bitte neu wiegen")
        return WeighedCode(plu=plu, grams=value, gtin=gtin)
    if value == 0:
        raise BarcodeError("Preis 0,00 € im Etikett – bitte neu auszeichnen")
    return PricedCode(plu=plu, cents=value, gtin=gtin)
