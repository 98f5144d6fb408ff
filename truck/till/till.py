"""The till's bookkeeping without a face: sales, voids, cash, closings, staff and clock.

The Textual till (truck/pos) and the command line both drive this; every method writes its
journal entry, signed through the TSE where the law asks for it, before it returns.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from tourkasse.dsfinvk.master import MasterData
from tourkasse.journal import Entry, EntryKind
from tourkasse.money import Cents, format_eur
from tourkasse.receipt import BonType, PaymentMethod, Receipt, Staff
from tourkasse.vat import VatRate
from truck.fiscal.tse import Tse
from truck.store import journal
from truck.till.figures import DayFigures, carried_of, counted_total, day_figures
from truck.till.signing import OpenTransaction, Signable, Signed, Signer, Step


class TillError(ValueError):
    """A request the till refuses; str() is German for the sales staff."""


class CashMovement(enum.StrEnum):
    """Kinds of cash movement, named as the DSFinV-K names their business cases."""

    EINZAHLUNG = "Einzahlung"  # cash paid in (e.g. change from the bank)
    AUSZAHLUNG = "Auszahlung"  # cash paid out (e.g. a supplier paid from the drawer)
    PRIVATEINLAGE = "Privateinlage"
    PRIVATENTNAHME = "Privatentnahme"
    GELDTRANSIT = "Geldtransit"  # cash taken to the bank or the office safe

    @property
    def direction(self) -> int:
        """+1 where money goes into the drawer, -1 where it leaves it."""
        return 1 if self in (CashMovement.EINZAHLUNG, CashMovement.PRIVATEINLAGE) else -1


@dataclass(frozen=True)
class SignedReceipt:
    number: int
    receipt: Receipt
    signed: Signed

    @property
    def entry(self) -> Entry:
        return self.signed.entry


@dataclass(frozen=True)
class Closing:
    number: int
    figures: DayFigures
    counted: int
    difference: int
    entry: Entry


class Till:
    def __init__(
        self,
        db: Database,
        tse: Tse,
        *,
        truck: str,
        client_id: str,
        clock: Callable[[], datetime],
        step: Step | None = None,
        master: MasterData | None = None,
    ) -> None:
        self.db = db
        self.truck = truck
        self.clock = clock
        # the company and the till as of each closing, written into it for the fiscal export
        self.master = master
        self.signer = Signer(db, tse, truck=truck, client_id=client_id, clock=clock, step=step)

    # --- start-up -----------------------------------------------------------------------

    def recover(self) -> list[Signed]:
        """Resolve what a crash left open. Call once when the till starts."""
        return self.signer.recover()

    # --- receipts -----------------------------------------------------------------------

    def open_receipt(self) -> OpenTransaction:
        """Start the TSE transaction as the first line goes into the basket."""
        return self.signer.start("receipt")

    def complete(self, opened: OpenTransaction, receipt: Receipt) -> SignedReceipt:
        if receipt.bon_type is not BonType.ABORTED and receipt.paid != receipt.total:
            raise TillError(f"Bezahlt {format_eur(receipt.paid)}, Bon {format_eur(receipt.total)}")
        event = Signable(
            kind=EntryKind.RECEIPT,
            body={"receipt": receipt.to_dict()},
            bon_type=receipt.bon_type,
            gross_by_rate=({} if receipt.bon_type is BonType.ABORTED else receipt.gross_by_rate),
            payments=tuple(receipt.tse_payments()),
            receipt=receipt,
        )
        signed = self.signer.finish(opened, event)
        return SignedReceipt(signed.number, receipt, signed)

    def sell(self, receipt: Receipt) -> SignedReceipt:
        """Sign and journal a paid receipt in one go."""
        return self.complete(self.open_receipt(), receipt)

    def abort(self, opened: OpenTransaction, receipt: Receipt) -> SignedReceipt:
        """The customer left before paying: journal the lines as an aborted receipt."""
        aborted = Receipt(
            BonType.ABORTED, receipt.lines, (), staff=receipt.staff, note=receipt.note
        )
        return self.complete(opened, aborted)

    def receipt(self, number: int) -> tuple[Receipt, Entry]:
        row = self.db.execute("SELECT seq FROM receipts WHERE number = ?", [number]).fetchone()
        entry = journal.entry(self.db, row[0]) if row else None
        if entry is None:
            raise TillError(f"Bon {number} gibt es nicht")
        if entry.kind is not EntryKind.RECEIPT:
            raise TillError(f"Beleg {number} ist kein Verkaufsbon, sondern eine Kassenbewegung")
        return Receipt.from_dict(entry.body["receipt"]), entry

    def void(self, number: int, *, staff: Staff | None = None) -> SignedReceipt:
        """Void a paid receipt: a new receipt with negated amounts that refers to it (GoBD)."""
        original, _ = self.receipt(number)
        if original.bon_type is BonType.ABORTED:
            raise TillError(f"Bon {number} wurde abgebrochen und kann nicht storniert werden")
        if original.is_void:
            raise TillError(f"Bon {number} ist selbst ein Storno")
        already = self.db.execute(
            "SELECT number FROM receipts WHERE void_of = ?", [number]
        ).fetchone()
        if already:
            raise TillError(f"Bon {number} wurde bereits mit Bon {already[0]} storniert")
        voided = original.voided()
        voided = Receipt(
            voided.bon_type,
            voided.lines,
            voided.payments,
            staff=staff,
            void_of=number,
            stop=original.stop,
        )
        return self.sell(voided)

    # --- cash -----------------------------------------------------------------------------

    def opening_float(self, amount: Cents, *, staff: Staff | None = None) -> Signed:
        if amount < 0:
            raise TillError("Anfangsbestand darf nicht negativ sein")
        body = {"amount": amount, "staff": _staff(staff)}
        return self._sign_cash(EntryKind.OPENING_FLOAT, body, amount, "opening_float")

    def cash_movement(
        self, movement: CashMovement, amount: Cents, note: str, *, staff: Staff | None = None
    ) -> Signed:
        """Record money put into or taken from the drawer; ``amount`` is positive."""
        if amount <= 0:
            raise TillError("Bitte einen Betrag über 0,00 € eingeben")
        if not note.strip():
            raise TillError(f"{movement.value}: bitte eine Notiz angeben (wofür?)")
        signed_amount = movement.direction * amount
        if signed_amount < 0 and -signed_amount > self.figures().expected_cash:
            raise TillError(
                f"{movement.value} {format_eur(amount)} ist mehr als in der Kasse sein sollte "
                f"({format_eur(self.figures().expected_cash)})"
            )
        body = {
            "movement": movement.value,
            "amount": signed_amount,
            "note": note.strip(),
            "staff": _staff(staff),
        }
        return self._sign_cash(EntryKind.CASH_MOVEMENT, body, signed_amount, "cash_movement")

    def _sign_cash(self, kind: EntryKind, body: dict, amount: Cents, purpose: str) -> Signed:
        # Cash movements are not taxable: their amount stands in the 0 % slot of processData.
        event = Signable(
            kind=kind,
            body=body,
            bon_type=BonType.TRANSFER,
            gross_by_rate={VatRate.ZERO: amount},
            payments=((amount, PaymentMethod.CASH.tse_type),),
        )
        return self.signer.sign(event, purpose)

    # --- reports and closing ------------------------------------------------------------

    def last_closing(self) -> Entry | None:
        return journal.last_of(self.db, EntryKind.DAILY_CLOSING)

    def figures(self) -> DayFigures:
        """Figures since the last daily closing, starting from the cash counted at it."""
        last = self.last_closing()
        return day_figures(
            journal.entries(self.db, after=last.seq if last else 0), carried_of(last)
        )

    def x_report(self, *, staff: Staff | None = None) -> tuple[DayFigures, Entry]:
        figures = self.figures()
        entry = self._append(
            EntryKind.X_REPORT, {"figures": figures.to_dict(), "staff": _staff(staff)}
        )
        return figures, entry

    def daily_closing(self, counts: dict[int, int], *, staff: Staff | None = None) -> Closing:
        """Close the day (Z): count the drawer, compare with what should be there, number it.

        The figures are taken inside the closing's own transaction, so a sale committed at
        the same moment is in this closing or the next, never in neither.
        """
        try:
            counted = counted_total(counts)
        except ValueError as exc:
            raise TillError(str(exc)) from exc
        made: list[tuple[int, DayFigures]] = []

        def body_of(db: Database) -> dict:
            last = journal.last_of(db, EntryKind.DAILY_CLOSING)
            number = last.body["closing_number"] + 1 if last else 1
            figures = day_figures(
                journal.entries(db, after=last.seq if last else 0), carried_of(last)
            )
            made.append((number, figures))
            body = {
                "closing_number": number,
                "figures": figures.to_dict(),
                "count": {str(d): n for d, n in sorted(counts.items(), reverse=True) if n},
                "counted": counted,
                "expected_cash": figures.expected_cash,
                "difference": counted - figures.expected_cash,
                "staff": _staff(staff),
            }
            if self.master is not None:
                body["master"] = self.master.to_dict()
            return body

        entry = self._append(EntryKind.DAILY_CLOSING, body_of)
        number, figures = made[0]
        return Closing(number, figures, counted, counted - figures.expected_cash, entry)

    # --- staff and clock ----------------------------------------------------------------

    def sign_on(self, staff: Staff) -> Entry:
        return self._append(EntryKind.STAFF_SIGN_ON, {"staff": _staff(staff)})

    def sign_off(self, staff: Staff) -> Entry:
        return self._append(EntryKind.STAFF_SIGN_OFF, {"staff": _staff(staff)})

    def override_clock(self, staff: Staff, reason: str) -> Entry:
        """Staff confirm that the clock is right although it is behind the journal."""
        if not reason.strip():
            raise TillError("Bitte einen Grund für die Zeitfreigabe angeben")
        last = journal.tail(self.db).at
        return self._append(
            EntryKind.CLOCK_OVERRIDE,
            {
                "staff": _staff(staff),
                "reason": reason.strip(),
                "journal_last": last.isoformat() if last else None,
            },
        )

    def correct_clock(self, source: str) -> Entry:
        """GPS or network time shows the journal's last entry lies in the future."""
        last = journal.tail(self.db).at
        return self._append(
            EntryKind.CLOCK_CORRECTION,
            {"source": source, "journal_last": last.isoformat() if last else None},
        )

    def _append(self, kind: EntryKind, body: dict | Callable[[Database], dict]) -> Entry:
        return journal.append(self.db, truck=self.truck, kind=kind, body=body, clock=self.clock)


def _staff(staff: Staff | None) -> dict | None:
    return {"number": staff.number, "name": staff.name} if staff else None
