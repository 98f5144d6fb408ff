"""Printing to and asking a fake network printer on a free loopback port."""

from __future__ import annotations

import time

import pytest

from truck.devices.printer import (
    Document,
    Line,
    PrinterError,
    PrinterState,
    ReceiptPrinter,
    simulator,
)
from truck.devices.printer.simulator import NetworkPrinterSimulator
from truck.devices.printer.status import STATUS_QUERIES

PREFLIGHT = b"".join(STATUS_QUERIES)


def network(fake: NetworkPrinterSimulator, **settings) -> ReceiptPrinter:
    return ReceiptPrinter.from_settings("network", host=fake.host, port=fake.port, **settings)


def closed(count: int):
    return lambda recorder: recorder.connections_closed >= count


def test_the_printer_receives_exactly_the_rendered_bytes(network_printer, receipt):
    printer = network(network_printer)
    printer.print_document(receipt)
    recorder = network_printer.recorder
    assert recorder.wait_for(closed(1))
    assert recorder.print_data == printer.render_bytes(receipt)
    # On the wire: the three status questions first, then the receipt, on one connection.
    assert recorder.received == PREFLIGHT + printer.render_bytes(receipt)
    assert recorder.status_requests == [1, 2, 4]


def test_each_document_has_its_own_connection(network_printer):
    printer = network(network_printer, columns=32)
    first, second = Document((Line("Eins"),)), Document((Line("Zwei"),), cut=False)
    printer.print_document(first)
    printer.print_document(second)
    recorder = network_printer.recorder
    assert recorder.wait_for(closed(2))
    assert recorder.print_data == printer.render_bytes(first) + printer.render_bytes(second)


def test_a_refused_connection_is_a_german_printer_error(network_printer, receipt):
    network_printer.refuse_connections()
    printer = network(network_printer)
    with pytest.raises(PrinterError) as caught:
        printer.print_document(receipt)
    error = caught.value
    assert error.state is PrinterState.OFFLINE
    assert str(error) == (
        f"Drucker nicht erreichbar (127.0.0.1:{network_printer.port}) – "
        "Bon kann später gedruckt werden"
    )
    assert printer.status() is PrinterState.OFFLINE


@pytest.mark.parametrize(
    ("answers", "state"),
    [
        (simulator.READY, PrinterState.READY),
        (simulator.PAPER_NEAR_END, PrinterState.PAPER_NEAR_END),
        (simulator.PAPER_OUT, PrinterState.PAPER_OUT),
        (simulator.COVER_OPEN, PrinterState.COVER_OPEN),
        (simulator.ERROR, PrinterState.OFFLINE),
    ],
)
def test_status_reads_the_printers_answers(network_printer, answers, state):
    network_printer.recorder.set_status(answers)
    assert network(network_printer).status() is state
    assert network_printer.recorder.status_requests == [1, 2, 4]


def test_with_the_paper_out_the_receipt_is_not_sent(network_printer, receipt):
    network_printer.recorder.set_status(simulator.PAPER_OUT)
    printer = network(network_printer)
    with pytest.raises(PrinterError) as caught:
        printer.print_document(receipt)
    assert caught.value.state is PrinterState.PAPER_OUT
    assert str(caught.value) == "Papier leer – bitte Rolle wechseln"
    assert network_printer.recorder.wait_for(closed(1))
    assert network_printer.recorder.print_data == b""


def test_with_the_cover_open_the_receipt_is_not_sent(network_printer, receipt):
    network_printer.recorder.set_status(simulator.COVER_OPEN)
    with pytest.raises(PrinterError, match="Druckerdeckel offen") as caught:
        network(network_printer).print_document(receipt)
    assert caught.value.state is PrinterState.COVER_OPEN


def test_near_end_still_prints(network_printer, receipt):
    network_printer.recorder.set_status(simulator.PAPER_NEAR_END)
    printer = network(network_printer)
    printer.print_document(receipt)
    assert network_printer.recorder.wait_for(closed(1))
    assert network_printer.recorder.print_data == printer.render_bytes(receipt)


def test_a_printer_that_never_answers(network_printer, receipt):
    """Status is UNKNOWN within the timeout; a receipt is printed after a short wait anyway."""
    network_printer.recorder.answering = False
    printer = network(network_printer, timeout=0.3)
    started = time.monotonic()
    assert printer.status() is PrinterState.UNKNOWN
    assert time.monotonic() - started < 0.3 + 1.0  # the timeout, not escpos' 60 s
    printer.print_document(receipt)
    assert network_printer.recorder.wait_for(closed(2))
    assert network_printer.recorder.print_data == printer.render_bytes(receipt)
