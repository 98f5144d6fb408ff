"""File, serial (over a pty), USB and no printer at all; settings the till may get wrong."""

from __future__ import annotations

import os

import pytest

from truck.devices.printer import (
    Document,
    Line,
    PrinterError,
    PrinterState,
    ReceiptPrinter,
    simulator,
)
from truck.devices.printer.simulator import SerialPrinterSimulator


def test_a_file_printer_appends(tmp_path, receipt):
    path = tmp_path / "bons.bin"
    path.write_bytes(b"alt")
    printer = ReceiptPrinter.from_settings("file", path=str(path))
    printer.print_document(receipt)
    printer.print_document(receipt)
    assert path.read_bytes() == b"alt" + 2 * printer.render_bytes(receipt)
    assert printer.status() is PrinterState.UNKNOWN


def test_a_file_printer_creates_its_file(tmp_path, receipt):
    path = tmp_path / "bons.bin"
    printer = ReceiptPrinter.from_settings("file", path=str(path), columns=32)
    printer.print_document(receipt)
    assert path.read_bytes() == printer.render_bytes(receipt)


def test_a_missing_directory_is_a_missing_printer(tmp_path, receipt):
    where = str(tmp_path / "fehlt" / "lp0")
    printer = ReceiptPrinter.from_settings("file", path=where)
    with pytest.raises(PrinterError) as caught:
        printer.print_document(receipt)
    assert caught.value.state is PrinterState.OFFLINE
    assert str(caught.value) == (
        f"Drucker nicht gefunden ({where}) – Kabel prüfen; Bon kann später gedruckt werden"
    )


def test_a_missing_device_file_is_not_created(receipt):
    where = "/dev/tourkasse-kein-drucker-lp9"
    with pytest.raises(PrinterError, match="Drucker nicht gefunden"):
        ReceiptPrinter.from_settings("file", path=where).print_document(receipt)
    assert not os.path.exists(where)


def _print_as_nobody(path: str, receipt, answers) -> None:
    # Root may write anywhere; an ordinary user, as the till runs on the Pi, may not.
    # The code page's codec is loaded first: the user may not read root's Python folders.
    "€".encode("cp858")
    ReceiptPrinter.from_settings("file", path=path).render_bytes(receipt)
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    try:
        ReceiptPrinter.from_settings("file", path=path).print_document(receipt)
    except PrinterError as exc:
        answers.put(str(exc))
    else:
        answers.put("printed")


def test_no_permission_says_so(tmp_path, receipt):
    import multiprocessing

    path = tmp_path / "lp0"
    path.write_bytes(b"")
    path.chmod(0o400)
    fork = multiprocessing.get_context("fork")
    answers = fork.Queue()
    child = fork.Process(target=_print_as_nobody, args=(str(path), receipt, answers))
    child.start()
    answer = answers.get(timeout=20)
    child.join(timeout=20)
    assert "Kein Zugriff auf den Drucker" in answer


def test_a_serial_printer_receives_exactly_the_rendered_bytes(serial_printer, receipt):
    printer = ReceiptPrinter.from_settings("serial", device=serial_printer.device, baudrate=19200)
    printer.print_document(receipt)
    expected = printer.render_bytes(receipt)
    recorder = serial_printer.recorder
    assert recorder.wait_for(lambda r: len(r.print_data) >= len(expected))
    assert recorder.print_data == expected
    assert recorder.status_requests == [1, 2, 4]


@pytest.mark.parametrize(
    ("answers", "state"),
    [
        (simulator.READY, PrinterState.READY),
        (simulator.PAPER_OUT, PrinterState.PAPER_OUT),
        (simulator.COVER_OPEN, PrinterState.COVER_OPEN),
    ],
)
def test_serial_status(serial_printer: SerialPrinterSimulator, answers, state):
    serial_printer.recorder.set_status(answers)
    printer = ReceiptPrinter.from_settings("serial", device=serial_printer.device)
    assert printer.status() is state


def test_a_missing_serial_port(receipt):
    printer = ReceiptPrinter.from_settings("serial", device="/dev/ttyTOURKASSE9")
    with pytest.raises(PrinterError) as caught:
        printer.print_document(receipt)
    assert caught.value.state is PrinterState.OFFLINE
    assert "Drucker nicht gefunden (/dev/ttyTOURKASSE9)" in str(caught.value)
    assert printer.status() is PrinterState.OFFLINE


def test_usb_without_a_printer_is_a_printer_error(receipt):
    """Without pyusb, or without the printer plugged in: a PrinterError either way."""
    printer = ReceiptPrinter.from_settings("usb", vendor_id="04b8", product_id="0x0202")
    assert printer.target == "USB 04b8:0202"
    with pytest.raises(PrinterError, match=r"USB 04b8:0202") as caught:
        printer.print_document(receipt)
    assert caught.value.state is PrinterState.OFFLINE
    assert printer.status() is PrinterState.UNKNOWN


def test_no_printer_prints_nothing_but_still_renders(receipt):
    printer = ReceiptPrinter.from_settings("none")
    assert printer.print_document(receipt) is None
    assert printer.status() is PrinterState.UNKNOWN
    assert printer.render_bytes(receipt).startswith(b"\x1b@\x1bt\x13")


@pytest.mark.parametrize(
    ("kind", "settings", "complaint"),
    [
        ("laser", {}, "Unbekannte Druckerart"),
        ("file", {}, "path fehlt"),
        ("network", {}, "host fehlt"),
        ("serial", {}, "device fehlt"),
        ("usb", {"vendor_id": 0x04B8}, "product_id fehlt"),
        ("usb", {"vendor_id": "epson", "product_id": 1}, "keine Hexadezimalzahl"),
        ("network", {"host": "10.0.0.9", "port": 0}, "keine gültige Portnummer"),
        ("none", {"columns": 8}, "Spaltenzahl"),
        ("none", {"timeout": 0}, "Zeitlimit"),
        ("none", {"code_page": "CP999"}, "Codepage"),
        ("none", {"profile": "Kein-Drucker-Profil"}, "Druckerprofil"),
    ],
)
def test_wrong_settings_are_refused_up_front(kind, settings, complaint):
    with pytest.raises(ValueError, match=complaint):
        ReceiptPrinter.from_settings(kind, **settings)


def test_another_code_page_can_be_chosen():
    printer = ReceiptPrinter.from_settings("none", code_page="cp850")
    data = printer.render_bytes(Document((Line("Grüße 5 €"),), cut=False))
    assert data.startswith(b"\x1b@\x1bt\x02")  # ESC t 2: CP850, which has no €
    assert b"Gr\x81\xe1e 5 ?\n" in data
