"""Dialog 06: the protocol of legal-for-trade, price-computing counter scales.

The till sends the unit price; the scale weighs and computes the total price, which the till
takes as it is (the scale is the legal instrument). Every record the scale sends is answered
with EOT; every record the till sends is answered by the scale with ACK or NAK. See
reference/scales.md. Reads tolerate frames split across reads and noise between frames.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from truck.devices.scale.dialog06_handshake import HandshakeFileError, HandshakeTable
from truck.devices.scale.reading import ScaleError, ScaleReading, ScaleUnavailable

EOT, STX, ETX, ENQ, ACK, NAK, ESC = b"\x04", b"\x02", b"\x03", b"\x05", b"\x06", b"\x15", b"\x1b"

# Record 09 status codes and what the sales staff read.
STATUS_TEXT = {
    "01": "Waage meldet einen Fehler",
    "02": "Übertragungsfehler zur Waage",
    "10": "Waage hat den Datensatz nicht verstanden",
    "11": "Waage lehnt den Grundpreis ab",
    "12": "Waage lehnt die Tara ab",
    "13": "Waage lehnt den Artikeltext ab",
    "20": "Waage in Bewegung — bitte ruhig halten",
    "21": "Gewicht unverändert — bitte neu auflegen",
    "22": "Wiegung nicht abgeschlossen — bitte neu auflegen",
    "30": "Unter Mindestlast",
    "31": "Unterlast oder negatives Gewicht",
    "32": "Überlast",
    "33": "Preis zu hoch für die Waage",
    "34": "Ungültiges Gewicht",
}
MOTION = "20"
# Record 11, the checksum handshake: the scale's request, its verdict on the till's answer.
HANDSHAKE_REQUEST, HANDSHAKE_OK, HANDSHAKE_FAILED = "2", "1", "0"
NOT_SET_UP = (
    "Waage verlangt den Prüfsummen-Abgleich – die Herstellerwerte sind nicht eingerichtet "
    "(scale.handshake_file)"
)


class Port(Protocol):
    """What the driver needs of a serial port (pyserial's Serial has it)."""

    def write(self, data: bytes) -> int | None: ...
    def read(self, size: int = 1) -> bytes: ...
    def reset_input_buffer(self) -> None: ...


class ScaleStatus(ScaleError):
    """The scale answered with a status instead of a weight (record 09)."""

    def __init__(self, code: str) -> None:
        super().__init__(STATUS_TEXT.get(code, f"Waage meldet Status {code}"))
        self.code = code

    @property
    def retry_by_itself(self) -> bool:
        return self.code == MOTION


@dataclass(frozen=True)
class Frame:
    record: str
    fields: tuple[str, ...]


class Dialog06Scale:
    description = "Waage (Dialog 06)"

    def __init__(
        self,
        port: Port,
        *,
        timeout: float = 1.0,
        motion_retries: int = 10,
        handshake: HandshakeTable | None = None,
        clock=time.monotonic,
    ) -> None:
        self.port = port
        self.timeout = timeout
        self.motion_retries = motion_retries
        self.handshake = handshake
        self._clock = clock
        self._buffer = b""

    # --- what the till asks --------------------------------------------------------------

    def weigh(self, unit_price: int, *, tare: int = 0, text: str | None = None) -> ScaleReading:
        """Send the unit price, ask for the result; the scale's own price comes back.

        Motion is asked again by itself; a checksum handshake the scale demands in between
        (at power-on, after errors, every 50 weighings) is answered and the weighing goes on.
        """
        if not 0 < unit_price <= 999_999:
            raise ScaleError("Grundpreis passt nicht in die Waage (bis 9.999,99 €/kg)")
        motions = handshakes = 0
        while True:
            self._send_price(unit_price, tare, text)
            try:
                return self._result(unit_price)
            except ScaleStatus as status:
                if not status.retry_by_itself or motions >= self.motion_retries:
                    raise
                motions += 1
            except _HandshakeDone:
                # a handshake the scale was satisfied with: the price is sent again, as the
                # scale may have dropped it
                handshakes += 1
                if handshakes > 3:
                    raise ScaleError(
                        "Waage verlangt immer wieder den Prüfsummen-Abgleich"
                    ) from None

    # --- records ---------------------------------------------------------------------------

    def _send_price(self, unit_price: int, tare: int, text: str | None) -> None:
        price = f"{unit_price:06d}"
        if text is not None and tare:
            record = ["05", price, f"{tare:04d}", text[:13]]
        elif text is not None:
            record = ["04", price, text[:13]]
        elif tare:
            record = ["03", price, f"{tare:04d}"]
        else:
            record = ["01", price]
        self._send_record(record)

    def _send_record(self, fields: list[str]) -> None:
        payload = ESC.join(field.encode("ascii", "replace") for field in fields)
        for attempt in range(2):
            self.port.write(EOT + STX + payload + ESC + ETX)
            answer = self._read_control()
            if answer == ACK:
                return
            # NAK: ask why (record 08); the scale answers with a status record
            self.port.write(EOT + STX + b"08" + ETX)
            frame = self._read_frame()
            self.port.write(EOT)
            if frame.record == "09" and frame.fields and frame.fields[0] != "00":
                raise ScaleStatus(frame.fields[0])
            if attempt:
                raise ScaleError("Waage lehnt den Datensatz ab")

    def _result(self, unit_price: int) -> ScaleReading:
        self.port.write(EOT + ENQ)
        frame = self._read_frame()
        self.port.write(EOT)  # the till answers every record of the scale
        if frame.record == "09":
            code = frame.fields[0] if frame.fields else "01"
            raise ScaleStatus(code)
        if frame.record == "11":
            self._handshake(frame)
        if frame.record != "02" or len(frame.fields) < 4:
            raise ScaleError(f"Unerwartete Antwort der Waage (Record {frame.record})")
        unit, weight, price, total = frame.fields[:4]
        if unit != "3":
            raise ScaleError("Waage wiegt nicht in kg – bitte auf kg einstellen")
        if not (weight.isdigit() and price.isdigit() and total.isdigit()):
            raise ScaleError("Unlesbare Antwort der Waage – bitte neu wiegen")
        if int(price) != unit_price:
            raise ScaleError("Waage hat einen anderen Grundpreis gerechnet – bitte neu wiegen")
        return ScaleReading(int(weight), int(price), int(total))

    def _handshake(self, frame: Frame) -> None:
        """Answer record 11 until the scale gives its verdict; raise _HandshakeDone if good."""
        for _ in range(4):
            request = "".join(frame.fields)
            if request == HANDSHAKE_OK:
                raise _HandshakeDone
            if request == HANDSHAKE_FAILED:
                raise ScaleError(
                    "Prüfsummen-Abgleich mit der Waage fehlgeschlagen – Herstellerwerte prüfen "
                    "(scale.handshake_file)"
                )
            if not request.startswith(HANDSHAKE_REQUEST) or len(request) not in (2, 3):
                raise ScaleError("Unlesbare Anfrage der Waage (Record 11) – bitte neu wiegen")
            if self.handshake is None:
                raise ScaleError(NOT_SET_UP)
            z_text = request[1:]
            # Z is one raw byte; some scales send it as two hex digits instead
            z = ord(z_text) if len(z_text) == 1 else _hex_byte(z_text)
            try:
                cs, kw = self.handshake.answer(z)
            except HandshakeFileError as exc:
                raise ScaleError(str(exc)) from None
            self._send_record(["10", cs, kw])
            self.port.write(EOT + ENQ)
            frame = self._read_frame()
            self.port.write(EOT)
            if frame.record != "11":
                raise ScaleError(f"Unerwartete Antwort der Waage (Record {frame.record})")
        raise ScaleError("Waage verlangt immer wieder den Prüfsummen-Abgleich")

    # --- reading -------------------------------------------------------------------------

    def _read_control(self) -> bytes:
        deadline = self._clock() + self.timeout
        while True:
            for index, byte in enumerate(self._buffer):
                control = bytes([byte])
                if control in (ACK, NAK):
                    self._buffer = self._buffer[index + 1 :]
                    return control
            self._buffer = b""  # noise before the answer
            self._fill(deadline)

    def _read_frame(self) -> Frame:
        deadline = self._clock() + self.timeout
        while True:
            start = self._buffer.find(STX)
            if start >= 0:
                end = self._buffer.find(ETX, start)
                if end >= 0:
                    body = self._buffer[start + 1 : end]
                    self._buffer = self._buffer[end + 1 :]
                    return _frame(body)
            else:
                self._buffer = b""  # noise: nothing before a frame's start matters
            self._fill(deadline)

    def _fill(self, deadline: float) -> None:
        if self._clock() >= deadline:
            self._buffer = b""
            raise ScaleUnavailable("Waage nicht verbunden")
        try:
            chunk = self.port.read(64)
        except OSError as exc:
            raise ScaleUnavailable("Waage nicht verbunden") from exc
        self._buffer += chunk


class _HandshakeDone(Exception):
    """The scale accepted the till's handshake answer; the weighing starts again."""


def _hex_byte(text: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        raise ScaleError("Unlesbare Anfrage der Waage (Record 11) – bitte neu wiegen") from None


def _frame(body: bytes) -> Frame:
    # latin-1 maps every byte to one character: the handshake's random byte survives as it is
    text = body.decode("latin-1")
    parts = [part for part in text.split("\x1b")]
    while parts and parts[-1] == "":
        parts.pop()
    record = parts[0] if parts else ""
    return Frame(record, tuple(parts[1:]))
