"""The document as plain text, for the receipt preview on the till's screen.

It shows what the paper will show: the same substitutions as the printer ("?" for characters
the code page lacks, controls as spaces), lines wrapped where the printer wraps them (at the
column limit, double-size lines at half of it), and the QR code as a "[QR-Code]" line.
"""

from __future__ import annotations

from .document import Document, Line
from .render import printable

QR_PLACEHOLDER = "[QR-Code]"


def text_preview(doc: Document, columns: int, *, code_page: str = "CP858") -> str:
    """``doc`` as lines of at most ``columns`` characters, joined by newlines."""
    if columns < 1:
        raise ValueError(f"Spaltenzahl {columns} muss mindestens 1 sein")
    out: list[str] = []
    for line in doc.lines:
        out.extend(_preview_line(line, columns, code_page))
    if doc.qr is not None:
        out.append(QR_PLACEHOLDER.center(columns).rstrip())
    return "\n".join(out)


def _preview_line(line: Line, columns: int, code_page: str) -> list[str]:
    text = printable(line.text, code_page)
    width = max(columns // 2, 1) if line.double else columns
    chunks = [text[i : i + width] for i in range(0, len(text), width)] or [""]
    if line.double:
        # Double-size text is centred whatever its alignment: it is the total, meant to stand out.
        return [chunk.center(columns).rstrip() for chunk in chunks]
    if line.align == "center":
        return [chunk.center(columns).rstrip() for chunk in chunks]
    if line.align == "right":
        return [chunk.rjust(columns) for chunk in chunks]
    return [chunk.rstrip() for chunk in chunks]
