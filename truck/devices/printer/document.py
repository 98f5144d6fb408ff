"""What the till wants printed: lines of text with a little styling, a QR code, cut, drawer.

The till lays the receipt out (columns, prices right-aligned, the mandatory fiscal fields); the
driver only renders a :class:`Document`. Keeping the layout out of the driver lets the same
document go to the paper, to the on-screen preview and into a test as exact bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Align = Literal["left", "center", "right"]
ALIGNMENTS: tuple[str, ...] = get_args(Align)


@dataclass(frozen=True)
class Line:
    """One printed line. ``double`` is double width and double height (half the columns)."""

    text: str
    bold: bool = False
    double: bool = False
    align: Align = "left"

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Zeilentext muss ein str sein, nicht {type(self.text).__name__}")
        if self.align not in ALIGNMENTS:
            raise ValueError(f"Unbekannte Ausrichtung {self.align!r} (erlaubt: {ALIGNMENTS})")


@dataclass(frozen=True)
class Document:
    """A receipt (or a drawer kick) as the till wants it printed.

    ``qr`` is printed centred below the lines (the KassenSichV ``V0;…`` string); ``cut`` feeds the
    paper past the cutter and cuts; ``open_drawer`` kicks the cash drawer on pin 2.
    """

    lines: tuple[Line, ...]
    qr: str | None = None
    cut: bool = True
    open_drawer: bool = False

    def __post_init__(self) -> None:
        # A list passed by mistake would make the frozen document mutable after all.
        object.__setattr__(self, "lines", tuple(self.lines))
        for line in self.lines:
            if not isinstance(line, Line):
                raise TypeError(f"Dokumentzeilen müssen Line sein, nicht {type(line).__name__}")
        if self.qr is not None and not self.qr:
            raise ValueError("Leerer QR-Code: qr weglassen (None) statt einen leeren Text geben")
