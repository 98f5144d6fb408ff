"""A Dialog 06 scale in software, on the far end of a pseudo-terminal (for the demo and tests).

It answers like a price-computing scale: ACK or NAK to each record, the weighing result or a
status record to EOT ENQ, record 09 after record 08. Given the vendor's handshake values it
demands the checksum handshake (record 11) at power-on, after a status error and every 50
weighings, and checks the till's record 10 against them. It can be made to misbehave the way real
lines do: split its answers into single bytes, put noise between frames, refuse a record once,
report a status, or fall silent as if unplugged.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import pty
import random
import select
import threading
import tty
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from truck.devices.scale.dialog06_handshake import HandshakeTable

EOT, STX, ETX, ENQ, ACK, NAK, ESC = 0x04, 0x02, 0x03, 0x05, 0x06, 0x15, 0x1B
# Random bytes for the handshake; the line's control bytes are left out so that Z never ends
# or splits a frame.
RANDOM_BYTES = tuple(sorted(set(range(256)) - {EOT, STX, ETX, ENQ, ACK, NAK, ESC}))
STATUS_ERRORS = {"01", "02", "10", "11", "12", "13"}  # after these the scale wants a handshake


class Dialog06Simulator:
    def __init__(
        self,
        link: Path | None = None,
        *,
        handshake: HandshakeTable | None = None,
        handshake_every: int = 50,
        weights: Iterable[int] | None = None,
    ) -> None:
        """``weights``: loads to weigh one after the other, again and again (for the demo);
        without them, what lies on the scale is ``weight``."""
        self._master, slave = pty.openpty()
        tty.setraw(slave)
        self.device = os.ttyname(slave)
        # A stable name, like /dev/serial/by-id/…: it vanishes with the simulator and a new
        # simulator can take it over, as when the scale's adapter is pulled and plugged back.
        self.link = link
        if link is not None:
            link.symlink_to(self.device)
            self.device = str(link)
        self._slave = slave  # kept open so the device stays there while the till reopens it
        self.weight = 0  # grams on the platter
        self._weights = itertools.cycle(tuple(weights)) if weights else None
        self.statuses: deque[str] = deque()  # answered instead of the next results
        self.nak_next = 0  # records to refuse with NAK
        self.split = False  # send answers one byte at a time
        self.noise = b""  # bytes sent before every answer
        self.silent = False  # answers nothing, as when unplugged
        self.unit_price = 0
        self.received: list[bytes] = []
        # The checksum handshake: None means this scale never asks for it.
        self.handshake = handshake
        self.handshake_every = handshake_every
        self.handshake_due = handshake is not None  # at power-on
        self.handshakes_passed = 0
        self.weighings_since_handshake = 0
        self._z: int | None = None  # the random byte of the open handshake
        self._verdict: str | None = None  # "1" or "0", sent at the next EOT ENQ
        self._random = random.Random()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dialog06-sim", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self.link is not None:
            self.link.unlink(missing_ok=True)
        self._stop.set()
        self._thread.join(timeout=5)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Dialog06Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the line ------------------------------------------------------------------------

    def _run(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 256)
            except OSError:
                return
            buffer += chunk
            buffer = self._handle(buffer)

    def _handle(self, buffer: bytes) -> bytes:
        while True:
            if buffer.startswith(bytes([EOT, ENQ])):
                buffer = buffer[2:]
                self._answer_result()
                continue
            if buffer.startswith(bytes([EOT, STX])):
                end = buffer.find(bytes([ETX]))
                if end < 0:
                    return buffer
                record, buffer = buffer[2:end], buffer[end + 1 :]
                self.received.append(record)
                self._answer_record(record)
                continue
            if buffer.startswith(bytes([EOT])) and len(buffer) >= 2:
                buffer = buffer[1:]  # the till's EOT after our record
                continue
            if buffer == bytes([EOT]):
                return b""
            # anything else: drop up to the next EOT
            cut = buffer.find(bytes([EOT]), 1)
            if cut < 0:
                return b""
            buffer = buffer[cut:]

    def _answer_record(self, record: bytes) -> None:
        fields = record.split(bytes([ESC]))
        kind = fields[0].decode("ascii", "replace")
        if kind == "08":
            code = self.statuses.popleft() if self.statuses else "10"
            self._send(self._frame("09", code))
            return
        if self.nak_next:
            self.nak_next -= 1
            self._send(bytes([NAK]))
            return
        if kind == "10" and self._z is not None and self.handshake is not None:
            expected = self.handshake.answers.get(self._z)
            given = tuple(field.decode("latin-1") for field in fields[1:3])
            self._verdict = "1" if given == expected else "0"
            self._z = None
            self._send(bytes([ACK]))
            return
        if kind in {"01", "03", "04", "05"} and len(fields) > 1 and fields[1].isdigit():
            self.unit_price = int(fields[1])
            self._send(bytes([ACK]))
        else:
            self._send(bytes([NAK]))

    def _answer_result(self) -> None:
        if self._verdict is not None:
            verdict, self._verdict = self._verdict, None
            if verdict == "1":
                self.handshake_due = False
                self.handshakes_passed += 1
                self.weighings_since_handshake = 0
            self._send(self._frame("11", verdict))
            return
        if self.handshake_due:
            self._z = self._random.choice(RANDOM_BYTES)
            self._send(self._frame("11", "2" + chr(self._z)))
            return
        if self.statuses:
            code = self.statuses.popleft()
            if code in STATUS_ERRORS and self.handshake is not None:
                self.handshake_due = True
            self._send(self._frame("09", code))
            return
        grams = next(self._weights) if self._weights is not None else self.weight
        if grams <= 0:
            self._send(self._frame("09", "30"))
            return
        self.weighings_since_handshake += 1
        if self.handshake is not None and self.weighings_since_handshake >= self.handshake_every:
            self.handshake_due = True
        total = (grams * self.unit_price + 500) // 1000
        self._send(self._frame("02", "3", f"{grams:05d}", f"{self.unit_price:06d}", f"{total:06d}"))

    @staticmethod
    def _frame(*fields: str) -> bytes:
        return bytes([STX]) + bytes([ESC]).join(f.encode("latin-1") for f in fields) + bytes([ETX])

    def _send(self, data: bytes) -> None:
        if self.silent:
            return
        data = self.noise + data
        try:
            if self.split:
                for byte in data:
                    os.write(self._master, bytes([byte]))
            else:
                os.write(self._master, data)
        except OSError:
            pass


def made_up_handshake(seed: str = "tourkasse-demo") -> HandshakeTable:
    """Handshake values invented for the demo and the tests — NOT any vendor's values.

    A real scale only accepts what its vendor's constants give; these merely let the simulator
    and the till practise the exchange.
    """
    answers = {}
    for z in range(256):
        digest = hashlib.sha256(f"{seed}:{z}".encode()).hexdigest().upper()
        answers[z] = (digest[:4], digest[4:8])
    return HandshakeTable(answers)


def write_handshake_file(path: Path, table: HandshakeTable, *, title: str) -> None:
    """Write ``table`` in the file format the till reads (see dialog06_handshake)."""
    lines = [f"# {title}", "[answers]"]
    lines += [f'"{z:02X}" = ["{cs}", "{kw}"]' for z, (cs, kw) in sorted(table.answers.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
