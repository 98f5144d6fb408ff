"""Connections to the printer: one per document or status query, opened and closed each time.

A connection per document means a printer that was switched off, re-plugged or restarted in
between needs no reconnect logic, and a network printer (which serves one client at a time) is
free for the office PC in between. Opening, writing and reading are each bounded by a timeout, so
a dead printer costs the till seconds, not a hang, and every failure becomes a PrinterError.

Serial and USB connections are python-escpos' own device classes; the pyserial port is used
directly only to read status answers, because escpos' ``_read`` asks pyserial for 16 bytes and so
waits out the whole timeout for a one-byte answer. The network connection is a plain socket (see
NetworkLink). Files are opened here, not with escpos' ``File``: that one opens with "wb" and
truncates, and the file printer must append (a file the demo user reads, or ``/dev/usb/lp0``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import socket
import time
from typing import Protocol

import serial
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Serial, Usb

from .status import STATUS_QUERIES, PrinterError, PrinterState, state_from_status

_OPEN_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK


class Link(Protocol):
    """An open connection to the printer."""

    can_read: bool

    def write(self, data: bytes) -> None: ...

    def read_byte(self, timeout: float) -> int | None: ...

    def close(self) -> None: ...


class NetworkLink:
    """Raw TCP (port 9100, "JetDirect"), as Ethernet and WLAN receipt printers offer it.

    A plain socket rather than escpos' ``Network``: that one leaves its socket open when the
    connection is refused and hides the reason in a DeviceNotFoundError, and it adds nothing but
    ``sendall`` once connected. Use an IP address in the settings: resolving a host name is not
    bounded by the timeout.
    """

    can_read = True

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.where = f"{host}:{port}"
        self.timeout = timeout
        try:
            self._socket = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:  # refused, timed out, no route, unknown host name
            raise PrinterError.unreachable(self.where) from exc

    def write(self, data: bytes) -> None:
        try:
            self._socket.settimeout(self.timeout)
            self._socket.sendall(data)
        except OSError as exc:
            raise PrinterError.interrupted(self.where) from exc

    def read_byte(self, timeout: float) -> int | None:
        try:
            self._socket.settimeout(max(timeout, 0.001))
            answer = self._socket.recv(16)
        except OSError:  # TimeoutError included: no answer in time
            return None
        return answer[0] if answer else None

    def close(self) -> None:
        # The FIN goes out after the data. Anything the printer sent unasked (automatic status)
        # is read away first: closing a socket with unread data sends a reset, which can throw
        # away the end of a receipt that is still on its way.
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_WR)
            self._socket.setblocking(False)
            while self._socket.recv(4096):
                pass
        self._socket.close()


class SerialLink:
    """RS-232 (or a USB-serial adapter, or a pty in tests) through pyserial."""

    can_read = True

    def __init__(self, device: str, baudrate: int, timeout: float) -> None:
        self.where = device
        self.timeout = timeout
        self._printer = Serial(device, baudrate=baudrate, timeout=timeout)
        try:
            self._printer.open()
            self._port: serial.Serial = self._printer.device
            self._port.write_timeout = timeout
            self._port.reset_input_buffer()  # old bytes are not answers to our questions
        except (DeviceNotFoundError, serial.SerialException, OSError) as exc:
            self._printer.close()
            raise open_error(exc, device) from exc

    def write(self, data: bytes) -> None:
        try:
            self._printer._raw(data)
        except (serial.SerialException, OSError) as exc:  # SerialTimeoutException included
            raise PrinterError.interrupted(self.where) from exc

    def read_byte(self, timeout: float) -> int | None:
        try:
            self._port.timeout = max(timeout, 0.001)
            answer = self._port.read(1)  # returns as soon as one byte is there
        except (serial.SerialException, OSError):
            return None
        return answer[0] if answer else None

    def close(self) -> None:
        # The data was handed over; a failing flush on close changes nothing.
        with contextlib.suppress(serial.SerialException, OSError):
            self._printer.close()


class UsbLink:
    """A printer speaking USB itself (escpos ``Usb``, needs pyusb and a udev rule on the Pi)."""

    can_read = False  # reading status over USB differs between models; status() says UNKNOWN

    def __init__(self, vendor_id: int, product_id: int, timeout: float) -> None:
        self.where = f"USB {vendor_id:04x}:{product_id:04x}"
        if not Usb.is_usable():
            # Checked before creating Usb: without pyusb even its __del__ raises.
            raise PrinterError(
                PrinterState.OFFLINE,
                f"USB-Drucker nicht nutzbar ({self.where}): Paket pyusb fehlt – "
                "Bon kann später gedruckt werden",
            )
        self._printer = Usb(vendor_id, product_id, timeout=int(timeout * 1000))
        try:
            self._printer.open()
        except Exception as exc:  # DeviceNotFoundError, or pyusb's NoBackendError and kin
            raise open_error(exc, self.where) from exc

    def write(self, data: bytes) -> None:
        try:
            self._printer._raw(data)
        except Exception as exc:  # pyusb's USBError/USBTimeoutError; pyusb is optional
            raise PrinterError.interrupted(self.where) from exc

    def read_byte(self, timeout: float) -> int | None:
        return None

    def close(self) -> None:
        # Releasing the interface after the data went out changes nothing.
        with contextlib.suppress(Exception):
            self._printer.close()


class FileLink:
    """A file appended to (demo, debugging) or a printer device file such as /dev/usb/lp0.

    Opened non-blocking and written with ``select`` so a printer device that stops taking data
    cannot hang the till past the timeout. A missing path under /dev/ is a missing printer, not
    a file to create: the receipt would vanish into a regular file where the device belongs.
    """

    can_read = False

    def __init__(self, path: str, timeout: float) -> None:
        self.where = path
        self.timeout = timeout
        create = 0 if os.path.abspath(path).startswith("/dev/") else os.O_CREAT
        try:
            self._fd = os.open(path, _OPEN_FLAGS | create, 0o644)
        except OSError as exc:
            raise open_error(exc, path) from exc

    def write(self, data: bytes) -> None:
        deadline = time.monotonic() + self.timeout
        view = memoryview(data)
        try:
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([], [self._fd], [], remaining)[1]:
                    raise TimeoutError(f"printer took no data for {self.timeout} s")
                try:
                    view = view[os.write(self._fd, view) :]
                except BlockingIOError:
                    continue
        except OSError as exc:
            raise PrinterError.interrupted(self.where) from exc

    def read_byte(self, timeout: float) -> int | None:
        return None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def open_error(exc: BaseException, where: str) -> PrinterError:
    """A failed open as the seller should hear it: no permission, or no printer there."""
    if _is_permission_problem(exc):
        return PrinterError.no_access(where)
    return PrinterError.not_found(where)


def _is_permission_problem(exc: BaseException | None) -> bool:
    """Look through the exception chain: escpos and pyserial wrap the OSError they caught."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, PermissionError) or (exc.args and exc.args[0] == errno.EACCES):
            return True
        if "Permission denied" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def probe(link: Link, timeout: float) -> PrinterState:
    """Ask DLE EOT 1, 2 and 4 and decode the answers; UNKNOWN if one does not come in time.

    The questions go one at a time so every answer is matched to its question. The whole probe
    is bounded by ``timeout``. Raises PrinterError only if writing a question fails.
    """
    if not link.can_read:
        return PrinterState.UNKNOWN
    deadline = time.monotonic() + timeout
    answers: list[int] = []
    for query in STATUS_QUERIES:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return PrinterState.UNKNOWN
        link.write(query)  # a PrinterError here: the connection broke, let the caller say so
        answer = link.read_byte(remaining)
        if answer is None:
            return PrinterState.UNKNOWN
        answers.append(answer)
    return state_from_status(*answers)
