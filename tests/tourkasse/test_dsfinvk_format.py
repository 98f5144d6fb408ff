"""The DSFinV-K files' format, and the checker catching what a broken export would look like."""

from __future__ import annotations

import pytest

from tests.support.dsfinvk_check import check_export, reference_tables
from tests.tourkasse.test_dsfinvk import journal
from tourkasse.dsfinvk import make_export
from tourkasse.dsfinvk.tables import Column, tables
from tourkasse.dsfinvk.values import Dec, FormatError, number_text, text_value

AMOUNT = Column("BETRAG", True, None, 2, "")
VAT = Column("UST", True, None, 5, "")
TEXT = Column("TEXT", False, 10, 0, "")


def test_numbers_have_a_decimal_comma_and_exactly_their_places():
    assert number_text(Dec(-1234, 2), AMOUNT) == "-12,34"
    assert number_text(Dec(5, 2), AMOUNT) == "0,05"
    assert number_text(Dec(-5, 2), VAT) == "-0,05000"
    assert number_text(Dec(1250, 3), Column("MENGE", True, None, 3, "")) == "1,250"
    assert number_text(7, Column("Z_NR", True, None, 0, "")) == "7"
    assert number_text(None, AMOUNT) == ""
    with pytest.raises(FormatError):  # never rounded silently
        number_text(Dec(12345, 3), AMOUNT)


def test_text_is_quoted_kept_on_one_line_and_cut_to_its_length_with_a_note():
    notes: list[str] = []
    assert text_value('Saft "Bio"', TEXT, notes) == '"Saft ""Bio"""'
    assert text_value("zwei\r\nZeilen", Column("T", False, 50, 0, ""), notes) == '"zwei Zeilen"'
    assert notes == []
    assert text_value("Mineralwasser still", TEXT, notes) == '"Mineralwa"'[:1] + "Mineralwas" + '"'
    assert notes == ["TEXT: „Mineralwasser still…“ auf 10 Zeichen gekürzt"]


def test_the_writers_tables_are_the_references():
    """Names, order, types and places of all twenty files as the reference copies have them."""
    reference = reference_tables()
    assert [t.file for t in tables()][:14] == list(reference)[:14]
    for table in tables():
        assert [
            (c.name, c.numeric, c.places, c.max_length if not c.numeric else None)
            for c in table.columns
        ] == [(c.name, c.numeric, c.places, c.max_length) for c in reference[table.file]]


def broken(files: dict[str, bytes], name: str, old: bytes, new: bytes) -> dict[str, bytes]:
    assert old in files[name], old
    return {**files, name: files[name].replace(old, new, 1)}


@pytest.mark.parametrize(
    ("name", "old", "new", "problem"),
    [
        ("lines.csv", b"\r\n", b"\n", "CRLF"),
        ("transactions.csv", b"BON_NR;BON_TYP", b"BON_TYP;BON_NR", "laut Referenz"),
        ("payment.csv", b"88,00", b"88,01", "payment.csv"),
        ("businesscases.csv", b"0,52000", b"0,53000", "businesscases.csv"),
        ("lines_vat.csv", b";1;3,78000;3,18000;0,60000", b";1;3,78000;3,18000;0,61000", "transactions_vat.csv"),
        ("payment.csv", b"88,00", b"88,0", "Nachkommastellen"),
        ("lines.csv", b'"Umsatz"', b"Umsatz", "ohne Anführungszeichen"),
        ("references.csv", b'"Transaktion"', b'"ExterneSonstige"', "ohne Verweis"),
        ("references.csv", b";1;\"2\"", b";2;\"2\"", "nicht im Abschluss"),
        ("lines.csv", "Äpfel".encode(), "Äpfel".encode("latin-1"), "UTF-8"),
        ("index.xml", b"<UTF8 />", b"<UTF8>ja</UTF8>", "muss leer sein"),
        ("index.xml", b"<Name>Z_UST</Name>", b"<Name>Z_UMS_UST</Name>", "Spalten der Referenz"),
        ("cashpointclosing.csv", b'"Z1-Differenz"', b'"Z1-Diff"', "kein Vorgang"),
        ("transactions_tse.csv", b'"c2lnbmF0dXJl2"', b'""', "ohne Signatur"),
    ],
)  # fmt: skip
def test_the_checker_finds_a_broken_export(name, old, new, problem):
    entries = journal().entries
    files = make_export(entries).files
    check_export(files, entries)  # sound as written
    with pytest.raises(AssertionError, match=problem):
        check_export(broken(files, name, old, new), entries)


def test_the_checker_compares_with_the_journal():
    entries = journal().entries
    files = make_export(entries).files
    one_receipt_less = [e for e in entries if e.body.get("number") != 8]
    with pytest.raises(AssertionError, match=r"Abschluss 2: Umsatz je Steuersatz"):
        check_export(files, one_receipt_less)


def test_every_file_must_be_there():
    files = make_export(journal().entries).files
    for name in ("subitems.csv", "index.xml", "gdpdu-01-09-2004.dtd"):
        with pytest.raises(AssertionError, match=f"{name} fehlt"):
            check_export({k: v for k, v in files.items() if k != name})
