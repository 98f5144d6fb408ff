"""The till on the truck's screen: a Textual app over a TillSession."""

from __future__ import annotations

from collections import deque

from textual.app import App

from truck.pos import texts
from truck.pos.screens.sale import SaleScreen
from truck.pos.screens.signon import SignOnScreen
from truck.pos.session import TillSession
from truck.pos.texts import t
from truck.pos.widgets.scan_input import ScanArrived


class TillApp(App[None]):
    CSS_PATH = "till.tcss"
    TITLE = "Tourkasse"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: TillSession, *, language: str = "de") -> None:
        texts.use(language)
        super().__init__()
        self.session = session
        self.kept_scans: deque[str] = deque()

    def on_mount(self) -> None:
        self.push_screen(SignOnScreen())

    def start_selling(self) -> None:
        self.switch_screen(SaleScreen())

    def back_to_sign_on(self) -> None:
        self.switch_screen(SignOnScreen())

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
