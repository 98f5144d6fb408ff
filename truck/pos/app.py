"""The till on the truck's screen: a Textual app over a TillSession."""

from __future__ import annotations

from collections import deque

from textual import events
from textual.app import App
from textual.widgets import Input

from truck.devices.scanner.serial_scanner import SerialScanner
from truck.pos import texts
from truck.pos.screens.dialogs import Question
from truck.pos.screens.sale import SaleScreen
from truck.pos.screens.signon import SignOnScreen
from truck.pos.session import TillSession
from truck.pos.texts import t
from truck.pos.widgets.entry_line import EntryLine
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
        self.serial_scanner: SerialScanner | None = None

    def on_mount(self) -> None:
        self.push_screen(SignOnScreen())
        settings = self.session.opened.config.scanner
        if settings.kind == "serial" and settings.device:
            # The scanner's thread only hands over codes; the screen rings them up.
            self.serial_scanner = SerialScanner(
                settings.device,
                baudrate=settings.baudrate,
                on_code=lambda code: self.call_from_thread(self.post_message, ScanArrived(code)),
                on_state=lambda ok, message: self.call_from_thread(
                    self.session.device_state, "scanner", ok, message
                ),
            ).start()

    def on_unmount(self) -> None:
        if self.serial_scanner is not None:
            self.serial_scanner.stop()

    def start_selling(self) -> None:
        self.switch_screen(SaleScreen())

    def back_to_sign_on(self) -> None:
        self.switch_screen(SignOnScreen())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            # Every key is watched, so a code whose first digits went to the sale line just
            # before a dialog opened is still known as a scan when its Enter reaches the dialog.
            code = self.scanner.key(event.key, event.character)
            screen = self.screen
            on_sale_line = isinstance(screen, SaleScreen) and not screen.in_dialog
            if code is not None and not on_sale_line and not isinstance(screen, SignOnScreen):
                for stacked in self.screen_stack:
                    for field in stacked.query(EntryLine):
                        # Each field takes its keys from its own queue, after this: undo there.
                        field.call_later(_take_out, field, code)
                self.post_message(ScanArrived(code))
                return  # the scanner's Enter must not answer the dialog
        await super().on_event(event)

    def action_quit(self) -> None:
        self.run_worker(self._quit_when_nothing_is_open(), group="quit", exclusive=True)

    async def _quit_when_nothing_is_open(self) -> None:
        session = self.session
        open_items = len(session.basket_lines) + len(session.parked) + len(session.unprinted)
        if open_items and not await self.push_screen_wait(Question(t("app.quit_open"))):
            return
        self.exit()

    def on_scan_arrived(self, message: ScanArrived) -> None:
        """A scan: rung up at once on the sale screen, or kept until the dialog is closed."""
        self.kept_scans.append(message.code)
        screen = self.screen
        if isinstance(screen, SaleScreen) and not screen.in_dialog:
            self.ring_up_kept_scans()
        else:
            self.notify(t("sale.scan_kept", code=message.code))

    def ring_up_kept_scans(self) -> None:
        screen = self.screen
        if not isinstance(screen, SaleScreen):
            return
        while self.kept_scans:
            screen.enter(self.kept_scans.popleft())


def _take_out(field: Input, code: str) -> None:
    """Remove the scanner's digits from a field: all of the code, or the part that reached it."""
    value = field.value
    for size in range(min(len(code), len(value)), 0, -1):
        tail = value[-size:]
        if code.endswith(tail) or code.startswith(tail):
            field.value = value[:-size]
            return
