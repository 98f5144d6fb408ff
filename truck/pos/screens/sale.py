"""The sale screen: the basket, the big total, and the input line that always has the focus."""

from __future__ import annotations

import asyncio
import contextlib

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Digits, Input, Static

from tourkasse.article import Unit
from tourkasse.money import format_eur, parse_eur
from tourkasse.receipt import LineKind, ReceiptLine
from truck.devices.printer.status import PrinterError
from truck.pos.screens.dialogs import Choose, Fields, Question
from truck.pos.screens.downloads import TakingDownloads
from truck.pos.screens.menu import run_menu
from truck.pos.screens.one_dialog import one_dialog
from truck.pos.screens.order_flow import OrderFlow
from truck.pos.screens.payment import PaymentScreen
from truck.pos.screens.weighing import Weighing
from truck.pos.session import PrintOutcome, SessionError, TillSession, WeighingRefused
from truck.pos.texts import localize_bindings, t
from truck.pos.widgets.entry_line import EntryLine
from truck.pos.widgets.guard import guarded
from truck.pos.widgets.key_bar import KeyBar
from truck.pos.widgets.status_line import StatusLine

PRINTER_POLL_SECONDS = 30
PLACE_POLL_SECONDS = 2  # how soon an arrival the agent journals shows on the screen


def split_quantity(text: str) -> tuple[int, str]:
    """``3*2001``, ``3x2001`` or ``2001``: the multiplier and what follows it."""
    for mark in ("*", "x", "X"):
        head, sep, tail = text.partition(mark)
        if sep and head.strip().isdigit() and tail.strip():
            return int(head), tail.strip()
    return 1, text.strip()


def quantity_text(line: ReceiptLine) -> str:
    if line.unit is Unit.KG:
        kilos, grams = divmod(abs(line.quantity), 1000)
        return f"{'-' if line.quantity < 0 else ''}{kilos},{grams:03d} kg"
    return str(line.quantity)


class SaleScreen(Weighing, TakingDownloads, OrderFlow, Screen[None]):
    BINDINGS = [
        Binding("f1", "department", "key.department"),
        Binding("f2", "search", "key.search"),
        Binding("f3", "weigh", "key.weigh"),
        Binding("f4", "void_line", "key.void_line"),
        Binding("f5", "override_price", "key.price"),
        Binding("f6", "discount", "key.discount"),
        Binding("f7", "take_back", "key.take_back"),
        Binding("f8", "park", "key.park"),
        Binding("f9", "abort", "key.abort"),
        Binding("f10", "pay", "key.pay"),
        Binding("f11", "allergens", "key.info"),
        Binding("f12", "menu", "key.menu"),
        # orders for this stop (also in the F12 menu; the header says when some are open)
        Binding("ctrl+b", "orders", "key.orders", show=False),
        # the input line keeps the focus; the arrows choose the line F4, F5, F6, F11 act on
        Binding("up", "select_line(-1)", show=False),
        Binding("down", "select_line(1)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)
        # One dialog at a time: a key pressed before a dialog is up must not open a second.
        self.in_dialog = False

    @property
    def session(self) -> TillSession:
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Static("", id="header")
        with Horizontal(id="middle"):
            yield DataTable(id="basket", cursor_type="row", zebra_stripes=True)
            with Vertical(id="side"):
                yield Static(t("sale.total"), id="total-label")
                yield Digits("0,00", id="total")
                yield Vertical(id="loose")
        yield Static("", id="message")
        yield EntryLine(placeholder=t("sale.input"), id="entry", compact=True, clear_on_submit=True)
        yield StatusLine(id="status")
        yield KeyBar(classes="keys")

    def on_mount(self) -> None:
        table = self.query_one("#basket", DataTable)
        # fixed widths: amounts up to 10.000,00 and weights never get cut off
        table.add_column(t("sale.col_text"), width=24)
        table.add_column(t("sale.col_qty"), width=10)
        table.add_column(t("sale.col_total"), width=10)
        news = self.take_downloads()  # between receipts: before the buttons name articles
        loose = self.query_one("#loose", Vertical)
        for number in self.session.opened.config.pos.loose_goods:
            article = self.session.article(number)
            if article is not None:
                loose.mount(Button(article.name.split()[0], id=f"loose-{number}", classes="loose"))
        self.refresh_all()
        if news:
            self.say(news)
        self.focus_entry()
        self.set_interval(PRINTER_POLL_SECONDS, self.poll_printer)
        self.set_interval(PLACE_POLL_SECONDS, self.refresh_place)

    async def poll_printer(self) -> None:
        """Ask the printer how it is (paper, cover), in a thread: it may take a moment."""
        status = getattr(self.session.printer, "status", None)
        if status is None:
            return
        state = await asyncio.to_thread(status)
        self.session.printer_state(state)
        self.query_one("#status", StatusLine).refresh_status()

    # --- always back to the input line ----------------------------------------------------

    def focus_entry(self) -> None:
        self.query_one("#entry", EntryLine).focus()

    def on_screen_resume(self) -> None:
        self.refresh_all()
        self.focus_entry()
        self.app.call_later(self.app.ring_up_kept_scans)  # type: ignore[attr-defined]

    def on_descendant_blur(self) -> None:
        if self.app.screen is self:
            self.call_after_refresh(self.focus_entry)

    # --- showing ------------------------------------------------------------------------

    def place(self) -> str:
        """Where the truck is, for the header: the stop, or on the road."""
        with contextlib.suppress(Exception):  # the header must never stop the till
            where = self.session.whereabouts()
            if where is not None:
                name = where.name if where.stop_id else t("stop.on_the_road")
                by_hand = f" ({t('stop.by_hand')})" if where.source == "staff" else ""
                return f"  ◆ {name}{by_hand}"
        return ""

    def refresh_place(self) -> None:
        """The agent writes arrivals, departures and downloads while the till runs."""
        self.refresh_header()
        self.query_one("#status", StatusLine).refresh_status()
        self.take_downloads_now()

    def refresh_header(self) -> None:
        session = self.session
        staff = session.staff
        who = f"{staff.name} ({staff.number})" if staff else ""
        banner = f"  ■ {t('sale.training_banner')} ■" if session.training else ""
        parked = f"  {t('sale.parked', count=len(session.parked))}" if session.parked else ""
        header = self.query_one("#header", Static)
        orders = self.orders_note()
        header.update(
            f"{session.opened.config.shop.name} – {who}{banner}{parked}{self.place()}{orders}"
        )
        header.set_class(session.training, "training")

    def refresh_all(self, *, change: int | None = None, to_last: bool = False) -> None:
        session = self.session
        self.refresh_header()
        table = self.query_one("#basket", DataTable)
        selected = table.cursor_row
        table.clear()
        for line in session.basket_lines:
            text = f"  {line.text}" if line.kind in (LineKind.DEPOSIT,) else line.text
            amount = format_eur(line.total, symbol=False)
            table.add_row(text, quantity_text(line), Text(amount, justify="right"))
        if table.row_count:
            # a new line is selected; otherwise the line staff chose stays chosen
            row = table.row_count - 1 if to_last else min(max(selected, 0), table.row_count - 1)
            table.move_cursor(row=row)
        label = self.query_one("#total-label", Static)
        digits = self.query_one("#total", Digits)
        if change is not None and session.basket_lines == ():
            label.update(t("sale.change") if change >= 0 else t("sale.paid_out"))
            digits.update(format_eur(abs(change), symbol=False))
            digits.add_class("change")
        else:
            label.update(t("sale.total"))
            digits.update(format_eur(session.total, symbol=False))
            digits.remove_class("change")
        self.query_one("#status", StatusLine).refresh_status()

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "error")

    def selected(self) -> tuple[int, ReceiptLine]:
        """The line the arrows chose, for F4, F5, F6, F11; refused on an empty receipt."""
        index = self.selected_index()
        if index is None:
            raise SessionError(t("sale.no_line"))
        return index, self.session.basket_lines[index]

    def selected_index(self) -> int | None:
        lines = self.session.basket_lines
        if not lines:
            return None
        row = self.query_one("#basket", DataTable).cursor_row
        return row if 0 <= row < len(lines) else len(lines) - 1

    # --- input --------------------------------------------------------------------------

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        if self.in_dialog:
            # typed or scanned while a dialog is opening: ring it up when the dialog closes
            self.app.kept_scans.append(text)  # type: ignore[attr-defined]
            return
        self.enter(text)

    @guarded
    def enter(self, text: str) -> None:
        """One entry of the input line: a code, N*code, a department key with price, or a name."""
        quantity, code = split_quantity(text)
        if "=" in code:
            key, price = code.split("=", 1)
            line = self.session.current().department(key.strip(), parse_eur(price), quantity)
        elif code.replace(" ", "").isdigit():
            try:
                line = self.session.scan(code, quantity)
            except WeighingRefused as refused:
                self.offer_weighing_again(refused)
                return
        else:
            self.search(code)
            return
        self.added(line)

    def added(self, line: ReceiptLine) -> None:
        self.say(f"{line.text}  {format_eur(line.total)}")
        self.refresh_all(to_last=True)
        if line.age_limit:
            self.in_dialog = True  # at once: no payment may open before the question is up
            self.ask_age(line)

    @work
    @guarded
    @one_dialog(already_open=True)
    async def ask_age(self, line: ReceiptLine) -> None:
        question = t("age.question", name=line.text, age=line.age_limit)
        if not await self.app.push_screen_wait(Question(question)):
            lines = self.session.basket_lines
            index = max((i for i, item in enumerate(lines) if item == line), default=None)
            if index is not None:
                self.session.current().basket.void_line(index)
            self.say(t("sale.age_refused"), error=True)
            self.refresh_all()

    # --- actions ------------------------------------------------------------------------

    @guarded
    def action_select_line(self, step: int) -> None:
        table = self.query_one("#basket", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    @guarded
    def action_search(self) -> None:
        if self.in_dialog:
            return
        entry = self.query_one("#entry", EntryLine)
        text, entry.value = entry.value, ""
        self.search(text)

    @work
    @guarded
    @one_dialog()
    async def search(self, text: str) -> None:
        if not text.strip():
            fields = await self.app.push_screen_wait(
                Fields(t("search.title"), [t("search.input")], [text])
            )
            if not fields or not fields[0].strip():
                return
            text = fields[0]
        found = self.session.search(text)
        if not found:
            self.say(t("search.none"), error=True)
            return
        choice = await self.app.push_screen_wait(
            Choose(
                t("search.title"),
                [
                    f"{a.number:>5}  {a.name}  {format_eur(a.price)}{'/kg' if a.unit is Unit.KG else ''}"
                    for a in found
                ],
            )
        )
        if choice is None:
            return
        article = found[choice]
        if article.unit is Unit.KG:
            try:
                line = self.session.weigh(article.number)
            except WeighingRefused as refused:
                # once this dialog is closed
                self.call_later(self.offer_weighing_again, refused)
                return
        else:
            line = self.session.scan(article.number)
        self.added(line)

    @work
    @guarded
    @one_dialog()
    async def action_department(self) -> None:
        """A department key: goods not in the list, at an open price in their group."""
        departments = self.session.departments()
        if not departments:
            raise SessionError(t("department.none"))
        labels = [f"{d.key:<5} {d.name} ({d.vat_rate.percent_text})" for d in departments]
        choice = await self.app.push_screen_wait(Choose(t("department.title"), labels))
        if choice is None:
            return
        department = departments[choice]
        fields = await self.app.push_screen_wait(Fields(department.name, [t("department.price")]))
        if not fields:
            return
        quantity, price = split_quantity(fields[0])
        line = self.session.current().department(department.key, parse_eur(price), quantity)
        self.added(line)

    @guarded
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("loose-"):
            self.weigh(event.button.id.removeprefix("loose-"))
        self.focus_entry()

    @guarded
    def action_void_line(self) -> None:
        if self.in_dialog:
            return
        index, _ = self.selected()
        self.session.current().basket.void_line(index)
        self.say(t("sale.voided_line"))
        self.refresh_all()

    @work
    @guarded
    @one_dialog()
    async def action_override_price(self) -> None:
        index, line = self.selected()
        fields = await self.app.push_screen_wait(
            Fields(t("price.title", name=line.text), [t("price.new"), t("price.reason")])
        )
        if not fields:
            return
        self.session.current().basket.override_price(index, parse_eur(fields[0]), fields[1])
        self.refresh_all()

    @work
    @guarded
    @one_dialog()
    async def action_discount(self) -> None:
        index, line = self.selected()
        fields = await self.app.push_screen_wait(
            Fields(t("discount.title", name=line.text), [t("discount.value")])
        )
        if not fields:
            return
        value = fields[0].strip()
        basket = self.session.current().basket
        if value.endswith("%"):
            percent = value.rstrip("% ")
            if not percent.isdigit():
                raise SessionError(t("discount.whole_percent"))
            basket.discount_line(index, percent=int(percent))
        else:
            basket.discount_line(index, cents=parse_eur(value))
        self.refresh_all()

    @work
    @guarded
    @one_dialog()
    async def action_take_back(self) -> None:
        fields = await self.app.push_screen_wait(Fields(t("takeback.title"), [t("takeback.input")]))
        if not fields or not fields[0].strip():
            return
        quantity, code = split_quantity(fields[0].strip())
        line = self.session.current().take_back(code, quantity)
        self.added(line)

    @work
    @guarded
    @one_dialog()
    async def action_park(self) -> None:
        session = self.session
        if session.basket_lines:
            session.park()
            self.say(t("sale.parked_done"))
            self.refresh_all()
            return
        if not session.parked:
            self.say(t("sale.nothing"), error=True)
            return
        choice = await self.app.push_screen_wait(
            Choose(t("park.title"), [parked.label for parked in session.parked])
        )
        if choice is not None:
            session.resume(choice)
            self.say(t("sale.resumed"))
            self.refresh_all()

    @work
    @guarded
    @one_dialog()
    async def action_abort(self) -> None:
        if not self.session.basket_lines:
            self.say(t("sale.nothing"), error=True)
            return
        if await self.app.push_screen_wait(Question(t("abort.question"))):
            self.session.abort()
            self.say(t("sale.aborted"))
            self.refresh_all()

    @work
    @guarded
    @one_dialog()
    async def action_pay(self) -> None:
        session = self.session
        if not session.basket_lines:
            self.say(t("sale.nothing"), error=True)
            return
        total = session.total
        result = await self.app.push_screen_wait(PaymentScreen(total))
        if result is None:
            return
        if session.total != total:
            self.say(t("pay.changed"), error=True)
            return
        cash, card = result
        done = session.pay(cash_tendered=cash, card=card)
        outcome = await self.print(done.number)
        if outcome.printed:
            await self.poll_printer()  # after the receipt: paper near its end?
        news = self.take_downloads()  # the receipt is finished: a new list may apply now
        if outcome.printed:
            self.say("  –  ".join(filter(None, [t("sale.paid", number=done.number), news])))
        else:
            text = t("sale.not_printed", number=done.number, reason=outcome.message)
            self.say("  –  ".join(filter(None, [text, news])), error=True)
        paid_out = done.receipt.total < 0
        self.refresh_all(change=done.receipt.total if paid_out else done.receipt.change)

    async def print(self, number: int, *, copy: bool = False) -> PrintOutcome:
        """Print without blocking the screen: the printer may take seconds to answer."""
        document, _ = self.session.document(number, copy=copy)
        try:
            await asyncio.to_thread(self.session.printer.print_document, document)
        except PrinterError as exc:
            return self.session.printed(number, exc, copy=copy)
        return self.session.printed(number, None, copy=copy)

    @guarded
    def action_allergens(self) -> None:
        if self.in_dialog:
            return
        _, line = self.selected()
        article = self.session.article(line.article_no)
        if article is None:
            self.say(t("sale.no_line"), error=True)
        elif article.allergens:
            self.say(t("sale.allergens", name=article.name, text=article.allergens))
        else:
            self.say(t("sale.no_allergens", name=article.name))

    @guarded
    def action_menu(self) -> None:
        if self.in_dialog:
            return
        run_menu(self)
