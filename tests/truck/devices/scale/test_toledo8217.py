"""Toledo 8217 against its simulator over a real pseudo-terminal, through pyserial."""

from __future__ import annotations

import pytest
import serial

from truck.devices.scale.reading import ScaleUnavailable
from truck.devices.scale.toledo8217 import Toledo8217Scale, ToledoStatus
from truck.devices.scale.toledo8217_simulator import Toledo8217Simulator


@pytest.fixture
def simulator():
    with Toledo8217Simulator() as sim:
        yield sim


@pytest.fixture
def scale(simulator):
    port = serial.Serial(simulator.device, 9600, bytesize=7, parity="E", stopbits=1, timeout=0.05)
    yield Toledo8217Scale(port, timeout=1.0)
    port.close()


def test_the_weight_in_grams(simulator, scale):
    simulator.grams = 1234
    assert scale.weight() == 1234


def test_split_replies_and_noise(simulator, scale):
    simulator.grams = 347
    simulator.split = True
    simulator.noise = b"\xff\x13junk"
    assert scale.weight() == 347


def test_motion_is_asked_again_and_other_statuses_are_messages(simulator, scale):
    simulator.grams = 500
    simulator.statuses.extend([0b1, 0b1])
    assert scale.weight() == 500
    for status, text in (
        (0b10, "Überlast"),
        (0b100, "Unter Null"),
        (0b1000000, "nicht verstanden"),
    ):
        simulator.statuses.append(status)
        with pytest.raises(ToledoStatus, match=text):
            scale.weight()


def test_a_silent_scale_is_not_connected(simulator, scale):
    simulator.silent = True
    with pytest.raises(ScaleUnavailable, match="Waage nicht verbunden"):
        scale.weight()
