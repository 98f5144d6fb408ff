"""Sign-on: staff number and PIN; F8 switches training mode for new staff."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from tourkasse.receipt import Staff
from truck.pos.screens.dialogs import Fields
from truck.pos.session import SessionError
from truck.pos.texts import localize_bindings, t
from truck.pos.widgets.entry_line import EntryLine
from truck.pos.widgets.guard import guarded
from truck.pos.widgets.key_bar import KeyBar
from truck.store.journal import ClockBehindJournal


class SignOnScreen(Screen[None]):
    BINDINGS = [
        Binding("f8", "toggle_training", "key.training"),
        Binding("f9", "confirm_clock", "menu.clock"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self.training = False
        self.clock_staff: Staff | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog signon"):
            yield Static(t("signon.title"), classes="title")
            yield Label(t("signon.number"))
            yield EntryLine(id="number", compact=True, restrict=r"[0-9]*")
            yield Label(t("signon.pin"))
            yield EntryLine(id="pin", password=True, compact=True, restrict=r"[0-9]*")
            yield Static(t("signon.training_off"), id="training")
            yield Static(t("signon.hint"), classes="hint")
            yield Static("", id="message", classes="message")
        yield KeyBar(classes="keys")

    def on_mount(self) -> None:
        self.query_one("#number", EntryLine).focus()

    @guarded
    def action_toggle_training(self) -> None:
        self.training = not self.training
        text = t("signon.training_on") if self.training else t("signon.training_off")
        self.query_one("#training", Static).update(text)

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        number = self.query_one("#number", EntryLine)
        pin = self.query_one("#pin", EntryLine)
        if event.input is number:
            pin.focus()
            return
        session = self.app.session  # type: ignore[attr-defined]
        try:
            session.sign_on(number.value, pin.value, training=self.training)
        except SessionError:
            self.say(t("signon.wrong"), error=True)
            pin.value = ""
            number.focus()
            return
        except ClockBehindJournal as exc:
            # The PIN was right: this member of staff may confirm the clock (F9).
            self.clock_staff = session.staff
            self.say(f"{exc} {t('signon.clock_hint')}", error=True)
            return
        number.value = pin.value = ""
        self.app.start_selling()  # type: ignore[attr-defined]

    def say(self, text: str, *, error: bool = False) -> None:
        self.query_one("#message", Static).update(text)

    @work
    @guarded
    async def action_confirm_clock(self) -> None:
        if self.clock_staff is None:
            return
        fields = await self.app.push_screen_wait(Fields(t("menu.clock"), [t("clock.reason")]))
        if not fields:
            return
        session = self.app.session  # type: ignore[attr-defined]
        session.opened.till.override_clock(self.clock_staff, fields[0])
        self.clock_staff = None
        self.say(t("clock.done"))
        pin = self.query_one("#pin", EntryLine)
        self.on_input_submitted(Input.Submitted(pin, pin.value))  # sign on as asked before
