"""Dialog 06 against its simulator over a real pseudo-terminal, through pyserial."""

from __future__ import annotations

import pytest
import serial

from truck.devices.scale.dialog06 import STATUS_TEXT, Dialog06Scale, ScaleStatus
from truck.devices.scale.dialog06_simulator import Dialog06Simulator
from truck.devices.scale.reading import ScaleUnavailable


@pytest.fixture
def simulator():
    with Dialog06Simulator() as sim:
        yield sim


@pytest.fixture
def scale(simulator):
    port = serial.Serial(
        simulator.device, 9600, bytesize=7, parity=serial.PARITY_EVEN, stopbits=1, timeout=0.05
    )
    yield Dialog06Scale(port, timeout=1.0)
    port.close()


def test_the_scale_weighs_and_its_own_price_is_taken(simulator, scale):
    simulator.weight = 347
    reading = scale.weigh(1690)  # Gouda, 16,90 €/kg
    assert (reading.grams, reading.unit_price, reading.total) == (347, 1690, 586)
    assert simulator.received[0] == b"01\x1b001690\x1b"


def test_tare_and_text_use_records_03_04_05(simulator, scale):
    simulator.weight = 500
    scale.weigh(1000, tare=20)
    scale.weigh(1000, text="Gouda mittelalt")
    scale.weigh(1000, tare=20, text="Gouda")
    kinds = [record.split(b"\x1b")[0] for record in simulator.received]
    assert kinds == [b"03", b"04", b"05"]
    assert simulator.received[1] == b"04\x1b001000\x1bGouda mittela\x1b"  # 13 characters


def test_answers_split_into_single_bytes_and_noise_between_frames(simulator, scale):
    simulator.weight = 1250
    simulator.split = True
    simulator.noise = b"\xff\x00garbage"
    assert scale.weigh(299).total == 374


def test_a_nak_is_asked_about_and_the_record_sent_again(simulator, scale):
    simulator.weight = 100
    simulator.nak_next = 1
    simulator.statuses.append("00")  # record 08: nothing wrong, just send it again
    assert scale.weigh(1000).total == 100


@pytest.mark.parametrize("code", sorted(set(STATUS_TEXT) - {"20"}))
def test_every_status_code_becomes_a_message_and_nothing_is_weighed(simulator, scale, code):
    simulator.weight = 100
    simulator.statuses.append(code)
    with pytest.raises(ScaleStatus) as caught:
        scale.weigh(1000)
    assert str(caught.value) == STATUS_TEXT[code]


def test_motion_is_asked_again_by_itself(simulator, scale):
    simulator.weight = 200
    simulator.statuses.extend(["20", "20"])
    assert scale.weigh(1000).grams == 200


def test_a_silent_line_is_an_unplugged_scale_and_it_comes_back(simulator, scale):
    simulator.silent = True
    with pytest.raises(ScaleUnavailable, match="Waage nicht verbunden"):
        scale.weigh(1000)
    simulator.silent = False
    simulator.weight = 80
    assert scale.weigh(1000).total == 80
