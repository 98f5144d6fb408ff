"""The on-screen preview: what the paper will show, as plain text."""

from __future__ import annotations

from truck.devices.printer import Document, Line, text_preview


def test_a_receipt_preview(receipt):
    assert text_preview(receipt, 32).splitlines() == [
        "     Tourkasse Bäckerwagen",
        "Brötchen 6 x 0,45    2,70 €",
        "Käse 250 g           3,24 €",
        "Weißwein 0,75 l      6,28 €",
        "         SUMME 12,22 €",
        "        Grüße aus Ödland",
        "           [QR-Code]",
    ]


def test_right_alignment_and_wrapping_at_the_column_limit():
    doc = Document((Line("Summe 3,24 €", align="right"), Line("x" * 45)))
    assert text_preview(doc, 42).splitlines() == [" " * 30 + "Summe 3,24 €", "x" * 42, "xxx"]


def test_double_size_lines_wrap_at_half_the_columns_and_are_centred():
    doc = Document((Line("1234567890ABCDEFGHIJ", double=True),))
    assert text_preview(doc, 32).splitlines() == ["        1234567890ABCDEF", "              GHIJ"]


def test_the_preview_shows_what_the_printer_cannot_print():
    doc = Document((Line("Łódź\tMilch"),), qr=None)
    assert text_preview(doc, 42) == "?ód? Milch"


def test_empty_lines_stay():
    doc = Document((Line("a"), Line(""), Line("b")))
    assert text_preview(doc, 32) == "a\n\nb"
