"""The commit path: every signed business event goes TSE start → journal → TSE finish → journal.

A power cut or crash may strike between any two steps. The journal records the started TSE
transaction before anything else can happen, and the event's draft before the TSE is asked
to finish it; on the next start ``recover`` asks the TSE what became of each open
transaction and journals the outcome: the signed event if the TSE finished it, an aborted
receipt (AVBelegabbruch) otherwise. A sale is "done" only once its entry is committed.

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

from tourkasse.journal import Entry, EntryKind
from tourkasse.receipt import BonType, Receipt
from tourkasse.signature import TseFields
from tourkasse.vat import VatRate
from truck.fiscal.process_data import PROCESS_TYPE, build_process_data
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

    def to_draft(self) -> str:
        return json.dumps(
            {
                "kind": self.kind.value,
                "body": self.body,
                "bon_type": self.bon_type.value,
                "gross": {rate.name: amount for rate, amount in self.gross_by_rate.items()},
                "payments": list(self.payments),
                # the body already holds the receipt as a dict; draft it from there
                "receipt": self.body.get("receipt") if self.receipt else None,
            },
            check_circular=False,
        )

    @classmethod
    def from_draft(cls, text: str) -> Signable:
        data = json.loads(text)
        return cls(
            kind=EntryKind(data["kind"]),
            body=data["body"],
            bon_type=BonType(data["bon_type"]),
            gross_by_rate={VatRate[name]: amount for name, amount in data["gross"].items()},
            payments=tuple((amount, kind) for amount, kind in data["payments"]),
            receipt=Receipt.from_dict(data["receipt"]) if data["receipt"] else None,
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
    started_at: datetime | None
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
        self._failing: bool | None = None  # read from the journal once, then kept up to date
        self._info: TseInfo | None = None  # a TSE's identity does not change while it is open

    # --- the commit path ----------------------------------------------------------------

    def start(self, purpose: str) -> OpenTransaction:
        """Start a TSE transaction and journal it, or note the TSE's failure and go on."""
        try:
            started = self.tse.start_transaction(self.client_id)
        except TseUnavailable as exc:
            self._note_failure(str(exc))
            return OpenTransaction(None, None, failure=str(exc))
        self.step("after_tse_start")
        self._note_recovery()
        body = {
            "tse_number": started.number,
            "client_id": self.client_id,
            "start": started.start_time.isoformat(),
            "purpose": purpose,
        }

        def remember(db: Database, entry: Entry) -> None:
            db.execute(
                "INSERT INTO open_transactions (tse_number, started_seq, purpose) VALUES (?, ?, ?)",
                [started.number, entry.seq, purpose],
            )

        self._append(EntryKind.TSE_STARTED, body, remember)
        return OpenTransaction(started.number, started.start_time)

    def finish(self, opened: OpenTransaction, event: Signable) -> Signed:
        """Sign the event with the transaction ``opened`` and journal it; return when committed."""
        if opened.tse_number is None:
            return self._journal_signed(event, self._failure_fields(opened.failure or ""), None)
        # Not waited for on disk: it outlives a crashed process, which is what recovery needs;
        # after a power cut without it, recovery still journals what the TSE signed.
        with write_transaction(self.db, durable=False):
            self.db.execute(
                "UPDATE open_transactions SET draft = ? WHERE tse_number = ?",
                [event.to_draft(), opened.tse_number],
            )
        try:
            finished = self.tse.finish_transaction(
                self.client_id, opened.tse_number, PROCESS_TYPE, event.process_data()
            )
        except TseUnavailable as exc:
            # The transaction stays open in the TSE; recovery cancels it once the TSE is back.
            self._note_failure(str(exc))
            return self._journal_signed(
                event, self._failure_fields(str(exc)), opened.tse_number, keep_open=True
            )
        self.step("after_tse_finish")
        return self._journal_signed(event, self.fields_of(finished), opened.tse_number)

    def sign(self, event: Signable, purpose: str) -> Signed:
        return self.finish(self.start(purpose), event)

    # --- recovery after a crash ---------------------------------------------------------

    def recover(self) -> list[Signed]:
        """Resolve every TSE transaction a crash left open; journal each outcome."""
        outcomes: list[Signed] = []
        rows = self.db.execute(
            "SELECT tse_number, draft FROM open_transactions ORDER BY tse_number"
        ).fetchall()
        known = {number for number, _ in rows}
        try:
            for number, draft in rows:
                outcomes.append(self._resolve(number, draft))
            for number in self.tse.open_transactions(self.client_id):
                if number not in known:
                    finished = self.tse.cancel_transaction(self.client_id, number)
                    outcomes.append(
                        self._journal_aborted(
                            None, self.fields_of(finished), None, "nach Neustart abgebrochen"
                        )
                    )
        except TseUnavailable as exc:
            self._note_failure(str(exc))
        return outcomes

    def _resolve(self, number: int, draft: str | None) -> Signed:
        event = Signable.from_draft(draft) if draft else None
        if event is not None and event.body.get("journaled_as") is not None:
            # Already journaled in failure mode; the TSE only needs its transaction closed.
            finished = self._close(number)
            note = f"TSE-Transaktion zu Bon {event.body['journaled_as']} nach Ausfall geschlossen"
            return self._journal_aborted(None, self.fields_of(finished), number, note)
        state, finished = self.tse.transaction_state(number)
        if state is TransactionState.FINISHED and finished is not None:
            if event is not None and finished.process_data == event.process_data():
                return self._journal_signed(event, self.fields_of(finished), number, recovered=True)
            return self._journal_aborted(event, self.fields_of(finished), number, "nach Neustart")
        if state is TransactionState.ACTIVE:
            finished = self.tse.cancel_transaction(self.client_id, number)
            return self._journal_aborted(
                event, self.fields_of(finished), number, "nach Neustart abgebrochen"
            )
        fields = self._failure_fields(f"TSE kennt Transaktion {number} nicht")
        return self._journal_aborted(event, fields, number, "nach Neustart abgebrochen")

    def _close(self, number: int) -> FinishedTransaction:
        state, finished = self.tse.transaction_state(number)
        if state is TransactionState.FINISHED and finished is not None:
            return finished
        return self.tse.cancel_transaction(self.client_id, number)

    # --- journal ------------------------------------------------------------------------

    def _journal_signed(
        self,
        event: Signable,
        fields: TseFields,
        tse_number: int | None,
        *,
        recovered: bool = False,
        keep_open: bool = False,
    ) -> Signed:
        numbers: list[int] = []

        def effects(db: Database, entry: Entry) -> None:
            if tse_number is not None:
                if keep_open:
                    draft = json.loads(event.to_draft())
                    draft["body"]["journaled_as"] = numbers[0]
                    db.execute(
                        "UPDATE open_transactions SET draft = ? WHERE tse_number = ?",
                        [json.dumps(draft), tse_number],
                    )
                else:
                    db.execute("DELETE FROM open_transactions WHERE tse_number = ?", [tse_number])
            # Every numbered event is indexed, so the next number is always the highest + 1.
            receipt = event.receipt
            db.execute(
                "INSERT INTO receipts (number, seq, at, bon_type, total, void_of) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    numbers[0],
                    entry.seq,
                    entry.at.isoformat(),
                    event.bon_type.value,
                    receipt.total if receipt else sum(amount for amount, _ in event.payments),
                    receipt.void_of if receipt else None,
                ],
            )

        def body_with_number(db: Database) -> dict[str, Any]:
            numbers.append(journal.next_receipt_number(db))
            body = dict(event.body, number=numbers[0], tse=fields.to_dict())
            body.pop("journaled_as", None)
            if recovered:
                body["recovered"] = True
            return body

        entry = self._append_numbered(event.kind, body_with_number, effects)
        return Signed(entry, numbers[0], fields)

    def _journal_aborted(
        self, event: Signable | None, fields: TseFields, tse_number: int | None, note: str
    ) -> Signed:
        lines = event.receipt.lines if event is not None and event.receipt is not None else ()
        staff = event.receipt.staff if event is not None and event.receipt is not None else None
        aborted = Receipt(BonType.ABORTED, lines, (), staff=staff, note=note)
        body = {"receipt": aborted.to_dict()}
        if event is not None and event.receipt is None:
            body["aborted_event"] = event.kind.value
        return self._journal_signed(
            Signable(EntryKind.RECEIPT, body, BonType.ABORTED, {}, (), aborted),
            fields,
            tse_number,
            recovered=True,
        )

    def _append(self, kind: EntryKind, body: dict[str, Any], effects: Any = None) -> Entry:
        return journal.append(
            self.db, truck=self.truck, kind=kind, body=body, clock=self.clock, effects=effects
        )

    def _append_numbered(
        self,
        kind: EntryKind,
        make_body: Callable[[Database], dict[str, Any]],
        effects: Callable[[Database, Entry], None],
    ) -> Entry:
        # The number is drawn inside the entry's own transaction, so it stays gap-free.
        return journal.append(
            self.db,
            truck=self.truck,
            kind=kind,
            body=make_body,
            clock=self.clock,
            effects=effects,
            before_commit=self.step,
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
        return TseFields.failed_with(reason, description=self._description())

    def _description(self) -> str:
        try:
            return self.tse.info().description
        except TseError:
            return "TSE"

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
