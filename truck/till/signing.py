"""The commit path: every signed business event goes TSE start → journal → TSE finish → journal.

A power cut or crash may strike between any two steps. The journal records the started TSE
transaction before anything else happens, and the event's draft (durably) before the TSE is
asked to finish it. On the next start ``recover`` asks the TSE what became of each open
transaction and journals the outcome, always consistent with what the TSE signed: the event
in full if the TSE finished it, an aborted receipt (AVBelegabbruch) if it was still open. A
sale is "done" only once its entry is committed.

When the TSE fails, selling goes on: the failure is journaled once when it starts and once
when it ends, and each event in between carries the failure note instead of a signature.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from tourkasse.article import Unit
from tourkasse.journal import Entry, EntryKind
from tourkasse.receipt import BonType, LineKind, Payment, PaymentMethod, Receipt, ReceiptLine
from tourkasse.signature import TseFields
from tourkasse.vat import VatRate
from truck.fiscal.process_data import PROCESS_TYPE, build_process_data, parse_process_data
from truck.fiscal.qr import build_qr_string
from truck.fiscal.tse import (
    FinishedTransaction,
    TransactionState,
    Tse,
    TseError,
    TseInfo,
    TseUnavailable,
)
from truck.store import journal
from truck.store.database import write_transaction

Step = Callable[[str], None]
LOST_LINES = "Positionen nach Stromausfall nicht erhalten"


class CommitRefused(RuntimeError):
    """The journal no longer matches what this commit expected (another process finished it)."""


@dataclass(frozen=True)
class Signable:
    """An event about to be signed: its journal kind and body, and what the TSE signs."""

    kind: EntryKind
    body: dict[str, Any]  # without "number" and "tse": those are added when it is signed
    bon_type: BonType
    gross_by_rate: Mapping[VatRate, int]
    payments: tuple[tuple[int, str], ...]
    receipt: Receipt | None = None  # set for receipts: indexed for reprint and void

    def process_data(self) -> str:
        return build_process_data(self.bon_type.value, self.gross_by_rate, self.payments)

    @property
    def total(self) -> int:
        return self.receipt.total if self.receipt else sum(amount for amount, _ in self.payments)

    def to_draft(self) -> str:
        return json.dumps(
            {
                "kind": self.kind.value,
                "body": self.body,
                "bon_type": self.bon_type.value,
                "gross": {rate.name: amount for rate, amount in self.gross_by_rate.items()},
                "payments": list(self.payments),
                "has_receipt": self.receipt is not None,
            },
            check_circular=False,
        )

    @classmethod
    def from_draft(cls, text: str) -> Signable:
        data = json.loads(text)
        receipt = Receipt.from_dict(data["body"]["receipt"]) if data["has_receipt"] else None
        return cls(
            kind=EntryKind(data["kind"]),
            body=data["body"],
            bon_type=BonType(data["bon_type"]),
            gross_by_rate={VatRate[name]: amount for name, amount in data["gross"].items()},
            payments=tuple((amount, kind) for amount, kind in data["payments"]),
            receipt=receipt,
        )


@dataclass(frozen=True)
class Signed:
    entry: Entry
    number: int
    tse: TseFields


@dataclass(frozen=True)
class OpenTransaction:
    """A TSE transaction the till has started for an event still being rung up."""

    tse_number: int | None  # None while the TSE is in failure mode
    failure: str | None = None


class Signer:
    def __init__(
        self,
        db: Database,
        tse: Tse,
        *,
        truck: str,
        client_id: str,
        clock: Callable[[], datetime],
        step: Step | None = None,
    ) -> None:
        self.db = db
        self.tse = tse
        self.truck = truck
        self.client_id = client_id
        self.clock = clock
        self.step: Step = step or (lambda name: None)
        # Only one till process signs (truck.store.lock), so these may be kept in memory.
        self._failing: bool | None = None
        self._info: TseInfo | None = None

    # --- the commit path ----------------------------------------------------------------

    def start(self, purpose: str) -> OpenTransaction:
        """Start a TSE transaction and journal it, or note the TSE's failure and go on."""
        # A clock behind the journal must stop us before the TSE opens a transaction.
        journal.check_clock(journal.tail(self.db), self.clock())
        try:
            started = self.tse.start_transaction(self.client_id)
        except TseUnavailable as exc:
            self._note_failure(str(exc))
            return OpenTransaction(None, failure=str(exc))
        self.step("after_tse_start")
        self._note_recovery()
        self._journal_started(started.number, started.start_time.isoformat(), purpose)
        return OpenTransaction(started.number)

    def finish(self, opened: OpenTransaction, event: Signable) -> Signed:
        """Sign the event with the transaction ``opened`` and journal it; return when committed."""
        if opened.tse_number is None:
            return self._journal_signed(event, self._failure_fields(opened.failure or ""), None)
        with write_transaction(self.db):
            found = self.db.execute(
                "UPDATE open_transactions SET draft = ? WHERE tse_number = ?",
                [event.to_draft(), opened.tse_number],
            )
            if found.rowcount != 1:
                raise CommitRefused(f"TSE-Transaktion {opened.tse_number} ist nicht mehr offen")
        try:
            finished = self.tse.finish_transaction(
                self.client_id, opened.tse_number, PROCESS_TYPE, event.process_data()
            )
        except TseUnavailable as exc:
            # The receipt is journaled in failure mode; the TSE's own answer is fetched later.
            self._note_failure(str(exc))
            return self._journal_signed(
                event, self._failure_fields(str(exc)), opened.tse_number, answer_pending=True
            )
        self.step("after_tse_finish")
        return self._journal_signed(event, self.fields_of(finished), opened.tse_number)

    def sign(self, event: Signable, purpose: str) -> Signed:
        return self.finish(self.start(purpose), event)

    # --- recovery after a crash ---------------------------------------------------------

    def recover(self) -> list[Signed | Entry]:
        """Resolve every TSE transaction a crash left open; journal each outcome."""
        outcomes: list[Signed | Entry] = []
        try:
            known = {row[0] for row in self.db.execute("SELECT tse_number FROM open_transactions")}
            for number in self.tse.open_transactions(self.client_id):
                if number not in known:
                    # Started in the TSE, but the crash came before the journal heard of it:
                    # journal it first, so that cancelling it can never go unrecorded.
                    self._journal_started(number, None, "nach Neustart gefunden")
            rows = self.db.execute(
                "SELECT tse_number, draft, journaled_number FROM open_transactions "
                "ORDER BY tse_number"
            ).fetchall()
            for number, draft, journaled_number in rows:
                outcomes.append(self._resolve(number, draft, journaled_number))
        except TseUnavailable as exc:
            self._note_failure(str(exc))
        return outcomes

    def _resolve(
        self, number: int, draft: str | None, journaled_number: int | None
    ) -> Signed | Entry:
        event = Signable.from_draft(draft) if draft else None
        state, finished = self.tse.transaction_state(number)
        if state is TransactionState.ACTIVE:
            finished = self.tse.cancel_transaction(self.client_id, number)
            state = TransactionState.FINISHED
        if journaled_number is not None:
            # Sold in failure mode: record the TSE's late answer beside that receipt.
            fields = self.fields_of(finished) if finished else self._failure_fields("unbekannt")
            return self._journal_late_signature(number, journaled_number, fields)
        if state is not TransactionState.FINISHED or finished is None:
            fields = self._failure_fields(f"TSE kennt Transaktion {number} nicht")
            return self._journal_aborted(event, fields, number, "nach Neustart abgebrochen")
        fields = self.fields_of(finished)
        if event is not None and finished.process_data == event.process_data():
            return self._journal_signed(event, fields, number, recovered=True)
        bon_type = parse_process_data(finished.process_data)[0]
        if bon_type == BonType.ABORTED.value:
            return self._journal_aborted(event, fields, number, "nach Neustart abgebrochen")
        # Signed, but its draft is gone (power cut): journal what the signature says.
        return self._journal_signed(from_signature(finished), fields, number, recovered=True)

    # --- journal ------------------------------------------------------------------------

    def _journal_started(self, number: int, start: str | None, purpose: str) -> Entry:
        body = {"tse_number": number, "client_id": self.client_id, "purpose": purpose}
        if start is not None:
            body["start"] = start

        def remember(db: Database, entry: Entry) -> None:
            db.execute(
                "INSERT INTO open_transactions (tse_number, started_seq, purpose) VALUES (?, ?, ?)",
                [number, entry.seq, purpose],
            )

        return self._append(EntryKind.TSE_STARTED, body, remember)

    def _journal_signed(
        self,
        event: Signable,
        fields: TseFields,
        tse_number: int | None,
        *,
        recovered: bool = False,
        answer_pending: bool = False,
    ) -> Signed:
        numbers: list[int] = []

        def body_with_number(db: Database) -> dict[str, Any]:
            numbers.append(journal.next_receipt_number(db))
            body = dict(event.body, number=numbers[0], tse=fields.to_dict())
            if recovered:
                body["recovered"] = True
            return body

        def effects(db: Database, entry: Entry) -> None:
            if tse_number is not None:
                if answer_pending:
                    sql = "UPDATE open_transactions SET journaled_number = ? WHERE tse_number = ?"
                    changed = db.execute(sql, [numbers[0], tse_number])
                else:
                    sql = "DELETE FROM open_transactions WHERE tse_number = ?"
                    changed = db.execute(sql, [tse_number])
                if changed.rowcount != 1:
                    # Someone else resolved this transaction meanwhile: never journal it twice.
                    raise CommitRefused(f"TSE-Transaktion {tse_number} ist bereits abgeschlossen")
            # Every numbered event is indexed, so the next number is always the highest + 1.
            db.execute(
                "INSERT INTO receipts (number, seq, at, bon_type, total, void_of) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    numbers[0],
                    entry.seq,
                    entry.at.isoformat(),
                    event.bon_type.value,
                    event.total,
                    event.receipt.void_of if event.receipt else None,
                ],
            )

        entry = journal.append(
            self.db,
            truck=self.truck,
            kind=event.kind,
            body=body_with_number,
            clock=self.clock,
            effects=effects,
            before_commit=self.step,
        )
        return Signed(entry, numbers[0], fields)

    def _journal_aborted(
        self, event: Signable | None, fields: TseFields, tse_number: int | None, note: str
    ) -> Signed:
        receipt = event.receipt if event is not None else None
        aborted = Receipt(
            BonType.ABORTED,
            receipt.lines if receipt else (),
            (),
            staff=receipt.staff if receipt else None,
            note=note,
        )
        body: dict[str, Any] = {"receipt": aborted.to_dict()}
        if event is not None and receipt is None:
            body["aborted_event"] = event.kind.value
        return self._journal_signed(
            Signable(EntryKind.RECEIPT, body, BonType.ABORTED, {}, (), aborted),
            fields,
            tse_number,
            recovered=True,
        )

    def _journal_late_signature(
        self, tse_number: int, receipt_number: int, fields: TseFields
    ) -> Entry:
        def done(db: Database, entry: Entry) -> None:
            db.execute("DELETE FROM open_transactions WHERE tse_number = ?", [tse_number])

        body = {"receipt_number": receipt_number, "tse": fields.to_dict()}
        return self._append(EntryKind.TSE_LATE_SIGNATURE, body, done)

    def _append(
        self,
        kind: EntryKind,
        body: dict[str, Any],
        effects: Callable[[Database, Entry], None] | None = None,
    ) -> Entry:
        return journal.append(
            self.db, truck=self.truck, kind=kind, body=body, clock=self.clock, effects=effects
        )

    # --- TSE failure mode ---------------------------------------------------------------

    def in_failure(self) -> bool:
        if self._failing is None:
            last = journal.last_of(self.db, EntryKind.TSE_FAILURE_START, EntryKind.TSE_FAILURE_END)
            self._failing = last is not None and last.kind is EntryKind.TSE_FAILURE_START
        return self._failing

    def _note_failure(self, reason: str) -> None:
        if not self.in_failure():
            self._append(EntryKind.TSE_FAILURE_START, {"reason": reason})
            self._failing = True

    def _note_recovery(self) -> None:
        if self.in_failure():
            self._append(EntryKind.TSE_FAILURE_END, {"reason": "TSE antwortet wieder"})
            self._failing = False

    def _failure_fields(self, reason: str) -> TseFields:
        try:
            description = self._info.description if self._info else self.tse.info().description
        except TseError:
            description = "TSE nicht erreichbar"
        return TseFields.failed_with(reason, description=description)

    def fields_of(self, finished: FinishedTransaction) -> TseFields:
        if self._info is None:
            self._info = self.tse.info()
        info = self._info
        return TseFields(
            certified=info.certified,
            description=info.description,
            serial_number=finished.serial_number,
            client_id=finished.client_id,
            transaction_number=finished.number,
            signature_counter=finished.signature_counter,
            start=finished.start_time,
            end=finished.log_time,
            process_type=finished.process_type,
            process_data=finished.process_data,
            signature_algorithm=finished.signature_algorithm,
            time_format=finished.time_format,
            signature=base64.b64encode(finished.signature).decode("ascii"),
            public_key=base64.b64encode(finished.public_key).decode("ascii"),
            qr=build_qr_string(self.client_id, finished),
        )


def from_signature(finished: FinishedTransaction) -> Signable:
    """What a signed transaction says when its draft is lost: amounts per rate and payments."""
    bon_type, gross, payments = parse_process_data(finished.process_data)
    methods = {"Bar": PaymentMethod.CASH, "Unbar": PaymentMethod.CARD}
    if bon_type == BonType.TRANSFER.value:
        amount = sum(cents for cents, _ in payments)
        body = {"movement": "unbekannt", "amount": amount, "note": LOST_LINES, "staff": None}
        return Signable(EntryKind.CASH_MOVEMENT, body, BonType.TRANSFER, gross, tuple(payments))
    lines = tuple(
        ReceiptLine(
            kind=LineKind.SALE if amount >= 0 else LineKind.RETURN,
            text=LOST_LINES,
            quantity=1,
            unit=Unit.PIECE,
            unit_price=amount,
            vat_rate=rate,
            total=amount,
            group="unbekannt",
        )
        for rate, amount in gross.items()
        if amount
    )
    receipt = Receipt(
        BonType(bon_type),
        lines,
        tuple(Payment(methods[kind], cents) for cents, kind in payments),
        note=LOST_LINES,
    )
    body = {"receipt": receipt.to_dict()}
    return Signable(EntryKind.RECEIPT, body, receipt.bon_type, gross, tuple(payments), receipt)
