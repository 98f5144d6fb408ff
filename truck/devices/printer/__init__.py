"""Receipt printer driver: ESC/POS through python-escpos, code page CP858, native QR codes.

Standalone on purpose (standard library, python-escpos and pyserial only): the till hands it a
:class:`Document` it has laid out, and gets either a printed receipt or a :class:`PrinterError`
with a German sentence for the seller.
"""

from .document import Document, Line
from .preview import text_preview
from .printer import Kind, PrinterSettings, ReceiptPrinter
from .status import PrinterError, PrinterState

__all__ = [
    "Document",
    "Kind",
    "Line",
    "PrinterError",
    "PrinterSettings",
    "PrinterState",
    "ReceiptPrinter",
    "text_preview",
]
