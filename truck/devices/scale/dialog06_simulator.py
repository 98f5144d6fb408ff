"""A Dialog 06 scale in software, on the far end of a pseudo-terminal (for the demo and tests).

It answers like a price-computing scale: ACK or NAK to each record, the weighing result or a
status record to EOT ENQ, record 09 after record 08. It can be made to misbehave the way real
lines do: split its answers into single bytes, put noise between frames, refuse a record once,
report a status, or fall silent as if unplugged.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import threading
import tty
from collections import deque
from pathlib import Path

EOT, STX, ETX, ENQ, ACK, NAK, ESC = 0x04, 0x02, 0x03, 0x05, 0x06, 0x15, 0x1B


class Dialog06Simulator:
    def __init__(self, link: Path | None = None) -> None:
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
        self.statuses: deque[str] = deque()  # answered instead of the next results
        self.nak_next = 0  # records to refuse with NAK
        self.split = False  # send answers one byte at a time
        self.noise = b""  # bytes sent before every answer
        self.silent = False  # answers nothing, as when unplugged
        self.unit_price = 0
        self.received: list[bytes] = []
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
        if kind in {"01", "03", "04", "05"} and len(fields) > 1 and fields[1].isdigit():
            self.unit_price = int(fields[1])
            self._send(bytes([ACK]))
        else:
            self._send(bytes([NAK]))

    def _answer_result(self) -> None:
        if self.statuses:
            self._send(self._frame("09", self.statuses.popleft()))
            return
        grams = self.weight
        if grams <= 0:
            self._send(self._frame("09", "30"))
            return
        total = (grams * self.unit_price + 500) // 1000
        self._send(self._frame("02", "3", f"{grams:05d}", f"{self.unit_price:06d}", f"{total:06d}"))

    @staticmethod
    def _frame(*fields: str) -> bytes:
        return bytes([STX]) + bytes([ESC]).join(f.encode() for f in fields) + bytes([ETX])

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
