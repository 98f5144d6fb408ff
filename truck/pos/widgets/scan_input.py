"""Telling a barcode scanner from a person at the keyboard.

A keyboard-wedge scanner "types" all digits of a code within a few milliseconds and then
Enter. On the sale screen that simply goes into the input line. In a dialog (the tendered
amount, a price, a list, a yes/no question) it must neither end up in a field nor answer the
question with its Enter: the app watches the keys, recognises the burst, takes its digits out
of the field again, swallows the Enter and keeps the code, which the till rings up once the
dialog is closed. People type far slower than a scanner.
"""

from __future__ import annotations

import time

from textual.message import Message

BURST_GAP_SECONDS = 0.04  # a scanner sends a character every few ms; people need ≥ 80 ms
MIN_SCAN_DIGITS = 8  # EAN-8 is the shortest code a scanner reads here


class ScanArrived(Message):
    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


class ScanDetector:
    def __init__(self) -> None:
        self._burst: list[str] = []
        self._last = 0.0

    def key(self, key: str, character: str | None, now: float | None = None) -> str | None:
        """Feed one key; returns the code when this key (Enter) ends a scanner's burst."""
        now = time.monotonic() if now is None else now
        gap = now - self._last
        self._last = now
        if character is not None and character.isdigit():
            if gap > BURST_GAP_SECONDS:
                self._burst = []
            self._burst.append(character)
            return None
        burst, self._burst = self._burst, []
        if key == "enter" and gap <= BURST_GAP_SECONDS and len(burst) >= MIN_SCAN_DIGITS:
            return "".join(burst)
        return None
