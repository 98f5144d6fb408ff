"""The F12 menu: cash, reports, closing, voiding and reprinting receipts, signing off."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tourkasse.money import format_eur, parse_eur
from tourkasse.receipt_text import LOCAL
from tourkasse.vat import VatRate
from truck.devices.printer.preview import text_preview
from truck.pos.printing import document_for
from truck.pos.screens.dialogs import Choose, Fields, Question, Text
from truck.pos.session import SessionError
from truck.pos.texts import t
from truck.pos.widgets.guard import report
from truck.till.figures import DENOMINATIONS
from truck.till.till import CashMovement

if TYPE_CHECKING:
    from truck.pos.screens.sale import SaleScreen


def run_menu(screen: SaleScreen) -> None:
    Menu(screen).open()


class Menu:
    def __init__(self, screen: SaleScreen) -> None:
        self.screen = screen
        self.app = screen.app
        self.session = screen.session

    @property
    def till(self):
        return self.session.opened.till

    def open(self) -> None:
        if self.screen.in_dialog:
            return
        # Dialogs are awaited, which Textual allows only inside a worker.
        self.screen.in_dialog = True
        self.screen.run_worker(self._open(), group="menu")

    async def _open(self) -> None:
        try:
            await self._choose()
        finally:
            self.screen.in_dialog = False
            self.app.call_later(self.app.ring_up_kept_scans)  # type: ignore[attr-defined]

    async def _choose(self) -> None:
        items = [
            ("float", t("menu.float")),
            ("movement", t("menu.movement")),
            ("x", t("menu.x_report")),
            ("closing", t("menu.closing")),
            ("void", t("menu.void_receipt")),
            ("reprint", t("menu.reprint")),
            ("print_open", t("menu.print_open", count=len(self.session.unprinted))),
            ("preview", t("menu.preview")),
            ("clock", t("menu.clock")),
            ("sign_off", t("menu.sign_off")),
            ("stop", t("menu.stop")),
            ("orders", t("menu.orders")),  # last: the items above keep their places
        ]
        choice = await self.app.push_screen_wait(
            Choose(t("menu.title"), [text for _, text in items])
        )
        if choice is None:
            return
        action = items[choice][0]
        if self.session.training and action in {"float", "movement", "closing", "void", "clock"}:
            # practice must never move real money or close a real day
            self.screen.say(t("menu.not_in_training"), error=True)
            return
        try:
            await getattr(self, f"do_{action}")()
        except Exception as exc:  # nothing crashes the till: say why and go on
            report(self.screen, exc)
        self.screen.refresh_all()

    async def do_float(self) -> None:
        carried = self.till.figures().carried
        if carried and not await self.app.push_screen_wait(
            Question(t("float.carried", amount=format_eur(carried)))
        ):
            return
        fields = await self.app.push_screen_wait(Fields(t("menu.float"), [t("cash.amount")]))
        if fields:
            amount = parse_eur(fields[0])
            signed = self.till.opening_float(amount, staff=self.session.staff)
            self.screen.say(
                t(
                    "cash.booked",
                    what=t("menu.float"),
                    amount=format_eur(amount),
                    number=signed.number,
                )
            )

    async def do_movement(self) -> None:
        kinds = list(CashMovement)
        kind = await self.app.push_screen_wait(Choose(t("cash.kind"), [k.value for k in kinds]))
        if kind is None:
            return
        fields = await self.app.push_screen_wait(
            Fields(kinds[kind].value, [t("cash.amount"), t("cash.note")])
        )
        if fields:
            amount = parse_eur(fields[0])
            signed = self.till.cash_movement(
                kinds[kind], amount, fields[1], staff=self.session.staff
            )
            self.screen.say(
                t(
                    "cash.booked",
                    what=kinds[kind].value,
                    amount=format_eur(amount),
                    number=signed.number,
                )
            )

    async def do_orders(self) -> None:
        # its own dialogs, once this menu has closed
        self.app.call_later(self.screen.action_orders)

    async def do_stop(self) -> None:
        choices = [(None, t("stop.on_the_road")), *self.session.todays_stops()]
        picked = await self.app.push_screen_wait(
            Choose(t("stop.choose"), [name for _, name in choices])
        )
        if picked is None:
            return
        stop_id, name = choices[picked]
        self.session.choose_stop(stop_id, name if stop_id else "unterwegs")
        self.screen.say(t("stop.chosen", name=name))

    async def do_x(self) -> None:
        figures, _ = self.till.x_report(staff=self.session.staff)
        await self.app.push_screen_wait(Text(t("report.title"), figures_text(figures.to_dict())))

    async def do_closing(self) -> None:
        if self.session.basket_lines or self.session.parked:
            raise SessionError(t("closing.open_receipts"))
        labels = [f"{format_eur(d)}" for d in DENOMINATIONS]
        values: list[str] = []
        while True:  # a mistyped count is corrected, not thrown away
            fields = await self.app.push_screen_wait(Fields(t("closing.title"), labels, values))
            if fields is None:
                return
            values = fields
            wrong = [
                format_eur(d)
                for d, text in zip(DENOMINATIONS, fields, strict=True)
                if text.strip() and not text.strip().isdigit()
            ]
            if not wrong:
                break
            self.screen.say(t("closing.count_wrong", which=", ".join(wrong)), error=True)
        counts = {
            d: int(text) for d, text in zip(DENOMINATIONS, values, strict=True) if text.strip()
        }
        expected = self.till.figures().expected_cash
        counted = sum(d * n for d, n in counts.items())
        question = (
            f"{t('closing.counted')} {format_eur(counted)}, {t('closing.expected')} "
            f"{format_eur(expected)}, {t('closing.difference')} {format_eur(counted - expected)}. "
            f"{t('closing.confirm')}"
        )
        if not await self.app.push_screen_wait(Question(question)):
            return
        closing = self.till.daily_closing(counts, staff=self.session.staff)
        text = figures_text(closing.entry.body["figures"]) + (
            f"\n{t('closing.counted')}: {format_eur(closing.counted)}"
            f"\n{t('closing.difference')}: {format_eur(closing.difference)}"
        )
        header = self.session.opened.shop_header()
        when = closing.entry.at.astimezone(LOCAL)
        count = [
            f"  {n:>4} x {format_eur(int(d)):>9} = {format_eur(int(d) * n):>10}"
            for d, n in closing.entry.body["count"].items()
        ]
        lines = [
            header.name,
            f"{header.street}, {header.postcode} {header.city}",
            f"Kasse {header.till_serial}",
            "",
            f"*** Tagesabschluss (Z) Nr. {closing.number} ***",
            f"{when:%d.%m.%Y %H:%M:%S}",
            *text.splitlines(),
            "Zählung:",
            *count,
        ]
        try:
            self.session.printer.print_document(document_for(lines, None, open_drawer=True))
        except Exception as exc:  # a printer fault must not undo the closing
            self.screen.say(str(exc), error=True)
        self.screen.say(
            t("closing.done", number=closing.number, difference=format_eur(closing.difference))
        )

    async def _pick_receipt(self) -> int | None:
        """Find a receipt by its number or by the time it was paid (e.g. "10:4")."""
        fields = await self.app.push_screen_wait(
            Fields(t("receipts.title"), [t("receipts.filter")])
        )
        if fields is None:
            return None
        wanted = fields[0].strip()
        rows = self.session.opened.db.execute(
            "SELECT number, at, bon_type, total FROM receipts WHERE bon_type != 'AVTransfer' "
            "ORDER BY number DESC LIMIT 500"
        ).fetchall()
        if wanted.isdigit():
            rows = [row for row in rows if str(row[0]) == wanted]
        elif wanted:
            rows = [
                row
                for row in rows
                if f"{datetime.fromisoformat(row[1]).astimezone(LOCAL):%H:%M}".startswith(wanted)
            ]
        rows = rows[:50]
        if not rows:
            raise SessionError(
                t("receipts.none_for", wanted=wanted) if wanted else t("receipts.none")
            )
        labels = [
            f"Bon {n:>5}  {datetime.fromisoformat(at).astimezone(LOCAL):%d.%m. %H:%M}  "
            f"{kind:<14} {format_eur(total):>12}"
            for n, at, kind, total in rows
        ]
        choice = await self.app.push_screen_wait(Choose(t("receipts.title"), labels))
        return None if choice is None else rows[choice][0]

    async def do_void(self) -> None:
        number = await self._pick_receipt()
        if number is None:
            return
        if not await self.app.push_screen_wait(Question(f"{t('menu.void_receipt')} {number}?")):
            return
        done = self.till.void(number, staff=self.session.staff)
        self.session.print_receipt(done.number)
        self.screen.say(t("void.done", original=number, number=done.number))

    async def do_reprint(self) -> None:
        number = await self._pick_receipt()
        if number is not None:
            outcome = self.session.print_receipt(number, copy=True)
            self.screen.say(
                t("sale.printed", number=number)
                if outcome.printed
                else t("sale.not_printed", number=number, reason=outcome.message),
                error=not outcome.printed,
            )

    async def do_print_open(self) -> None:
        for number in list(self.session.unprinted):
            outcome = self.session.print_receipt(number)
            if not outcome.printed:
                self.screen.say(
                    t("sale.not_printed", number=number, reason=outcome.message), error=True
                )
                return
            self.screen.say(t("sale.printed", number=number))

    async def do_preview(self) -> None:
        done = self.session.last_done
        if done is None:
            raise SessionError(t("preview.none"))
        document, _ = self.session.document(done.number)
        columns = self.session.opened.config.printer.columns
        await self.app.push_screen_wait(
            Text(t("preview.title", number=done.number), text_preview(document, columns))
        )

    async def do_clock(self) -> None:
        """The clock is behind the journal, but staff know the time is right (DESIGN.md)."""
        fields = await self.app.push_screen_wait(Fields(t("menu.clock"), [t("clock.reason")]))
        if fields and self.session.staff is not None:
            self.till.override_clock(self.session.staff, fields[0])
            self.screen.say(t("clock.done"))

    async def do_sign_off(self) -> None:
        self.session.sign_off()
        self.app.back_to_sign_on()  # type: ignore[attr-defined]


def figures_text(figures: dict) -> str:
    lines = [
        f"Belege: {figures['receipts']} (davon Stornos {figures['voids']})",
        f"Abgebrochen: {figures['aborted']}, Training: {figures['training']} (kein Umsatz)",
        f"Umsatz: {format_eur(figures['turnover'])}",
    ]
    for row in figures["vat"]:
        rate = VatRate[row["rate"]].percent_text
        lines.append(
            f"  {rate}: brutto {format_eur(row['gross'])}, netto {format_eur(row['net'])}, "
            f"MwSt {format_eur(row['vat'])}"
        )
    for method, amount in figures["payments"].items():
        lines.append(f"  {'Bar' if method == 'cash' else 'Karte'}: {format_eur(amount)}")
    lines.append(f"Übertrag: {format_eur(figures['carried'])}")
    lines.append(f"Anfangsbestand: {format_eur(figures['opening_float'])}")
    for movement, amount in figures["movements"].items():
        lines.append(f"  {movement}: {format_eur(amount)}")
    lines.append(f"Bargeld (Soll): {format_eur(figures['expected_cash'])}")
    return "\n".join(lines)
