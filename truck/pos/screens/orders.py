"""The orders view: this stop's orders today, or the whole day's picking list per stop.

Every text that came from an order (names, notes, article texts) is shown as plain Content,
never parsed as markup: a resident called "[b]Meier" is shown as just that.
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tourkasse.money import format_eur
from tourkasse.orders import VisitOrder
from truck.core.order_basket import quantity_text
from truck.pos import ordering
from truck.pos.session import TillSession
from truck.pos.texts import localize_bindings, t
from truck.store import orders as order_store
from truck.store.orders import OrderState, StopOrders, TruckOrder

STATE_KEYS = {
    OrderState.OPEN: "order.state_open",
    OrderState.COLLECTED: "order.state_collected",
    OrderState.NOT_COLLECTED: "order.state_not_collected",
}

OrderChoice = tuple[str, str]  # ("open" | "not_collected", order number)


def day_text(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def order_label(item: TruckOrder) -> str:
    order = item.order
    whom = ", ".join(order.households)
    if len(whom) > 40:
        whom = whom[:39] + "…"
    state = t(STATE_KEYS[item.state])
    amount = t("order.approx_total", amount=format_eur(order.approx_total))
    return f"{order.number:<7} {state:<15} {amount:>14}  {whom}"


def order_detail(item: TruckOrder) -> str:
    """The order's lines per resident or household, with the ordered quantities."""
    order: VisitOrder = item.order
    lines = [
        f"{order.number}  {t(STATE_KEYS[item.state])}  "
        f"{t('order.orderer', orderer=order.orderer)}  "
        f"{t('order.approx_total', amount=format_eur(order.approx_total))}"
    ]
    if order.note.strip():
        lines.append(t("order.note", note=order.note))
    for whom in order.households:
        lines.append(f"{whom}:")
        for line in order.lines:
            if line.for_whom == whom:
                lines.append(
                    f"  {quantity_text(line):>12}  {line.text:<28} "
                    f"{format_eur(line.approx_total):>10}"
                )
    return "\n".join(lines)


class OrdersScreen(ModalScreen[OrderChoice | None]):
    """Choose an order: Enter opens it as the receipt, N marks it not collected."""

    BINDINGS = [
        Binding("n", "not_collected", "key.not_collected"),
        Binding("t", "toggle_day", "key.whole_day"),
        Binding("escape", "cancel", "key.back"),
    ]

    def __init__(self, session: TillSession) -> None:
        super().__init__()
        localize_bindings(self)
        self.session = session
        self.day = ordering.today(session)
        self.stop = ordering.here(session)
        self.whole_day = self.stop is None
        self.shown: dict[str, TruckOrder] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide orders"):
            yield Static("", id="orders-title", classes="title")
            yield OptionList(id="orders-list")
            with Vertical(classes="scroll"):
                yield Static("", id="order-detail", classes="receipt")
            yield Static(t("order.hint"), id="orders-hint")

    def on_mount(self) -> None:
        self.fill()

    def groups(self) -> list[StopOrders]:
        if self.whole_day or self.stop is None:
            return ordering.picking_list(self.session, self.day)
        stop_id, name = self.stop
        found = order_store.orders_for_stop(self.session.opened.db, stop_id, self.day)
        return [StopOrders(stop_id, name, found)] if found else []

    def fill(self) -> None:
        groups = self.groups()
        title = (
            t("order.title_day", day=day_text(self.day))
            if self.whole_day or self.stop is None
            else t("order.title_stop", stop=self.stop[1], day=day_text(self.day))
        )
        self.query_one("#orders-title", Static).update(Content(title))
        listing = self.query_one("#orders-list", OptionList)
        listing.clear_options()
        self.shown = {}
        options: list[Option] = []
        for group in groups:
            if self.whole_day or self.stop is None:
                options.append(Option(Content(f"— {group.name} —"), disabled=True))
            for item in group.orders:
                self.shown[item.number] = item
                options.append(Option(Content(order_label(item)), id=item.number))
        listing.add_options(options)
        detail = self.query_one("#order-detail", Static)
        if not self.shown:
            detail.update(Content(self.nothing_text()))
            return
        first = next(i for i, option in enumerate(options) if not option.disabled)
        listing.highlighted = first
        detail.update(Content(order_detail(self.shown[options[first].id or ""])))

    def nothing_text(self) -> str:
        if order_store.version(self.session.opened.db) is None:
            return t("order.no_list")
        if self.whole_day or self.stop is None:
            return t("order.none_day", day=day_text(self.day))
        return t("order.none_here")

    def chosen(self) -> str | None:
        listing = self.query_one("#orders-list", OptionList)
        if listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return option.id if option.id in self.shown else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        item = self.shown.get(event.option.id or "")
        if item is not None:
            self.query_one("#order-detail", Static).update(Content(order_detail(item)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id in self.shown:
            self.dismiss(("open", event.option.id))

    def action_not_collected(self) -> None:
        number = self.chosen()
        if number is not None:
            self.dismiss(("not_collected", number))

    def action_toggle_day(self) -> None:
        if self.stop is None:
            return  # on the road there is only the whole day
        self.whole_day = not self.whole_day
        self.fill()

    def action_cancel(self) -> None:
        self.dismiss(None)
