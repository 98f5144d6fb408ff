"""Handing over an order on the sale screen: Ctrl+B (or F12 → Bestellungen).

A mixin of the sale screen (it uses its session, ``in_dialog``, message line and
``refresh_all``). Choosing an order opens it as the receipt: its pieces go in at today's
price, each line by weight goes on the scale with the ordered weight shown, and the receipt
is then paid like any other (F10). "Nicht abgeholt" writes its journal entry at once.
Everything that came with the order is escaped before it reaches a markup-parsing widget.
"""

from __future__ import annotations

import contextlib

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tourkasse.orders import OrderedLine
from truck.core.order_basket import grams_text, weight_far_off
from truck.pos import ordering
from truck.pos.screens.dialogs import Question
from truck.pos.screens.one_dialog import one_dialog
from truck.pos.screens.orders import OrdersScreen
from truck.pos.session import SessionError
from truck.pos.texts import localize_bindings, t
from truck.pos.widgets.guard import guarded


class WeighOrdered(ModalScreen[bool]):
    """One ordered line by weight: what was ordered, then Enter weighs, Escape leaves it out."""

    AUTO_FOCUS = None  # Enter belongs to the dialog (a scanner's Enter never reaches it)
    BINDINGS = [
        Binding("enter", "answer(True)", "order.weigh"),
        Binding("escape", "answer(False)", "order.skip"),
    ]

    def __init__(self, number: str, line: OrderedLine, problem: str = "") -> None:
        super().__init__()
        localize_bindings(self)
        self.number = number
        self.line = line
        self.problem = problem

    def compose(self) -> ComposeResult:
        line = self.line
        with Vertical(classes="dialog"):
            yield Static(
                Content(t("order.weigh_title", number=self.number, text=line.text)),
                classes="title",
            )
            yield Static(
                Content(
                    t("order.weigh_ordered", whom=line.for_whom, grams=grams_text(line.quantity))
                ),
                id="ordered",
            )
            if self.problem:
                yield Static(Content(self.problem), classes="error", id="problem")
            yield Static(t("order.weigh_hint"))
            with Horizontal(classes="buttons"):
                yield Button(f"{t('order.weigh')} (Enter)", id="weigh", variant="success")
                yield Button(f"{t('order.skip')} (Esc)", id="skip", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "weigh")

    def action_answer(self, weigh: bool) -> None:
        self.dismiss(weigh)


class OrderFlow:
    """Ctrl+B on the sale screen."""

    def orders_note(self) -> str:
        """The order in the basket, or how many are open at this stop (escaped)."""
        with contextlib.suppress(Exception):  # the header must never stop the till
            number = ordering.order_of_basket(self.session)
            if number is not None:
                return escape(f"  ▲ {t('order.in_basket', number=number)}")
            count = ordering.open_here(self.session)
            if count:
                return f"  ▲ {t('order.header', count=count)}"
        return ""

    @work
    @guarded
    @one_dialog()
    async def action_orders(self) -> None:
        choice = await self.app.push_screen_wait(OrdersScreen(self.session))
        if choice is None:
            return
        action, number = choice
        if action == "not_collected":
            question = t("order.not_collected_question", number=number)
            if await self.app.push_screen_wait(Question(escape(question))):
                ordering.not_collected(self.session, number)
                self.say(escape(t("order.not_collected_done", number=number)))
                self.refresh_all()
            return
        await self.hand_over(number)

    async def hand_over(self, number: str) -> None:
        """Open order ``number`` as the receipt, weigh its loose goods, ask age limits."""
        opening = ordering.open_order(self.session, number)
        self.refresh_all(to_last=True)
        left = [item.reason for item in opening.left_out]
        for line, article in opening.plan.weighed:
            if not await self.weigh_ordered(opening.order.number, line, article.number):
                left.append(t("order.skipped", text=line.text))
            self.refresh_all(to_last=True)
        left.extend(await self.ask_ages())
        reasons = "; ".join(left)
        if ordering.give_up_if_empty(self.session):
            text = t("order.nothing_in", number=number)
            self.say(escape("  –  ".join(filter(None, [text, reasons]))), error=True)
        else:
            text = t("order.opened", number=number)
            missing = t("order.left_out", lines=reasons) if reasons else ""
            self.say(escape("  –  ".join(filter(None, [text, missing]))), error=bool(reasons))
        self.refresh_all(to_last=True)

    async def weigh_ordered(self, number: str, line: OrderedLine, article: str) -> bool:
        """Weigh one ordered line until the scale reports a weight or staff leave it out.

        A weight far off the one ordered (``weight_far_off``) is taken only when staff say so
        (J); N takes the weighed line out again and weighs the line anew."""
        problem = ""
        while True:
            if not await self.app.push_screen_wait(WeighOrdered(number, line, problem)):
                return False
            basket = self.session.current().basket
            index = len(basket.lines)  # where the weighed line goes
            try:
                weighed = self.session.weigh(article)  # the scale's weight at today's price
            except SessionError as exc:  # still moving, nothing on it, scale gone: say, retry
                problem = str(exc)
                self.refresh_all()
                continue
            if weight_far_off(line.quantity, weighed.quantity):
                self.refresh_all(to_last=True)  # the line stands on the receipt while asked
                grams = {"weighed": weighed.quantity, "ordered": line.quantity}
                question = t("order.weight_question", **grams)
                if not await self.app.push_screen_wait(Question(escape(question))):
                    basket.void_line(index)  # not taken: weigh this line again
                    problem = t("order.weight_not_taken", weighed=weighed.quantity)
                    self.refresh_all()
                    continue
            return True

    async def ask_ages(self) -> list[str]:
        """The age question for every line with an age limit; a "no" takes the line out."""
        basket = self.session.current().basket
        refused: list[str] = []
        index = 0
        while index < len(basket.lines):
            line = basket.lines[index]
            if line.age_limit and not await self.app.push_screen_wait(
                Question(escape(t("age.question", name=line.text, age=line.age_limit)))
            ):
                basket.void_line(index)
                refused.append(f"{line.text}: {t('sale.age_refused')}")
                continue
            index += 1
        return refused
