"""Sorting as a German list does: "Äpfel" with the A, not after the Z."""

from __future__ import annotations

_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def german_order(text: str) -> str:
    """Sort key as a German list orders words: umlauts with their vowel, ß as ss."""
    return text.casefold().translate(_FOLD)


WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")  # by date.weekday()
WEEKDAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
