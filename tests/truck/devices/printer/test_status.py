"""DLE EOT answers decoded into printer states; the German messages the seller sees."""

from __future__ import annotations

import pytest

from truck.devices.printer import PrinterError, PrinterState, simulator
from truck.devices.printer.status import state_from_status


@pytest.mark.parametrize(
    ("answers", "state"),
    [
        (simulator.READY, PrinterState.READY),
        (simulator.PAPER_NEAR_END, PrinterState.PAPER_NEAR_END),
        (simulator.PAPER_OUT, PrinterState.PAPER_OUT),
        (simulator.COVER_OPEN, PrinterState.COVER_OPEN),
        (simulator.ERROR, PrinterState.OFFLINE),
        ({1: 0x1A, 2: 0x36, 4: 0x72}, PrinterState.COVER_OPEN),  # cover open wins over paper
        ({1: 0x12, 2: 0x12, 4: 0x13}, PrinterState.UNKNOWN),  # bit 0 set: not a status byte
        ({1: 0x00, 2: 0x12, 4: 0x12}, PrinterState.UNKNOWN),
    ],
)
def test_status_bytes(answers, state):
    assert state_from_status(answers[1], answers[2], answers[4]) is state


def test_every_state_has_a_german_message():
    assert PrinterState.PAPER_OUT.message == "Papier leer – bitte Rolle wechseln"
    assert all(state.message for state in PrinterState)


def test_errors_carry_state_and_message():
    error = PrinterError.unreachable("192.168.1.50:9100")
    assert error.state is PrinterState.OFFLINE
    assert str(error) == (
        "Drucker nicht erreichbar (192.168.1.50:9100) – Bon kann später gedruckt werden"
    )
    paper = PrinterError.for_state(PrinterState.PAPER_OUT, "192.168.1.50:9100")
    assert (paper.state, str(paper)) == (
        PrinterState.PAPER_OUT,
        "Papier leer – bitte Rolle wechseln",
    )
