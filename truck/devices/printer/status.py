"""Printer states, the error the till sees, and how ESC/POS real-time status bytes decode.

Every failure reaches the till as a :class:`PrinterError` with a :class:`PrinterState` and a German
sentence for the seller — never a socket, serial or escpos exception — because the sale is already
booked when the receipt prints: the till only has to say what is wrong and offer a reprint later.
"""

from __future__ import annotations

import enum

DLE_EOT = b"\x10\x04"
#: The three DLE EOT queries, in the order they are asked: printer, offline cause, paper sensor.
STATUS_QUERIES: tuple[bytes, ...] = (DLE_EOT + b"\x01", DLE_EOT + b"\x02", DLE_EOT + b"\x04")

_FIXED_MASK = 0x93  # bits 0, 1, 4, 7 of every DLE EOT answer are fixed ...
_FIXED_BITS = 0x12  # ... to 0, 1, 1, 0 — anything else is not a status answer
_OFFLINE = 0x08  # n=1 bit 3
_COVER_OPEN = 0x04  # n=2 bit 2
_STOPPED_PAPER_END = 0x20  # n=2 bit 5
_ERROR = 0x40  # n=2 bit 6
_NEAR_END = 0x0C  # n=4 bits 2-3
_PAPER_END = 0x60  # n=4 bits 5-6

LATER = "Bon kann später gedruckt werden"


class PrinterState(enum.Enum):
    """What the printer reports; UNKNOWN when the connection cannot tell (file, USB, no answer)."""

    READY = "ready"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    @property
    def message(self) -> str:
        """A short German sentence for the till's status line."""
        return _MESSAGES[self]


_MESSAGES = {
    PrinterState.READY: "Drucker bereit",
    PrinterState.PAPER_NEAR_END: "Papier geht zur Neige – Ersatzrolle bereitlegen",
    PrinterState.PAPER_OUT: "Papier leer – bitte Rolle wechseln",
    PrinterState.COVER_OPEN: "Druckerdeckel offen – bitte schließen",
    PrinterState.OFFLINE: "Drucker nicht erreichbar",
    PrinterState.UNKNOWN: "Druckerzustand unbekannt",
}

#: States in which a receipt sent now would not come out; print_document refuses to send then.
BLOCKING_STATES = frozenset({PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.OFFLINE})


class PrinterError(Exception):
    """The receipt was not printed; ``state`` says why, ``str(error)`` says it to the seller."""

    def __init__(self, state: PrinterState, message: str) -> None:
        super().__init__(message)
        self.state = state
        self.message = message

    @classmethod
    def unreachable(cls, where: str) -> PrinterError:
        return cls(PrinterState.OFFLINE, f"Drucker nicht erreichbar ({where}) – {LATER}")

    @classmethod
    def not_found(cls, where: str) -> PrinterError:
        return cls(
            PrinterState.OFFLINE, f"Drucker nicht gefunden ({where}) – Kabel prüfen; {LATER}"
        )

    @classmethod
    def no_access(cls, where: str) -> PrinterError:
        return cls(
            PrinterState.OFFLINE,
            f"Kein Zugriff auf den Drucker ({where}) – Rechte prüfen (udev-Regel); {LATER}",
        )

    @classmethod
    def interrupted(cls, where: str) -> PrinterError:
        return cls(
            PrinterState.OFFLINE,
            f"Verbindung zum Drucker abgebrochen ({where}) – Bon bitte erneut drucken",
        )

    @classmethod
    def for_state(cls, state: PrinterState, where: str) -> PrinterError:
        """The error for a status the printer reported before a receipt was sent."""
        if state is PrinterState.OFFLINE:
            return cls(state, f"Drucker meldet eine Störung ({where}) – bitte prüfen; {LATER}")
        return cls(state, state.message)


def is_status_byte(value: int) -> bool:
    """True if ``value`` has the fixed bits every DLE EOT answer carries."""
    return value & _FIXED_MASK == _FIXED_BITS


def state_from_status(printer: int, offline_cause: int, paper: int) -> PrinterState:
    """Decode the answers to DLE EOT 1, 2 and 4 (Epson ESC/POS, followed by most clones).

    The cover is checked first: with the cover open the paper sensor sees no paper either, and
    "close the cover" is what the seller must do. Bytes that are not status answers (an automatic
    status back, line noise) make the state UNKNOWN rather than a guess.
    """
    if not all(is_status_byte(value) for value in (printer, offline_cause, paper)):
        return PrinterState.UNKNOWN
    if offline_cause & _COVER_OPEN:
        return PrinterState.COVER_OPEN
    if paper & _PAPER_END or offline_cause & _STOPPED_PAPER_END:
        return PrinterState.PAPER_OUT
    if printer & _OFFLINE or offline_cause & _ERROR:
        return PrinterState.OFFLINE
    if paper & _NEAR_END:
        return PrinterState.PAPER_NEAR_END
    return PrinterState.READY
