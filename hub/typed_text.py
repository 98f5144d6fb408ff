"""Text typed into a form (a reason, a name, an order's note), made fit to be shown on a board,
printed on a timetable or sent to a truck; used by the web and by the services behind it."""

from __future__ import annotations

import unicodedata


def one_line(text: str) -> str:
    """``text`` without control and format characters (a NUL, a right-to-left override that
    would turn a printed timetable around) and with its spaces collapsed."""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"
    )
    return " ".join(kept.split())
