"""An input field that recognises a barcode scanner's burst and hands the scan on.

A keyboard-wedge scanner "types" all digits of a code within a few milliseconds and then
Enter. In a dialog (the tendered amount, a price, a note) such a burst must not end up in the
field: the field takes its digits out again and posts ScanArrived, and the till rings the
code up once the dialog is closed. People type far slower than a scanner.
"""

from __future__ import annotations

import time

from textual import events
from textual.message import Message
from textual.widgets import Input

BURST_GAP_SECONDS = 0.04  # a scanner sends a character every few ms; people need ≥ 80 ms
MIN_SCAN_DIGITS = 8  # EAN-8 is the shortest code a scanner reads here


class ScanArrived(Message):
    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


class ScanAwareInput(Input):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._burst: list[str] = []
        self._before_burst = ""
        self._last_key = 0.0

    async def _on_key(self, event: events.Key) -> None:
        now = time.monotonic()
        character = event.character
        if character is not None and character.isdigit():
            if not self._burst or now - self._last_key > BURST_GAP_SECONDS:
                self._burst = []
                self._before_burst = self.value
            self._burst.append(character)
        elif event.key != "enter":
            self._burst = []
        if event.key == "enter" and now - self._last_key > BURST_GAP_SECONDS:
            self._burst = []
        self._last_key = now
        await super()._on_key(event)

    async def action_submit(self) -> None:
        if len(self._burst) >= MIN_SCAN_DIGITS and self.value.endswith("".join(self._burst)):
            code = "".join(self._burst)
            self._burst = []
            self.value = self._before_burst
            self.post_message(ScanArrived(code))
            return
        self._burst = []
        await super().action_submit()
