"""The till's working state behind the screen: who is signed on, the receipt being rung up,
parked receipts, the devices. The screens call this; it calls the till's bookkeeping.

Kept free of Textual so that every flow can also be driven and tested without a screen.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from tourkasse.article import Article, Department, Unit
from tourkasse.config import ConfigError
from tourkasse.journal import EntryKind
from tourkasse.money import Cents
from tourkasse.pin import check_pin
from tourkasse.receipt import Receipt, ReceiptLine, Staff
from tourkasse.receipt_text import LOCAL, receipt_lines
from tourkasse.signature import TseFields
from truck.core.basket import WeighedPrice
from truck.devices.printer.document import Document
from truck.devices.printer.status import PrinterError, PrinterState
from truck.devices.scale.reading import ScaleError, ScaleUnavailable
from truck.pos.printing import document_for
from truck.pos.texts import t
from truck.store import articles, devices, downloads, journal, stops
from truck.till.counter import Counter, CounterError
from truck.till.opening import OpenedTill
from truck.till.till import SignedReceipt


class SessionError(ValueError):
    """Something the staff asked for that cannot be done; str() is for the screen."""


class WeighingRefused(SessionError):
    """The scale weighed nothing this time (overload, below minimum, weight unchanged, still
    moving after its retries): placing the goods again and weighing again may help."""

    def __init__(self, message: str, number: str) -> None:
        super().__init__(message)
        self.number = number


@dataclass
class Parked:
    counter: Counter
    at: datetime

    @property
    def label(self) -> str:
        lines = self.counter.basket.lines
        first = lines[0].text if lines else "leer"
        return f"{self.at.astimezone(LOCAL):%H:%M} – {len(lines)} Pos. – {first}"


@dataclass
class PrintOutcome:
    number: int
    printed: bool
    message: str = ""


@dataclass
class TillSession:
    opened: OpenedTill
    printer: (
        object  # truck.devices.printer.printer.ReceiptPrinter or a stand-in with print_document
    )
    scale: object  # anything with weigh(unit_price) -> ScaleReading
    clock: Callable[[], datetime]
    staff: Staff | None = None
    training: bool = False
    counter: Counter | None = None
    parked: list[Parked] = field(default_factory=list)
    unprinted: list[int] = field(default_factory=list)
    last_done: SignedReceipt | None = None

    # --- staff --------------------------------------------------------------------------

    def sign_on(self, number: str, pin: str, *, training: bool = False) -> Staff:
        member = next((m for m in self.opened.config.staff if m.number == number.strip()), None)
        if member is None or not check_pin(pin.strip(), member.pin_hash):
            raise SessionError(t("session.wrong_pin"))
        self.staff = Staff(member.number, member.name)
        self.training = training
        self.opened.till.sign_on(self.staff)
        self.counter = self._new_counter()
        return self.staff

    def sign_off(self) -> None:
        if self.counter is not None and not self.counter.basket.is_empty():
            raise SessionError(t("session.open_receipt"))
        if self.parked:
            raise SessionError(t("session.parked_left"))
        if self.staff is not None:
            self.opened.till.sign_off(self.staff)
        self.staff = None
        self.counter = None

    # --- ringing up ---------------------------------------------------------------------

    @property
    def basket_lines(self) -> tuple[ReceiptLine, ...]:
        return self.counter.basket.lines if self.counter else ()

    @property
    def total(self) -> Cents:
        return self.counter.basket.total if self.counter else 0

    def scan(self, text: str, quantity: int = 1) -> ReceiptLine:
        counter = self.current()
        number = text.strip()
        article = articles.by_number(self.opened.db, number.lstrip("0") or number)
        if article is not None and article.unit is Unit.KG and len(number) <= 5:
            return self.weigh(article.number)  # a typed PLU of loose goods goes on the scale
        return counter.enter(text, quantity)

    def weigh(self, number: str) -> ReceiptLine:
        counter = self.current()
        article = articles.by_number(self.opened.db, number)
        if article is None:
            raise SessionError(t("session.plu_unknown", number=number))
        try:
            reading = self.scale.weigh(article.price)  # type: ignore[attr-defined]
        except ScaleUnavailable as exc:
            self._device("scale", ok=False, message=str(exc))
            raise SessionError(str(exc)) from exc
        except ScaleError as exc:  # motion, nothing on it, overload: not a fault of the scale
            raise WeighingRefused(str(exc), article.number) from exc
        self._device("scale", ok=True, message="bereit")
        return counter.weighed(article.number, WeighedPrice(reading.grams, reading.total, "scale"))

    def search(self, text: str) -> list[Article]:
        text = text.strip()
        if text.isdigit():
            found = articles.by_number(self.opened.db, text)
            return [found] if found else []
        return articles.search(self.opened.db, text)

    def departments(self) -> list[Department]:
        return articles.departments(self.opened.db)

    def article(self, number: str | None) -> Article | None:
        return articles.by_number(self.opened.db, number) if number else None

    # --- park and resume ----------------------------------------------------------------

    def park(self) -> None:
        counter = self.current()
        if counter.basket.is_empty():
            raise SessionError(t("session.park_empty"))
        self.parked.append(Parked(counter, self.clock()))
        self.counter = self._new_counter()

    def resume(self, index: int) -> None:
        if not 0 <= index < len(self.parked):
            raise SessionError(t("session.no_parked"))
        if self.counter is not None and not self.counter.basket.is_empty():
            self.park()
        self.counter = self.parked.pop(index).counter

    # --- paying -------------------------------------------------------------------------

    def pay(self, *, cash_tendered: Cents | None = None, card: Cents = 0) -> SignedReceipt:
        counter = self.current()
        counter.stop = self.stop_tag()  # where the sale happens: where the truck is at payment
        try:
            done = counter.pay(cash_tendered=cash_tendered, card=card)
        except CounterError as exc:
            raise SessionError(str(exc)) from exc
        except Exception as exc:
            # Written only in part (e.g. the disk failed after the TSE signed): let recovery
            # journal what the TSE signed, and start a fresh receipt so the till is not stuck.
            outcomes = self.opened.till.recover()
            self.counter = self._new_counter()
            raise SessionError(
                t("session.pay_interrupted", reason=exc, count=len(outcomes))
            ) from exc
        self.last_done = done
        tse = done.signed.tse
        with contextlib.suppress(Exception):  # a status line must never undo a booked sale
            self._device(
                "tse", ok=not tse.failed, message=tse.failure or tse.description, journal=False
            )
        return done

    def abort(self) -> SignedReceipt | None:
        counter = self.current()
        return counter.abort()

    # --- between receipts ---------------------------------------------------------------

    @property
    def receipt_open(self) -> bool:
        """A receipt is being rung up (lines, or its TSE transaction started) or parked."""
        counter = self.counter
        ringing = counter is not None and (
            not counter.basket.is_empty() or counter.opened is not None
        )
        return ringing or bool(self.parked)

    def take_downloads(self) -> list[str]:
        """Take over a new article list or tour plan the agent received — only between
        receipts: while one is open (or parked) nothing changes. What was done, in German."""
        if self.receipt_open:
            return []
        done = []
        for apply in (downloads.apply_pending_articles, downloads.apply_pending_tours):
            message = apply(self.opened.db, clock=self.clock)
            if message is not None:
                done.append(message)
        return done

    # --- receipts on paper --------------------------------------------------------------

    def document(self, number: int, *, copy: bool = False) -> tuple[Document, Receipt]:
        entry = journal.numbered_entry(self.opened.db, number)
        if entry is None or "receipt" not in entry.body:
            raise SessionError(t("session.no_receipt", number=number))
        receipt = Receipt.from_dict(entry.body["receipt"])
        tse = TseFields.from_dict(entry.body["tse"])
        lines = receipt_lines(
            self.opened.shop_header(),
            number,
            receipt,
            tse,
            entry.at,
            columns=self.opened.config.printer.columns,
            copy=copy,
            qr_line=False,
        )
        cash = any(p.method.value == "cash" for p in receipt.payments)
        return document_for(lines, tse.qr, open_drawer=cash and not copy), receipt

    def print_receipt(self, number: int, *, copy: bool = False) -> PrintOutcome:
        document, _ = self.document(number, copy=copy)
        try:
            self.printer.print_document(document)  # type: ignore[attr-defined]
        except PrinterError as exc:
            return self.printed(number, exc, copy=copy)
        return self.printed(number, None, copy=copy)

    def printer_state(self, state: PrinterState) -> None:
        """What the printer reported when asked (DLE EOT), into the status line and journal."""
        if state is PrinterState.UNKNOWN:
            return  # the connection cannot tell (file, USB) or no answer: nothing learned
        ok = state in (PrinterState.READY, PrinterState.PAPER_NEAR_END)
        message = "bereit" if state is PrinterState.READY else state.message
        self._device("printer", ok=ok, message=message)

    def printed(
        self, number: int, error: PrinterError | None, *, copy: bool = False
    ) -> PrintOutcome:
        """Record how printing receipt ``number`` went (the printing itself may run elsewhere)."""
        if error is not None:
            if number not in self.unprinted and not copy:
                self.unprinted.append(number)
            self._device("printer", ok=False, message=str(error))
            return PrintOutcome(number, False, str(error))
        if number in self.unprinted:
            self.unprinted.remove(number)
        self._device("printer", ok=True, message="bereit")
        return PrintOutcome(number, True)

    # --- inside -------------------------------------------------------------------------

    def current(self) -> Counter:
        if self.counter is None:
            raise SessionError(t("session.sign_on_first"))
        return self.counter

    # --- where the truck is ---------------------------------------------------------------

    def whereabouts(self) -> stops.Whereabouts | None:
        """The stop the truck is at (from the agent's GPS or staff's choice); None: no tours."""
        if not self.has_tours():
            return None
        return stops.latest(self.opened.db) or stops.Whereabouts(
            None, stops.ON_THE_ROAD, "gps", None
        )

    def has_tours(self) -> bool:
        return downloads.has_tours(self.opened.db, self.opened.config.tour.file)

    def stop_tag(self) -> str | None:
        return stops.receipt_tag(self.opened.db, tours=self.has_tours())

    def todays_stops(self) -> list[tuple[str, str]]:
        """(id, name) of the stops of today's tour, or of all tours on a day without one."""
        try:
            plan = downloads.tour_plan(self.opened.db, self.opened.config.tour.file)
        except ConfigError as exc:
            raise SessionError(t("stop.tour_file_broken", problem=exc.problems[0])) from exc
        if plan is None:
            raise SessionError(t("stop.no_tours"))
        today = self.clock().astimezone(ZoneInfo(plan.timezone)).date()
        watched = plan.watched_stops(today, self.opened.config.truck.id)
        return [(stop.id, stop.name) for stop, _ in watched]

    def choose_stop(self, stop_id: str | None, name: str) -> None:
        """Staff say where the truck is (GPS out or wrong); journaled as their choice."""
        if self.staff is None:
            raise SessionError(t("session.wrong_pin"))
        stops.record(
            self.opened.db,
            truck=self.opened.config.truck.id,
            kind=EntryKind.STOP_CHOSEN,
            body={
                "stop": stop_id,
                "name": name,
                "staff": {"number": self.staff.number, "name": self.staff.name},
            },
            clock=self.clock,
        )

    def _new_counter(self) -> Counter:
        return Counter(
            self.opened.till,
            self.opened.db,
            staff=self.staff,
            training=self.training,
            instore=self.opened.instore_prefixes(),
            till_may_compute_weight_prices=self.opened.config.scale.till_computed_price,
        )

    def device_state(self, device: str, ok: bool, message: str) -> None:
        """A device's own report (e.g. the serial scanner's thread, via the screen)."""
        self._device(device, ok=ok, message=message)

    def _device(self, device: str, *, ok: bool, message: str, journal: bool = True) -> None:
        devices.report(
            self.opened.db,
            truck=self.opened.config.truck.id,
            device=device,
            ok=ok,
            message=message,
            clock=self.clock,
            journal_changes=journal,
        )
