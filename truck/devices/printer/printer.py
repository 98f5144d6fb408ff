"""The receipt printer as the till sees it: print a document, render its bytes, ask the status.

The till builds one :class:`ReceiptPrinter` from its configuration and calls it from a worker
thread; calls on one printer are serialised, so a status query never interleaves with a receipt.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal, get_args

from .document import Document
from .links import FileLink, Link, NetworkLink, SerialLink, UsbLink, probe
from .render import check_code_page, load_profile, render
from .status import BLOCKING_STATES, PrinterError, PrinterState

Kind = Literal["none", "file", "network", "serial", "usb"]
KINDS: tuple[str, ...] = get_args(Kind)

#: How long print_document waits for the status answers before sending a receipt. Printers
#: answer within milliseconds; one that never answers DLE EOT costs each receipt this much.
PREFLIGHT_TIMEOUT = 1.0


@dataclass(frozen=True)
class PrinterSettings:
    """Where the printer is and how it is driven; see :meth:`ReceiptPrinter.from_settings`."""

    kind: Kind
    path: str | None = None
    host: str | None = None
    port: int = 9100
    device: str | None = None
    baudrate: int = 9600
    vendor_id: int | None = None
    product_id: int | None = None
    columns: int = 42
    code_page: str = "CP858"
    timeout: float = 5.0
    profile: str | None = None

    def target(self) -> str:
        """Where the printer is, as the error messages name it."""
        if self.kind == "network":
            return f"{self.host}:{self.port}"
        if self.kind == "usb":
            return f"USB {self.vendor_id:04x}:{self.product_id:04x}"
        return {"file": self.path, "serial": self.device}.get(self.kind) or "kein Drucker"


class ReceiptPrinter:
    """An ESC/POS receipt printer (or none), rendering with python-escpos."""

    def __init__(self, settings: PrinterSettings) -> None:
        _check(settings)
        self.settings = settings
        self._code_page = check_code_page(load_profile(settings.profile), settings.code_page)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls,
        kind: Kind,
        *,
        path: str | None = None,
        host: str | None = None,
        port: int = 9100,
        device: str | None = None,
        baudrate: int = 9600,
        vendor_id: int | str | None = None,
        product_id: int | str | None = None,
        columns: int = 42,
        code_page: str = "CP858",
        timeout: float = 5.0,
        profile: str | None = None,
    ) -> ReceiptPrinter:
        """Build the printer from configuration values; ValueError names what is wrong.

        ``columns``: 42 (or 48) for 80 mm paper, 32 for 58 mm. ``vendor_id``/``product_id`` as
        ints or as the hex strings lsusb shows ("04b8"). ``profile``: a python-escpos printer
        profile name; the default profile has CP858 and native QR codes.
        """
        return cls(
            PrinterSettings(
                kind=kind,
                path=path,
                host=host,
                port=port,
                device=device,
                baudrate=baudrate,
                vendor_id=_usb_id(vendor_id),
                product_id=_usb_id(product_id),
                columns=columns,
                code_page=code_page,
                timeout=timeout,
                profile=profile,
            )
        )

    @property
    def kind(self) -> Kind:
        return self.settings.kind

    @property
    def columns(self) -> int:
        """Characters per line in normal size, for the till's layout."""
        return self.settings.columns

    @property
    def target(self) -> str:
        return self.settings.target()

    def render_bytes(self, doc: Document) -> bytes:
        """The exact bytes print_document sends for ``doc`` (without the status questions)."""
        try:
            return render(
                doc, profile=self.settings.profile, code_page=self._code_page, columns=self.columns
            )
        except Exception as exc:  # a bug or an absurd QR payload: still no raw exception
            raise PrinterError(
                PrinterState.UNKNOWN, f"Bon konnte nicht aufbereitet werden ({exc})"
            ) from exc

    def print_document(self, doc: Document) -> None:
        """Print ``doc`` or raise PrinterError; nothing at all for kind "none".

        On network and serial printers the status is asked first, on the same connection: with
        the paper out or the cover open the receipt is not sent (the printer would keep it in its
        buffer and print it whenever the roll is changed, after the till has perhaps printed it
        again) and the error says what to do. No answer means: print anyway.
        """
        if self.kind == "none":
            return
        data = self.render_bytes(doc)
        with self._lock:
            link = self._open()
            try:
                state = probe(link, min(self.settings.timeout, PREFLIGHT_TIMEOUT))
                if state in BLOCKING_STATES:
                    raise PrinterError.for_state(state, self.target)
                link.write(data)
            finally:
                link.close()

    def status(self) -> PrinterState:
        """The printer's state by DLE EOT (network, serial); UNKNOWN where it cannot be read.

        Never raises and never takes longer than the timeout (also while a receipt prints: then
        the answer is UNKNOWN). A printer that cannot be reached is OFFLINE.
        """
        if self.kind not in ("network", "serial"):
            return PrinterState.UNKNOWN
        deadline = time.monotonic() + self.settings.timeout
        if not self._lock.acquire(timeout=self.settings.timeout):
            return PrinterState.UNKNOWN
        try:
            try:
                link = self._open(timeout=max(deadline - time.monotonic(), 0.001))
            except PrinterError:
                return PrinterState.OFFLINE
            try:
                return probe(link, deadline - time.monotonic())
            except PrinterError:
                return PrinterState.OFFLINE
            finally:
                link.close()
        finally:
            self._lock.release()

    def _open(self, timeout: float | None = None) -> Link:
        s = self.settings
        timeout = s.timeout if timeout is None else timeout
        if s.kind == "network":
            assert s.host is not None
            return NetworkLink(s.host, s.port, timeout)
        if s.kind == "serial":
            assert s.device is not None
            return SerialLink(s.device, s.baudrate, timeout)
        if s.kind == "usb":
            assert s.vendor_id is not None and s.product_id is not None
            return UsbLink(s.vendor_id, s.product_id, timeout)
        assert s.kind == "file" and s.path is not None
        return FileLink(s.path, timeout)


def _check(s: PrinterSettings) -> None:
    if s.kind not in KINDS:
        raise ValueError(f"Unbekannte Druckerart {s.kind!r} (erlaubt: {', '.join(KINDS)})")
    needed = {"file": ("path",), "network": ("host",), "serial": ("device",)}
    needed["usb"] = ("vendor_id", "product_id")
    for name in needed.get(s.kind, ()):
        if not getattr(s, name):
            raise ValueError(f"Drucker {s.kind!r}: {name} fehlt in der Konfiguration")
    if not 1 <= s.port <= 65535:
        raise ValueError(f"Druckerport {s.port} ist keine gültige Portnummer")
    if not 16 <= s.columns <= 64:
        raise ValueError(f"Spaltenzahl {s.columns}: 42 oder 48 für 80 mm, 32 für 58 mm")
    if not s.timeout > 0:
        raise ValueError(f"Drucker-Zeitlimit {s.timeout} muss größer als 0 sein")
    if s.baudrate <= 0:
        raise ValueError(f"Baudrate {s.baudrate} muss größer als 0 sein")


def _usb_id(value: int | str | None) -> int | None:
    """USB ids as lsusb prints them ("04b8", "0x04b8") or as numbers."""
    if value is None or isinstance(value, int):
        return value
    try:
        return int(value, 16)
    except ValueError:
        raise ValueError(f"USB-Kennung {value!r} ist keine Hexadezimalzahl") from None
