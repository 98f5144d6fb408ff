"""Payment: the amount due in big digits, cash with quick amounts, card, or both.

Returns (cash tendered or None, card amount) to the sale screen, which books the payment.
A negative total (only empties and returns) is paid out in cash after a confirmation.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Digits, Input, Label, Static

from tourkasse.money import format_eur, parse_eur
from truck.core.payment import QUICK_AMOUNTS, PaymentError, settle
from truck.pos.screens.dialogs import Question
from truck.pos.texts import localize_bindings, t
from truck.pos.widgets.entry_line import EntryLine
from truck.pos.widgets.guard import guarded
from truck.pos.widgets.key_bar import KeyBar

Result = tuple[int | None, int] | None


class PaymentScreen(ModalScreen[Result]):
    BINDINGS = [
        Binding("f5", "quick(0)", "5 €"),
        Binding("f6", "quick(1)", "10 €"),
        Binding("f7", "quick(2)", "20 €"),
        Binding("f8", "quick(3)", "50 €"),
        Binding("f9", "exact", "pay.exact"),
        Binding("f10", "card", "pay.card"),
        Binding("f11", "card_part", "pay.card_part"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, total: int) -> None:
        super().__init__()
        localize_bindings(self)
        self.total = total
        self.card = 0

    @property
    def rest(self) -> int:
        return self.total - self.card

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog payment"):
            yield Static(t("pay.due") if self.total >= 0 else t("pay.payout"), id="due-label")
            yield Digits(format_eur(abs(self.total), symbol=False), id="due")
            yield Static("", id="card-part")
            yield Label(t("pay.tendered"))
            yield EntryLine(id="tendered", compact=True, restrict=r"[0-9,.]*")
            with Horizontal(classes="buttons"):
                for index, cents in enumerate(QUICK_AMOUNTS):
                    yield Button(f"{cents // 100} €", id=f"quick-{index}", classes="quick")
                yield Button(t("pay.exact"), id="exact", variant="primary")
                yield Button(t("pay.card"), id="card", variant="warning")
            yield Static("", id="pay-message", classes="message")
        yield KeyBar(classes="keys")

    def on_mount(self) -> None:
        self.query_one("#tendered", EntryLine).focus()
        if self.total <= 0:
            self.confirm_payout()

    @work
    @guarded
    async def confirm_payout(self) -> None:
        question = t("pay.payout_confirm", amount=format_eur(-self.total))
        if await self.app.push_screen_wait(Question(question)):
            self.dismiss((None, 0))
        else:
            self.dismiss(None)

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            return
        try:
            tendered = parse_eur(event.value)
        except ValueError as exc:
            self.query_one("#pay-message", Static).update(str(exc))
            event.input.value = ""
            return
        self.pay_cash(tendered)

    @guarded
    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("quick-"):
            self.action_quick(int(button.removeprefix("quick-")))
        elif button == "exact":
            self.action_exact()
        elif button == "card":
            self.action_card()

    @guarded
    def action_quick(self, index: int) -> None:
        self.pay_cash(QUICK_AMOUNTS[index])

    @guarded
    def action_exact(self) -> None:
        self.pay_cash(self.rest)

    @guarded
    def pay_cash(self, tendered: int) -> None:
        try:
            settle(self.total, cash_tendered=tendered, card=self.card)
        except PaymentError as exc:
            self.query_one("#pay-message", Static).update(str(exc))
            self.query_one("#tendered", EntryLine).value = ""  # the next amount starts afresh
            return
        self.dismiss((tendered, self.card))

    @work
    @guarded
    async def action_card(self) -> None:
        amount = self.rest
        if await self.app.push_screen_wait(
            Question(t("pay.card_confirm", amount=format_eur(amount)))
        ):
            self.dismiss((None, self.card + amount))

    @work
    @guarded
    async def action_card_part(self) -> None:
        entry = self.query_one("#tendered", EntryLine)
        try:
            amount = parse_eur(entry.value)
        except ValueError as exc:
            self.query_one("#pay-message", Static).update(str(exc))
            return
        if not 0 < amount < self.rest:
            self.query_one("#pay-message", Static).update(
                t("pay.card_part_range", amount=format_eur(self.rest - 1))
            )
            return
        if await self.app.push_screen_wait(
            Question(t("pay.card_confirm", amount=format_eur(amount)))
        ):
            self.card += amount
            entry.value = ""
            self.query_one("#card-part", Static).update(
                t("pay.card_rest", amount=format_eur(self.card), rest=format_eur(self.rest))
            )
            self.query_one("#due", Digits).update(format_eur(self.rest, symbol=False))

    @guarded
    def action_back(self) -> None:
        if self.card:
            # the terminal has charged the card: leaving now would lose that payment
            message = t("pay.card_kept", amount=format_eur(self.card))
            self.query_one("#pay-message", Static).update(message)
            return
        self.dismiss(None)
