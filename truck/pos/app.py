"""The till on the truck's screen: a Textual app over a TillSession."""

from __future__ import annotations

from collections import deque

from textual import events
from textual.app import App
from textual.widgets import Input

from truck.pos import texts
from truck.pos.screens.sale import SaleScreen
from truck.pos.screens.signon import SignOnScreen
from truck.pos.session import TillSession
from truck.pos.texts import t
from truck.pos.widgets.scan_input import ScanArrived, ScanDetector


class TillApp(App[None]):
    CSS_PATH = "till.tcss"
    TITLE = "Tourkasse"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: TillSession, *, language: str = "de") -> None:
        texts.use(language)
        super().__init__()
        self.session = session
        self.kept_scans: deque[str] = deque()
        self.scanner = ScanDetector()

    def on_mount(self) -> None:
        self.push_screen(SignOnScreen())

    def start_selling(self) -> None:
        self.switch_screen(SaleScreen())

    def back_to_sign_on(self) -> None:
        self.switch_screen(SignOnScreen())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not isinstance(self.screen, SaleScreen | SignOnScreen):
            code = self.scanner.key(event.key, event.character)
            if code is not None:
                focused = self.focused
                if isinstance(focused, Input):
                    # The field takes its keys from its own queue, after this: undo them there.
                    focused.call_later(_take_out, focused, code)
                self.post_message(ScanArrived(code))
                return  # the scanner's Enter must not answer the dialog
        await super().on_event(event)

    def on_scan_arrived(self, message: ScanArrived) -> None:
        """A scan typed into a dialog: keep it, ring it up when the sale screen is back."""
        self.kept_scans.append(message.code)
        self.notify(t("sale.scan_kept", code=message.code))
        if isinstance(self.screen, SaleScreen):
            self.ring_up_kept_scans()

    def ring_up_kept_scans(self) -> None:
        screen = self.screen
        if not isinstance(screen, SaleScreen):
            return
        while self.kept_scans:
            screen.enter(self.kept_scans.popleft())


def _take_out(field: Input, code: str) -> None:
    if field.value.endswith(code):
        field.value = field.value[: -len(code)]
