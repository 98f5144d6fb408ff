"""The bytes of a receipt, exactly: code page CP858, styles, native QR code, cut and drawer."""

from __future__ import annotations

import re

import pytest

from truck.devices.printer import Document, Line, PrinterError, ReceiptPrinter

from .conftest import QR

ESC_AT = b"\x1b@"
CP858 = b"\x1bt\x13"  # ESC t 19
DRAWER = b"\x1bp\x00\x32\x32"  # ESC p, pin 2, 100 ms on, 100 ms off
CUT = b"\x1bd\x06\x1dV\x00"  # feed six lines past the cutter, GS V 0 full cut
ALIGN = {"left": 0, "center": 1, "right": 2}


def style(align: str = "left", bold: bool = False, double: bool = False) -> bytes:
    """What escpos' set() sends for one line: size (via ESC !), bold (ESC E), alignment (ESC a)."""
    size = b"\x1b!\x30" if double else b"\x1b!\x00"
    return (
        b"\x1b!\x00\x1b!\x00" + size + b"\x1bE" + bytes([bold]) + b"\x1ba" + bytes([ALIGN[align]])
    )


def native_qr(payload: bytes, module: int) -> bytes:
    """GS ( k: model 2, module size, error correction M, store the data, print it."""
    stored = len(payload) + 3
    return (
        b"\x1d(k\x04\x001A2\x00"
        + b"\x1d(k\x03\x001C"
        + bytes([module])
        + b"\x1d(k\x03\x001E1"
        + b"\x1d(k"
        + bytes([stored % 256, stored // 256])
        + b"1P0"
        + payload
        + b"\x1d(k\x03\x001Q0"
    )


@pytest.fixture
def printer() -> ReceiptPrinter:
    return ReceiptPrinter.from_settings("none")


def test_a_receipt_renders_to_exactly_these_bytes(printer, receipt):
    expected = (
        ESC_AT
        + CP858
        + DRAWER
        + style("center", bold=True)
        + b"Tourkasse B\x84ckerwagen\n"
        + style()
        + b"Br\x94tchen 6 x 0,45    2,70 \xd5\n"
        + style()
        + b"K\x84se 250 g           3,24 \xd5\n"
        + style()
        + b"Wei\xe1wein 0,75 l      6,28 \xd5\n"
        + style("right", bold=True, double=True)
        + b"SUMME 12,22 \xd5\n"
        + style("center")
        + b"Gr\x81\xe1e aus \x99dland\n"
        + b"\x1b!\x00\x1b!\x00\x1b!\x00\x1bE\x00\x1ba\x00"  # back to plain before the QR code
        + b"\x1ba\x01"
        + native_qr(QR.encode("ascii"), module=4)
        + b"\n\x1ba\x00"
        + CUT
    )
    assert printer.render_bytes(receipt) == expected


def test_the_code_page_is_selected_after_every_init(printer, receipt):
    data = printer.render_bytes(receipt)
    inits = [m.start() for m in re.finditer(re.escape(ESC_AT), data)]
    assert inits == [0]
    for at in inits:
        assert data[at + 2 : at + 5] == CP858


def test_umlauts_sharp_s_and_euro_are_cp858_bytes(printer):
    data = printer.render_bytes(Document((Line("ä ö ü ß Ä Ö Ü €"),), cut=False))
    assert b"\x84 \x94 \x81 \xe1 \x8e \x99 \x9a \xd5\n" in data
    assert "ü".encode("cp858") == b"\x81"
    assert "€".encode("cp858") == b"\xd5"
    assert b"\xc3" not in data  # no UTF-8 slipped through


def test_characters_cp858_lacks_print_as_question_marks(printer):
    data = printer.render_bytes(Document((Line("Łódź 😀"),), cut=False))
    assert b"?\xa2d? ?\n" in data
    assert data.count(b"\x1bt") == 1  # escpos' automatic code page switching stays off


def test_control_characters_in_text_cannot_smuggle_commands(printer):
    data = printer.render_bytes(Document((Line("Milch\x1bp\x00\x32\x32\nKakao\t1"),), cut=False))
    assert b"Milch p 22 Kakao 1\n" in data
    assert b"\x1bp" not in data


def test_the_qr_payload_goes_out_natively(printer, receipt):
    data = printer.render_bytes(receipt)
    assert b"\x1d(k" in data
    assert QR.encode("ascii") in data
    assert b"\x1dv0" not in data  # no raster image


@pytest.mark.parametrize(
    ("cut", "drawer"), [(True, True), (True, False), (False, True), (False, False)]
)
def test_cut_and_drawer_appear_exactly_when_asked(printer, cut, drawer):
    data = printer.render_bytes(Document((Line("Danke"),), cut=cut, open_drawer=drawer))
    assert data.count(b"\x1dV") == (1 if cut else 0)
    assert data.count(b"\x1bp") == (1 if drawer else 0)
    assert data.endswith(CUT) is cut


def test_a_drawer_kick_alone(printer):
    data = printer.render_bytes(Document((), cut=False, open_drawer=True))
    assert data == ESC_AT + CP858 + DRAWER + b"\x1b!\x00\x1b!\x00\x1b!\x00\x1bE\x00\x1ba\x00"


def test_58mm_paper_gets_a_smaller_qr_module():
    narrow = ReceiptPrinter.from_settings("none", columns=32)
    doc = Document((Line("Summe 1,00 €"),), qr=QR)
    assert narrow.columns == 32
    assert qr_module_in(narrow.render_bytes(doc)) == 3
    assert qr_module_in(ReceiptPrinter.from_settings("none").render_bytes(doc)) == 4


def qr_module_in(data: bytes) -> int:
    at = data.index(b"\x1d(k\x03\x001C")
    return data[at + 7]


def test_a_profile_without_native_qr_gets_a_raster_image():
    cheap = ReceiptPrinter.from_settings("none", columns=32, profile="POS-5890")
    data = cheap.render_bytes(Document((Line("Grüße"),), qr=QR))
    # This profile lists CP858 in two slots, 19 and 53; escpos uses the last one it reads.
    assert data.startswith(ESC_AT + b"\x1bt\x35")
    assert b"Gr\x81\xe1e\n" in data
    assert b"\x1d(k" not in data
    assert b"\x1dv0" in data  # GS v 0 raster bit image
    assert b"\x1dV" not in data  # and this printer has no cutter: feed only


def test_an_unprintable_qr_payload_is_a_printer_error(printer):
    with pytest.raises(PrinterError) as caught:
        printer.render_bytes(Document((), qr="x" * 2332))
    assert "Bon konnte nicht aufbereitet werden" in str(caught.value)
    assert "QR-Code zu lang" in str(caught.value)
    assert printer.render_bytes(Document((), qr="x" * 2331))


def test_documents_are_frozen_and_checked():
    doc = Document([Line("a")])  # type: ignore[arg-type]
    assert doc.lines == (Line("a"),)
    with pytest.raises(ValueError, match="Ausrichtung"):
        Line("a", align="middle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="QR"):
        Document((), qr="")
    with pytest.raises(TypeError):
        Document(("text",))  # type: ignore[arg-type]
