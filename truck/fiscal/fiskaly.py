"""fiskaly SIGN DE v2, a certified cloud TSE, behind the till's :class:`~truck.fiscal.tse.Tse`.

Every TSE operation is an HTTPS request, so a cloud TSE works only where the truck has mobile
data: in a dead zone every receipt is sold in failure mode (see docs/fiscal.md; a hardware TSE
is the choice for trucks). The till copes with that as with any TSE failure: ``TseUnavailable``
makes it sell on, note the failure in the journal, and fetch the late answer on its next start.

How the till's words map to fiskaly's:

- Our transaction number is fiskaly's ``number``; fiskaly addresses the transaction by a UUID
  (``tx_id``) we choose. The mapping lives in :mod:`truck.fiscal.fiskaly_ledger`, so crash
  recovery (``transaction_state``, ``open_transactions``, ``cancel_transaction``) works after a
  restart.
- Our ``client_id`` (the till's serial number, signed into every log message) is fiskaly's
  client ``serial_number``; fiskaly's own ``client_id`` is a UUID from the config.
- Start = ``PUT /tss/{tss_id}/tx/{tx_id}?tx_revision=1`` with state ACTIVE; update, finish and
  cancel are the next revisions with ACTIVE, FINISHED and CANCELLED.
"""

from __future__ import annotations

import binascii
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from truck.fiscal.fiskaly_http import FiskalyHttp, FiskalyRefusal
from truck.fiscal.fiskaly_ledger import (
    ACTIVE,
    CANCELLED,
    FINISHED,
    STARTING,
    FiskalyLedger,
    LedgerRow,
)
from truck.fiscal.fiskaly_schema import (
    finished_of_answer,
    public_key_point,
    receipt_schema,
    unix_time,
)
from truck.fiscal.process_data import PROCESS_TYPE, build_process_data
from truck.fiscal.tar_export import export_file_name
from truck.fiscal.tse import (
    FinishedTransaction,
    StartedTransaction,
    TransactionState,
    TseError,
    TseInfo,
    TseUnavailable,
)

DESCRIPTION = "fiskaly SIGN DE (Cloud-TSE)"
EXPORT_POLLS = 120  # an export of a busy TSS can take minutes; pauses grow to max_backoff_s


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FiskalyTse:
    """A fiskaly TSS used by one till (one fiskaly client)."""

    def __init__(
        self,
        directory: Path,
        http: FiskalyHttp,
        *,
        tss_id: str,
        client_id: str,
        client_serial: str,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._http = http
        self._tss = f"/tss/{tss_id}"
        self._client_uuid = client_id
        self._client_serial = client_serial
        self._clock = clock
        self._ledger = FiskalyLedger(directory, tss_id)  # no network: a till opens in dead zones
        self._info: TseInfo | None = None

    def close(self) -> None:
        self._ledger.close()

    # --- the Tse protocol ---------------------------------------------------------------------

    def info(self) -> TseInfo:
        if self._info is None:
            cached = self._ledger.cached("tss")
            self._info = _info_of(cached) if cached else self._fetch_info()
        return self._info

    def self_test(self) -> None:
        """Ask fiskaly for the TSS: it must answer and be INITIALIZED."""
        self._fetch_info()

    def start_transaction(self, client_id: str) -> StartedTransaction:
        self._check_client(client_id)
        # Known before the first receipt is signed (a network request once per truck, then
        # cached), so that describing the signed receipt can never fail after fiskaly signed.
        self.info()
        tx_id = str(uuid.uuid4())
        self._ledger.add(tx_id, client_id)  # before asking: the UUID must survive a lost answer
        try:
            answer = self._put(tx_id, 1, {"state": "ACTIVE"})
        except FiskalyRefusal as refusal:
            self._ledger.forget(tx_id)
            raise TseUnavailable(f"TSE nicht erreichbar: {refusal}") from refusal
        try:
            number = int(answer["number"])
            start_time = unix_time(answer["time_start"])
        except (KeyError, TypeError, ValueError) as exc:
            raise TseUnavailable(
                f"TSE nicht erreichbar: fiskaly-Antwort unvollständig ({exc})"
            ) from exc
        self._ledger.record(tx_id, number=number, revision=1, state=ACTIVE)
        return StartedTransaction(number=number, client_id=client_id, start_time=start_time)

    def update_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> None:
        row = self._active(client_id, number)
        body = {"state": "ACTIVE", "schema": self._schema(process_type, process_data)}
        self._next_revision(row, body, ACTIVE)

    def finish_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> FinishedTransaction:
        row = self._active(client_id, number)
        body = {"state": "FINISHED", "schema": self._schema(process_type, process_data)}
        return finished_of_answer(self._next_revision(row, body, FINISHED))

    def cancel_transaction(self, client_id: str, number: int) -> FinishedTransaction:
        row = self._active(client_id, number)
        aborted = build_process_data("AVBelegabbruch", {}, [])
        body = {"state": "CANCELLED", "schema": self._schema(PROCESS_TYPE, aborted)}
        return finished_of_answer(self._next_revision(row, body, CANCELLED))

    def transaction_state(self, number: int) -> tuple[TransactionState, FinishedTransaction | None]:
        row = self._ledger.by_number(number)
        answer = self._get_transaction(row.tx_id if row else str(number))
        if answer is None:
            return TransactionState.UNKNOWN, None
        state = self._remember(answer, row)
        if state == ACTIVE:
            return TransactionState.ACTIVE, None
        return TransactionState.FINISHED, finished_of_answer(answer)

    def open_transactions(self, client_id: str) -> list[int]:
        self._check_client(client_id)
        # Starts whose answer was lost: ask fiskaly whether the transaction exists.
        for row in self._ledger.in_state(client_id, STARTING):
            answer = self._get_transaction(row.tx_id)
            if answer is None:
                self._ledger.forget(row.tx_id)
            else:
                self._remember(answer, row)
        rows = self._ledger.in_state(client_id, ACTIVE)
        return sorted(row.number for row in rows if row.number is not None)

    # --- beyond the protocol: the TSE's own export (TseExport) -------------------------------

    def export_tar(self, out_dir: Path) -> Path:
        """Have fiskaly build the TAR export of the whole TSS, wait for it, and download it."""
        export_id = str(uuid.uuid4())
        path = f"{self._tss}/export/{export_id}"
        state = str(self._refusals_as_error(lambda: self._http.call("PUT", path)).get("state"))
        for poll in range(EXPORT_POLLS + 1):
            if state == "COMPLETED":
                break
            if state in ("ERROR", "CANCELLED"):
                raise TseError(f"fiskaly-Export {export_id} ist gescheitert ({state})")
            if poll == EXPORT_POLLS:
                raise TseUnavailable(
                    f"TSE nicht erreichbar: fiskaly-Export {export_id} wird nicht fertig"
                )
            self._http.sleep(self._http.policy.pause(poll, None))
            state = str(self._refusals_as_error(lambda: self._http.call("GET", path)).get("state"))
        data = self._refusals_as_error(lambda: self._http.download(f"{path}/file"))
        target = Path(out_dir) / export_file_name(self.info().serial_number, self._clock())
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(target)
        return target

    # --- internals ----------------------------------------------------------------------------

    def _check_client(self, client_id: str) -> None:
        if client_id != self._client_serial:
            raise TseError(
                f"Kasse „{client_id}“ ist bei dieser fiskaly-TSE nicht eingerichtet "
                f"(eingerichtet: „{self._client_serial}“)"
            )

    def _active(self, client_id: str, number: int) -> LedgerRow:
        self._check_client(client_id)
        row = self._ledger.by_number(number)
        if row is None:
            raise TseError(f"TSE-Transaktion {number} ist unbekannt")
        if row.state != ACTIVE:
            raise TseError(f"TSE-Transaktion {number} ist bereits abgeschlossen")
        if row.client_serial != client_id:
            raise TseError(
                f"TSE-Transaktion {number} gehört zur Kasse „{row.client_serial}“, "
                f"nicht zu „{client_id}“"
            )
        return row

    @staticmethod
    def _schema(process_type: str, process_data: str) -> dict[str, Any]:
        try:
            return receipt_schema(process_type, process_data)
        except ValueError as exc:
            raise TseError(str(exc)) from exc

    def _put(self, tx_id: str, revision: int, body: dict[str, Any]) -> dict[str, Any]:
        return self._http.call(
            "PUT",
            f"{self._tss}/tx/{tx_id}",
            {**body, "client_id": self._client_uuid},
            {"tx_revision": revision},
        )

    def _next_revision(self, row: LedgerRow, body: dict[str, Any], state: str) -> dict[str, Any]:
        revision = row.revision + 1
        try:
            answer = self._put(row.tx_id, revision, body)
        except FiskalyRefusal as refusal:
            if refusal.status == 404:
                raise TseError(
                    f"TSE-Transaktion {row.number} ist bei fiskaly unbekannt"
                ) from refusal
            # The TSE cannot sign this event: sell on in failure mode; recovery asks again later.
            raise TseUnavailable(f"TSE nicht erreichbar: {refusal}") from refusal
        assert row.number is not None  # only started rows are active
        self._ledger.record(row.tx_id, number=row.number, revision=revision, state=state)
        return answer

    def _get_transaction(self, tx_id_or_number: str) -> dict[str, Any] | None:
        try:
            return self._http.call("GET", f"{self._tss}/tx/{tx_id_or_number}")
        except FiskalyRefusal as refusal:
            if refusal.status == 404:
                return None
            raise TseUnavailable(f"TSE nicht erreichbar: {refusal}") from refusal

    def _remember(self, answer: dict[str, Any], row: LedgerRow | None) -> str:
        """Record what fiskaly says about a transaction in the ledger; return its state."""
        state = str(answer.get("state"))
        if state not in (ACTIVE, FINISHED, CANCELLED):
            raise TseUnavailable(f"TSE nicht erreichbar: unbekannter Transaktionszustand {state}")
        if row is not None:
            revision = int(answer.get("latest_revision") or answer.get("revision") or row.revision)
            self._ledger.record(
                row.tx_id, number=int(answer["number"]), revision=revision, state=state
            )
        return state

    def _fetch_info(self) -> TseInfo:
        try:
            answer = self._http.call("GET", self._tss)
        except FiskalyRefusal as refusal:
            raise TseUnavailable(f"TSE nicht erreichbar: {refusal}") from refusal
        if answer.get("state") != "INITIALIZED":
            raise TseUnavailable(
                f"TSE nicht erreichbar: fiskaly-TSS ist {answer.get('state')}, nicht INITIALIZED "
                "(einrichten mit der Einrichtungsfunktion, siehe docs/fiscal.md)"
            )
        info = _info_of(answer)
        self._ledger.cache("tss", answer)
        self._info = info
        return info

    @staticmethod
    def _refusals_as_error(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except FiskalyRefusal as refusal:
            raise TseError(str(refusal)) from refusal


def _info_of(tss: dict[str, Any]) -> TseInfo:
    try:
        return TseInfo(
            serial_number=str(tss["serial_number"]),
            public_key=public_key_point(tss["public_key"]),
            signature_algorithm=str(tss["signature_algorithm"]),
            time_format=str(tss["signature_timestamp_format"]),
            certified=True,
            description=DESCRIPTION,
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise TseUnavailable(f"TSE nicht erreichbar: fiskaly-TSS unvollständig ({exc})") from exc
