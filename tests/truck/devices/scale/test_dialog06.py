"""Dialog 06 against its simulator over a real pseudo-terminal, through pyserial."""

from __future__ import annotations

import pytest
import serial

from truck.devices.scale.dialog06 import STATUS_TEXT, Dialog06Scale, ScaleStatus
from truck.devices.scale.dialog06_handshake import HandshakeFileError, load_handshake_table
from truck.devices.scale.dialog06_simulator import (
    Dialog06Simulator,
    made_up_handshake,
    write_handshake_file,
)
from truck.devices.scale.reading import ScaleError, ScaleUnavailable


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


# --- the checksum handshake (records 10 and 11) ------------------------------------------------


def open_scale(simulator, handshake=None) -> tuple[Dialog06Scale, serial.Serial]:
    port = serial.Serial(
        simulator.device, 9600, bytesize=7, parity=serial.PARITY_EVEN, stopbits=1, timeout=0.05
    )
    return Dialog06Scale(port, timeout=1.0, handshake=handshake), port


@pytest.fixture
def vendor_values(tmp_path):
    """The vendor's values as the till reads them: from a file, like in the truck."""
    path = tmp_path / "dialog06-handshake.toml"
    write_handshake_file(path, made_up_handshake("vendor"), title="test values")
    return load_handshake_table(path)


def test_the_handshake_at_power_on_is_answered_and_the_weighing_goes_on(vendor_values):
    with Dialog06Simulator(handshake=made_up_handshake("vendor")) as simulator:
        scale, port = open_scale(simulator, vendor_values)
        with port:
            simulator.weight = 347
            assert scale.weigh(1690).total == 586
            assert simulator.handshakes_passed == 1
            assert [r[:2] for r in simulator.received] == [b"01", b"10", b"01"]


def test_the_handshake_comes_again_every_50_weighings_and_after_an_error(vendor_values):
    with Dialog06Simulator(handshake=made_up_handshake("vendor")) as simulator:
        scale, port = open_scale(simulator, vendor_values)
        with port:
            simulator.weight = 100
            for _ in range(50):
                scale.weigh(1000)
            assert simulator.handshakes_passed == 1
            assert scale.weigh(1000).total == 100  # weighing 51 asks first
            assert simulator.handshakes_passed == 2
            simulator.statuses.append("11")
            with pytest.raises(ScaleStatus):
                scale.weigh(1000)
            assert scale.weigh(1000).total == 100
            assert simulator.handshakes_passed == 3


def test_wrong_vendor_values_are_refused_with_a_message_and_nothing_is_weighed():
    with Dialog06Simulator(handshake=made_up_handshake("vendor")) as simulator:
        scale, port = open_scale(simulator, made_up_handshake("someone else"))
        with port:
            simulator.weight = 100
            with pytest.raises(
                ScaleError, match="Prüfsummen-Abgleich mit der Waage fehlgeschlagen"
            ):
                scale.weigh(1000)
            assert simulator.handshakes_passed == 0


def test_a_scale_asking_for_the_handshake_without_vendor_values_says_so():
    with Dialog06Simulator(handshake=made_up_handshake("vendor")) as simulator:
        scale, port = open_scale(simulator)
        with port:
            simulator.weight = 100
            with pytest.raises(ScaleError, match="Herstellerwerte sind nicht eingerichtet"):
                scale.weigh(1000)


def test_the_handshake_survives_a_split_and_noisy_line(vendor_values):
    with Dialog06Simulator(handshake=made_up_handshake("vendor")) as simulator:
        scale, port = open_scale(simulator, vendor_values)
        with port:
            simulator.split = True
            simulator.noise = b"\xff\x00"
            simulator.weight = 1250
            assert scale.weigh(299).total == 374
            assert simulator.handshakes_passed == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Datei mit den Herstellerwerten fehlt"),
        ("answers = [", "kein gültiges TOML"),
        ("[other]\n", "Abschnitt [answers] fehlt"),
        ('[answers]\n"00" = ["1A2B", "9F01"]\n', "es fehlen 255 von 256 Zufallswerten (01, 02"),
        ('[answers]\n"G0" = ["1A2B", "9F01"]\n', "„G0“ ist kein Zufallswert"),
        ('[answers]\n"00" = ["1a2b", "9F01"]\n', '„00“: erwartet ["CS", "KW"]'),
        ('[answers]\n"00" = "1A2B"\n', '„00“: erwartet ["CS", "KW"]'),
    ],
)
def test_a_broken_vendor_file_is_named_with_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "handshake.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(HandshakeFileError) as caught:
        load_handshake_table(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
