"""A barcode scanner on a serial port: each code arrives as a line (CR and/or LF).

Runs in its own daemon thread and only hands codes and its state to callbacks (the till posts
them to the screen). When the port is missing or fails, it says so once and tries again every
second, so a scanner plugged in later works without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import serial

RETRY_SECONDS = 1.0


class SerialScanner:
    def __init__(
        self,
        device: str,
        *,
        baudrate: int = 9600,
        on_code: Callable[[str], None],
        on_state: Callable[[bool, str], None] = lambda ok, message: None,
    ) -> None:
        self.device = device
        self.baudrate = baudrate
        self.on_code = on_code
        self.on_state = on_state
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="serial-scanner", daemon=True)

    def start(self) -> SerialScanner:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        connected: bool | None = None
        while not self._stop.is_set():
            try:
                with serial.Serial(self.device, self.baudrate, timeout=0.1) as port:
                    if connected is not True:
                        connected = True
                        self.on_state(True, "bereit")
                    self._read(port)
            except (OSError, serial.SerialException):
                if connected is not False:
                    connected = False
                    self.on_state(False, "Scanner nicht verbunden")
            self._stop.wait(RETRY_SECONDS)

    def _read(self, port: serial.Serial) -> None:
        pending = b""
        while not self._stop.is_set():
            chunk = port.read(64)
            if not chunk:
                continue
            pending += chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            *lines, pending = pending.split(b"\n")
            for line in lines:
                code = line.decode("ascii", "replace").strip()
                if code:
                    self.on_code(code)
