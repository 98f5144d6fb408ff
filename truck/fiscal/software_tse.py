"""A TSE in software: real ECDSA signatures and TR-03151 log messages, but no certification.

For trying Tourkasse out and for tests; its receipts name it as uncertified. It behaves like a
TSE where the till can tell: gap-free transaction numbers, a gap-free signature counter, log
messages signed with the key in ``tse-key.pem``, and answers for crash recovery.

State lives in ``tse.sqlite`` (WAL, synchronous=FULL). Every operation is one ``BEGIN IMMEDIATE``
transaction that allocates its numbers, signs and records the result, so a process killed at any
instant leaves either the whole operation or none of it, and several processes may share a TSE.

Signature counter: every signed log message — StartTransaction, each UpdateTransaction and
FinishTransaction — takes the next counter value, as on a hardware TSE; a finished transaction
carries the counter of its FinishTransaction message. So a receipt's counter is not its number,
and the counters of consecutive receipts differ by two or more.

Times: the log messages use unixTime, which has whole seconds, so start and log times are cut to
the second; what is shown on the receipt is exactly what was signed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import ec

from tourkasse.sqlite_wal import switch_to_wal
from truck.fiscal.keystore import create_key, load_key
from truck.fiscal.log_message import TransactionLog, encode_log_message, signed_data
from truck.fiscal.process_data import PROCESS_TYPE, build_process_data
from truck.fiscal.signing import (
    algorithm_named,
    algorithm_of_key,
    public_key_bytes,
    serial_number_of,
    sign_plain,
    verify_plain,
)
from truck.fiscal.sqlite_transaction import immediate
from truck.fiscal.tar_export import export_file_name, write_tar
from truck.fiscal.tse import (
    FinishedTransaction,
    StartedTransaction,
    TransactionState,
    TseError,
    TseInfo,
    TseUnavailable,
    require_utc,
)

KEY_FILE = "tse-key.pem"
STATE_FILE = "tse.sqlite"
DESCRIPTION = "Software-TSE – nicht zertifiziert"
TIME_FORMAT = "unixTime"
BUSY_TIMEOUT_SECONDS = 10.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tse_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # One row per signed log message; signature_counter runs 1, 2, 3, … without gaps.
    """CREATE TABLE IF NOT EXISTS tse_log_messages (
        signature_counter INTEGER PRIMARY KEY,
        transaction_number INTEGER NOT NULL,
        operation_type TEXT NOT NULL,
        log_time INTEGER NOT NULL,
        message BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tse_transactions (
        number INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('ACTIVE', 'FINISHED')),
        start_time INTEGER NOT NULL,
        finished TEXT)""",
    "CREATE INDEX IF NOT EXISTS tse_transactions_open ON tse_transactions (client_id, state)",
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SoftwareTse:
    """The software TSE in ``directory``.

    Key and state are created only with ``create=True`` (``tourkasse truck tse init``): a TSE
    whose folder has vanished must not come back silently as a new TSE with its counters at 1.
    """

    def __init__(
        self,
        directory: Path,
        *,
        curve: Literal["P-256", "P-384"] = "P-256",
        clock: Callable[[], datetime] | None = None,
        create: bool = False,
    ) -> None:
        if curve not in ("P-256", "P-384"):
            raise ValueError(f"unsupported curve {curve!r} (P-256 or P-384)")
        self._directory = Path(directory)
        self._clock = clock or _utc_now
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        if not create and not (self._directory / STATE_FILE).exists():
            raise TseUnavailable(
                f"TSE nicht erreichbar: keine Software-TSE in {self._directory} "
                "(einrichten mit: tourkasse truck tse init)"
            )
        try:
            self._key, self._info = self._open(curve)
        except TseError:
            self.close()
            raise
        except (OSError, sqlite3.Error, ValueError) as exc:
            self.close()
            raise TseUnavailable(
                f"TSE nicht erreichbar: Software-TSE in {self._directory} ist nicht lesbar ({exc})"
            ) from exc

    # --- opening ------------------------------------------------------------------------------

    def _open(self, curve: str) -> tuple[ec.EllipticCurvePrivateKey, TseInfo]:
        self._directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key_path = self._directory / KEY_FILE
        state_path = self._directory / STATE_FILE
        # The state is created before the key, so a key without state means the state was lost:
        # starting again from counter 1 under the same serial number would repeat counters.
        if key_path.exists() and not state_path.exists():
            raise TseUnavailable(
                f"TSE nicht erreichbar: {state_path} fehlt, der Schlüssel ist aber vorhanden "
                "– die Zähler der TSE sind verloren"
            )
        self._connection = sqlite3.connect(
            state_path,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,  # transactions are begun and ended explicitly
            check_same_thread=False,  # guarded by self._lock instead
        )
        mode = switch_to_wal(self._connection, wait_s=BUSY_TIMEOUT_SECONDS)
        if str(mode).lower() != "wal":
            raise TseUnavailable(f"TSE nicht erreichbar: {state_path} lässt kein WAL zu ({mode})")
        self._connection.execute("PRAGMA synchronous=FULL")
        with self._transaction() as connection:
            for statement in _SCHEMA:
                connection.execute(statement)
            recorded = self._meta(connection, "serial_number")
        if not key_path.exists():
            if recorded is not None:
                raise TseUnavailable(
                    f"TSE nicht erreichbar: Schlüssel {key_path} fehlt (Seriennummer {recorded})"
                )
            create_key(key_path, curve)
        key = load_key(key_path)
        algorithm = algorithm_of_key(key)
        if algorithm.curve_name != curve:
            raise TseUnavailable(
                f"TSE nicht erreichbar: Schlüssel in {key_path} ist {algorithm.curve_name}, "
                f"eingestellt ist {curve}"
            )
        public_key = public_key_bytes(key)
        serial = serial_number_of(public_key)
        with self._transaction() as connection:
            recorded = self._meta(connection, "serial_number")
            if recorded is None:
                connection.execute(
                    "INSERT INTO tse_meta (key, value) VALUES ('serial_number', ?)", (serial,)
                )
            elif recorded != serial:
                raise TseUnavailable(
                    f"TSE nicht erreichbar: Schlüssel {key_path} gehört nicht zu diesem Zustand "
                    f"(Seriennummer {serial}, erwartet {recorded})"
                )
        info = TseInfo(
            serial_number=serial,
            public_key=public_key,
            signature_algorithm=algorithm.name,
            time_format=TIME_FORMAT,
            certified=False,
            description=DESCRIPTION,
        )
        return key, info

    @staticmethod
    def _meta(connection: sqlite3.Connection, key: str) -> str | None:
        row = connection.execute("SELECT value FROM tse_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> SoftwareTse:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- the Tse protocol ---------------------------------------------------------------------

    def info(self) -> TseInfo:
        return self._info

    def self_test(self) -> None:
        """Check that key and state are still on disk, readable, and that the key signs."""
        for name in (KEY_FILE, STATE_FILE):
            if not (self._directory / name).is_file():
                raise TseUnavailable(f"TSE nicht erreichbar: {self._directory / name} fehlt")
        probe = TransactionLog(
            operation_type="UpdateTransaction",
            client_id="Selbsttest",
            process_type="",
            process_data="",
            transaction_number=0,
            serial_number=self._info.serial_number,
            signature_algorithm=self._info.signature_algorithm,
            signature_counter=0,
            log_time=self._now(),
        )
        data = signed_data(probe)
        with self._transaction() as connection:
            connection.execute("SELECT count(*) FROM tse_log_messages").fetchone()
        algorithm = algorithm_named(self._info.signature_algorithm)
        signature = sign_plain(self._key, data)
        if not verify_plain(algorithm, self._info.public_key, data, signature):
            raise TseUnavailable("TSE nicht erreichbar: Selbsttest der Signatur fehlgeschlagen")

    def start_transaction(self, client_id: str) -> StartedTransaction:
        with self._transaction() as connection:
            number = connection.execute(
                "SELECT coalesce(max(number), 0) + 1 FROM tse_transactions"
            ).fetchone()[0]
            _, log_time, _ = self._sign(connection, "StartTransaction", client_id, number, "", "")
            connection.execute(
                "INSERT INTO tse_transactions (number, client_id, state, start_time)"
                " VALUES (?, ?, 'ACTIVE', ?)",
                (number, client_id, int(log_time.timestamp())),
            )
        return StartedTransaction(number=number, client_id=client_id, start_time=log_time)

    def update_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> None:
        with self._transaction() as connection:
            self._active(connection, client_id, number)
            self._sign(
                connection, "UpdateTransaction", client_id, number, process_type, process_data
            )

    def finish_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> FinishedTransaction:
        with self._transaction() as connection:
            start_time = self._active(connection, client_id, number)
            counter, log_time, signature = self._sign(
                connection, "FinishTransaction", client_id, number, process_type, process_data
            )
            finished = FinishedTransaction(
                number=number,
                client_id=client_id,
                process_type=process_type,
                process_data=process_data,
                start_time=start_time,
                log_time=log_time,
                signature_counter=counter,
                signature=signature,
                serial_number=self._info.serial_number,
                signature_algorithm=self._info.signature_algorithm,
                time_format=self._info.time_format,
                public_key=self._info.public_key,
            )
            connection.execute(
                "UPDATE tse_transactions SET state = 'FINISHED', finished = ? WHERE number = ?",
                (json.dumps(finished.to_dict(), sort_keys=True), number),
            )
        return finished

    def cancel_transaction(self, client_id: str, number: int) -> FinishedTransaction:
        aborted = build_process_data("AVBelegabbruch", {}, [])
        return self.finish_transaction(client_id, number, PROCESS_TYPE, aborted)

    def transaction_state(self, number: int) -> tuple[TransactionState, FinishedTransaction | None]:
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT state, finished FROM tse_transactions WHERE number = ?", (number,)
            ).fetchone()
        if row is None:
            return TransactionState.UNKNOWN, None
        if row[0] == "ACTIVE":
            return TransactionState.ACTIVE, None
        return TransactionState.FINISHED, FinishedTransaction.from_dict(json.loads(row[1]))

    def open_transactions(self, client_id: str) -> list[int]:
        with self._transaction() as connection:
            rows = connection.execute(
                "SELECT number FROM tse_transactions WHERE client_id = ? AND state = 'ACTIVE'"
                " ORDER BY number",
                (client_id,),
            ).fetchall()
        return [number for (number,) in rows]

    # --- beyond the protocol ------------------------------------------------------------------

    def log_messages(self, transaction_number: int | None = None) -> list[bytes]:
        """The signed TR-03151 log messages (DER), by signature counter; for export and audit."""
        query = "SELECT message FROM tse_log_messages"
        parameters: tuple[int, ...] = ()
        if transaction_number is not None:
            query += " WHERE transaction_number = ?"
            parameters = (transaction_number,)
        with self._transaction() as connection:
            rows = connection.execute(query + " ORDER BY signature_counter", parameters)
            return [bytes(message) for (message,) in rows.fetchall()]

    def export_tar(self, out_dir: Path) -> Path:
        """The TSE's own export (TseExport): a TAR of every log message it signed."""
        target = Path(out_dir) / export_file_name(self._info.serial_number, self._now())
        return write_tar(target, self.log_messages(), self._info, self._now())

    # --- internals ----------------------------------------------------------------------------

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One BEGIN IMMEDIATE … COMMIT; storage failures become TseUnavailable."""
        return immediate(self._lock, self._connection, "Software-TSE ist geschlossen")

    def _now(self) -> datetime:
        return require_utc(self._clock(), "clock()").replace(microsecond=0)

    def _active(self, connection: sqlite3.Connection, client_id: str, number: int) -> datetime:
        """The start time of the active transaction ``number``; TseError if it is not active."""
        row = connection.execute(
            "SELECT client_id, state, start_time FROM tse_transactions WHERE number = ?",
            (number,),
        ).fetchone()
        if row is None:
            raise TseError(f"TSE-Transaktion {number} ist unbekannt")
        owner, state, start_time = row
        if state != "ACTIVE":
            raise TseError(f"TSE-Transaktion {number} ist bereits abgeschlossen")
        if owner != client_id:
            raise TseError(
                f"TSE-Transaktion {number} gehört zur Kasse „{owner}“, nicht zu „{client_id}“"
            )
        return datetime.fromtimestamp(start_time, UTC)

    def _sign(
        self,
        connection: sqlite3.Connection,
        operation: str,
        client_id: str,
        number: int,
        process_type: str,
        process_data: str,
    ) -> tuple[int, datetime, bytes]:
        """Sign and record the next log message: (signature counter, log time, signature)."""
        counter = connection.execute(
            "SELECT coalesce(max(signature_counter), 0) + 1 FROM tse_log_messages"
        ).fetchone()[0]
        log = TransactionLog(
            operation_type=operation,
            client_id=client_id,
            process_type=process_type,
            process_data=process_data,
            transaction_number=number,
            serial_number=self._info.serial_number,
            signature_algorithm=self._info.signature_algorithm,
            signature_counter=counter,
            log_time=self._now(),
        )
        signature = sign_plain(self._key, signed_data(log))
        connection.execute(
            "INSERT INTO tse_log_messages"
            " (signature_counter, transaction_number, operation_type, log_time, message)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                counter,
                number,
                operation,
                int(log.log_time.timestamp()),
                encode_log_message(log, signature),
            ),
        )
        return counter, log.log_time, signature
