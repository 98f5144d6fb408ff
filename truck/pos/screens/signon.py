"""Sign-on: staff number and PIN; F8 switches training mode for new staff."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from truck.pos.session import SessionError
from truck.pos.texts import localize_bindings, t
from truck.pos.widgets.entry_line import EntryLine
from truck.pos.widgets.guard import guarded
from truck.pos.widgets.key_bar import KeyBar


class SignOnScreen(Screen[None]):
    BINDINGS = [Binding("f8", "toggle_training", "key.training")]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        self.training = False

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
        try:
            self.app.session.sign_on(number.value, pin.value, training=self.training)  # type: ignore[attr-defined]
        except SessionError:
            self.query_one("#message", Static).update(t("signon.wrong"))
            pin.value = ""
            number.focus()
            return
        number.value = pin.value = ""
        self.app.start_selling()  # type: ignore[attr-defined]
