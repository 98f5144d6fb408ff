"""Turn a :class:`Document` into ESC/POS bytes with python-escpos' Dummy printer.

Rendering is done once, into memory, and only the finished bytes travel to the device. So a
rendering problem can never leave half a receipt on the paper, the connection is open only for
one write, and the bytes the tests and the preview see are exactly the bytes that are sent.

Code page: python-escpos remembers which code page it last selected and skips selecting it again.
``ESC @`` (hardware init) silently puts the printer back on its default (usually CP437, where
ä/ö/ü survive but ß prints wrong and € is missing), and escpos does not know that. So after every
init we forget escpos' memory and select the code page again; text is then encoded with it
and nothing else (characters it lacks become "?"), instead of escpos' "magic" switching.

QR code: native (``GS ( k``, model 2, error correction M) whenever the profile lists the
``qrCode`` feature — the default profile does, as every Epson-compatible 80 mm printer of the last
decade does. The printer draws it in a few milliseconds and it stays sharp. Only profiles without
that feature (cheap 58 mm printers) get escpos' image fallback, a raster image (``GS v 0``).
"""

from __future__ import annotations

import unicodedata

from escpos.capabilities import BaseProfile, get_profile
from escpos.codepages import CodePages
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from .document import Document, Line

#: Paper width class by columns: below this many columns we assume 58 mm paper.
WIDE_PAPER_COLUMNS = 42
#: QR module size in dots: 4 (0.5 mm at 203 dpi) on 80 mm paper, 3 on 58 mm paper (384 dots).
QR_MODULE_WIDE = 4
QR_MODULE_NARROW = 3
#: Most bytes a QR code (version 40) holds with error correction M; a printer given more prints
#: nothing at all, so a longer payload is refused here, where it can still be reported.
QR_MAX_BYTES = 2331


def load_profile(name: str | None) -> BaseProfile:
    """The escpos capabilities profile ``name`` (None: escpos' "default"), or ValueError."""
    try:
        return get_profile(name)
    except KeyError:
        raise ValueError(f"Unbekanntes Druckerprofil {name!r} (python-escpos)") from None


def check_code_page(profile: BaseProfile, code_page: str) -> str:
    """The code page name as escpos spells it, if the profile can select it; else ValueError."""
    name = code_page.upper()
    if name not in profile.get_code_pages() or _codec(name) is None:
        raise ValueError(
            f"Codepage {code_page!r} ist im Druckerprofil {profile.profile_data['name']!r} "
            "nicht nutzbar (für Umlaute und € CP858 wählen)"
        )
    return name


def printable(text: str, code_page: str) -> str:
    """``text`` as the printer will show it: controls become spaces, unknown characters "?".

    Control characters are removed because a line of text must never carry printer commands (an
    article name with an ESC p in it would open the drawer); a newline would break the layout.
    The "?" is what escpos sends for a character the code page lacks; the preview shows it too.
    """
    codec = _codec(code_page.upper()) or "ascii"
    return "".join(_printable_char(ch, codec) for ch in text)


def _printable_char(ch: str, codec: str) -> str:
    if unicodedata.category(ch) == "Cc":
        return " "
    try:
        return ch if len(ch.encode(codec)) == 1 else "?"
    except UnicodeEncodeError:
        return "?"


def _codec(code_page: str) -> str | None:
    """Python's codec for an escpos code page (escpos encodes single bytes with it too)."""
    try:
        return CodePages.get_encoding(code_page).get("python_encode")
    except KeyError:
        return None


def qr_module_size(columns: int) -> int:
    return QR_MODULE_WIDE if columns >= WIDE_PAPER_COLUMNS else QR_MODULE_NARROW


def render(doc: Document, *, profile: str | None, code_page: str, columns: int) -> bytes:
    """The exact bytes for ``doc``: init, code page, drawer, lines, QR, cut.

    ``profile`` is the escpos profile's name: escpos takes a name (or its own ``Profile``), not
    the profile object ``load_profile`` returns.
    """
    printer = Dummy(profile=profile)
    _init(printer, code_page)
    if doc.open_drawer:
        # First, so the drawer opens while the receipt prints and the seller can give change.
        printer.cashdraw(2)
    for line in doc.lines:
        _line(printer, line, code_page)
    # Back to plain text so the QR code and the feed before the cut are not styled.
    printer.set(align="left", bold=False, normal_textsize=True)
    if doc.qr is not None:
        _qr(printer, doc.qr, qr_module_size(columns))
    if doc.cut:
        printer.cut()  # ESC d 6 (past the cutter), then GS V 0 if the profile has a cutter
    return printer.output


def _init(printer: Dummy, code_page: str) -> None:
    printer.hw("INIT")
    printer.magic.encoding = None  # ESC @ reset the printer's code page; make escpos resend it
    printer.charcode(code_page)


def _line(printer: Dummy, line: Line, code_page: str) -> None:
    # Every line states its whole style: no line depends on what the one before left behind.
    printer.set(
        align=line.align,
        bold=line.bold,
        double_width=line.double,
        double_height=line.double,
        normal_textsize=not line.double,
    )
    printer.text(printable(line.text, code_page) + "\n")


def _qr(printer: Dummy, content: str, size: int) -> None:
    if len(content.encode("utf-8")) > QR_MAX_BYTES:
        raise ValueError(f"QR-Code zu lang ({len(content)} Zeichen, höchstens {QR_MAX_BYTES})")
    if printer.profile.supports("qrCode"):
        # escpos refuses center=True for native codes; ESC a 1 centres the symbol instead.
        printer.set(align="center")
        printer.qr(content, ec=QR_ECLEVEL_M, size=size, native=True)
        printer.text("\n")
        printer.set(align="left")
        return
    pixels = printer.profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    # Centring an image needs the paper width in dots; without it escpos prints a notice instead.
    printer.qr(content, ec=QR_ECLEVEL_M, size=size, native=False, center=isinstance(pixels, int))
