"""Toledo 8217: weight-only scales (Mettler Toledo and compatibles). See reference/scales.md.

The till sends ``W``; the scale answers ``STX`` + weight in kg with a decimal point (+ ``N`` for
net) + ``CR``, or ``STX ? <status byte> CR``. Such a scale does not compute a price: a price
from its weight is computed by the till, which is a configuration choice (off by default).
"""

from __future__ import annotations

import time

from truck.devices.scale.dialog06 import Port
from truck.devices.scale.reading import ScaleError, ScaleReading, ScaleUnavailable

STX, CR = b"\x02", b"\r"

# Status byte bits, in the order the staff should hear about them.
STATUS_BITS = (
    (1 << 1, "Überlast"),
    (1 << 2, "Unter Null — bitte Waage leeren und nullstellen"),
    (1 << 3, "Außerhalb des Nullstellbereichs"),
    (1 << 6, "Waage hat den Befehl nicht verstanden"),
    (1 << 0, "Waage in Bewegung — bitte ruhig halten"),
)
MOTION = 1 << 0


class ToledoStatus(ScaleError):
    def __init__(self, status: int) -> None:
        texts = [text for bit, text in STATUS_BITS if status & bit]
        super().__init__(texts[0] if texts else f"Waage meldet Status {status:#04x}")
        self.status = status

    @property
    def in_motion(self) -> bool:
        return bool(self.status & MOTION) and not self.status & 0b1001110


class Toledo8217Scale:
    description = "Waage (Toledo 8217)"

    def __init__(self, port: Port, *, timeout: float = 1.0, motion_retries: int = 10) -> None:
        self.port = port
        self.timeout = timeout
        self.motion_retries = motion_retries
        self._buffer = b""

    def weigh(self, unit_price: int) -> ScaleReading:
        """A weighing without a price: the till may compute one only where configured."""
        return ScaleReading(self.weight(), unit_price, None)

    def weight(self) -> int:
        """The settled weight in grams; motion is asked again by itself."""
        for attempt in range(self.motion_retries + 1):
            try:
                return self._ask()
            except ToledoStatus as status:
                if not status.in_motion or attempt == self.motion_retries:
                    raise
        raise AssertionError("unreachable")

    def _ask(self) -> int:
        self.port.write(b"W")
        reply = self._read_reply()
        if reply.startswith(b"?"):
            if len(reply) < 2:
                raise ScaleError("Unlesbare Antwort der Waage – bitte neu wiegen")
            raise ToledoStatus(reply[1])
        text = reply.rstrip(b"N").decode("ascii", "replace").strip()
        kilos, _, fraction = text.partition(".")
        if not kilos.isdigit() or (fraction and not fraction.isdigit()):
            raise ScaleError("Unlesbare Antwort der Waage – bitte neu wiegen")
        grams = int(kilos) * 1000 + int((fraction + "000")[:3])
        if grams <= 0:
            raise ScaleError("Unter Mindestlast")
        return grams

    def _read_reply(self) -> bytes:
        deadline = time.monotonic() + self.timeout
        while True:
            start = self._buffer.find(STX)
            if start >= 0:
                end = self._buffer.find(CR, start)
                if end >= 0:
                    reply = self._buffer[start + 1 : end]
                    self._buffer = self._buffer[end + 1 :]
                    return reply
            else:
                self._buffer = b""  # noise before a reply
            if time.monotonic() >= deadline:
                self._buffer = b""
                raise ScaleUnavailable("Waage nicht verbunden")
            try:
                self._buffer += self.port.read(64)
            except OSError as exc:
                raise ScaleUnavailable("Waage nicht verbunden") from exc
