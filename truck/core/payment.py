"""Settling a receipt: cash with tendered amount and change, card, or both."""

from __future__ import annotations

from tourkasse.money import Cents, format_eur
from tourkasse.receipt import Payment, PaymentMethod

QUICK_AMOUNTS = (500, 1000, 2000, 5000)  # the 5/10/20/50 € keys
LARGEST_NOTE = 50000  # change is always less than one 500 € note, or the amount was mistyped


class PaymentError(ValueError):
    """A payment that does not settle the receipt; str() is German for the sales staff."""


def settle(
    total: Cents, *, cash_tendered: Cents | None = None, card: Cents = 0
) -> tuple[Payment, ...]:
    """The payments that settle ``total``: card first (as confirmed by the terminal), cash for the rest.

    A negative total (only returns or empties) is paid out in cash.
    """
    if card < 0:
        raise PaymentError("Kartenbetrag darf nicht negativ sein")
    if total <= 0:
        if card:
            raise PaymentError("Auszahlungen gehen nur bar")
        return (Payment(PaymentMethod.CASH, total),)
    if card > total:
        raise PaymentError(
            f"Kartenbetrag {format_eur(card)} ist höher als der Bon {format_eur(total)}"
        )
    payments: list[Payment] = []
    if card:
        payments.append(Payment(PaymentMethod.CARD, card))
    rest = total - card
    if rest:
        if cash_tendered is None:
            raise PaymentError(f"Noch offen: {format_eur(rest)}")
        if cash_tendered < rest:
            raise PaymentError(
                f"Gegeben {format_eur(cash_tendered)} ist weniger als offen {format_eur(rest)}"
            )
        if cash_tendered - rest >= LARGEST_NOTE:
            raise PaymentError(
                f"Gegeben {format_eur(cash_tendered)} für {format_eur(rest)}? "
                "Bitte den gegebenen Betrag prüfen"
            )
        payments.append(Payment(PaymentMethod.CASH, rest, cash_tendered))
    return tuple(payments)
