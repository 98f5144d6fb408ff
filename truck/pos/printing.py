"""Turning the receipt's text lines into a document for the printer driver."""

from __future__ import annotations

from truck.devices.printer.document import Document, Line

HEADER_LINES = 4  # shop name, street, town, tax numbers: printed centred


# Typographic characters code page 858 does not have, and what prints in their place.
PLAIN = str.maketrans(
    {"–": "-", "—": "-", "„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "…": "..."}
)


def document_for(lines: list[str], qr: str | None, *, open_drawer: bool) -> Document:
    printed: list[Line] = []
    for index, text in enumerate(line.translate(PLAIN) for line in lines):
        stripped = text.strip()
        if index == 0:
            printed.append(Line(stripped, bold=True, align="center"))
        elif index < HEADER_LINES or stripped.startswith("***"):
            printed.append(Line(stripped, bold=stripped.startswith("***"), align="center"))
        elif text.startswith("SUMME"):
            printed.append(Line(text, bold=True))
        else:
            printed.append(Line(text))
    return Document(tuple(printed), qr=qr, cut=True, open_drawer=open_drawer)
