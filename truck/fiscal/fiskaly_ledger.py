"""The fiskaly client's own small record: which fiskaly transaction id has which number.

fiskaly addresses a transaction by a UUID the client chooses; the till knows it by fiskaly's
transaction number. After a crash or a restart the till asks "what became of number 17?", and
finishing or cancelling needs the UUID and the revision reached so far, so the mapping must
outlive the process: one SQLite file (WAL, synchronous=FULL) in the TSE's directory.

A row is written *before* the transaction is started at fiskaly (state ``STARTING``, no number
yet): if the answer never arrives, the UUID is still known and the next start of the till asks
fiskaly whether that transaction exists.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tourkasse.sqlite_wal import switch_to_wal
from truck.fiscal.sqlite_transaction import immediate
from truck.fiscal.tse import TseUnavailable

LEDGER_FILE = "fiskaly.sqlite"
BUSY_TIMEOUT_SECONDS = 10.0

STARTING, ACTIVE, FINISHED, CANCELLED = "STARTING", "ACTIVE", "FINISHED", "CANCELLED"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS fiskaly_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS fiskaly_transactions (
        tx_id TEXT PRIMARY KEY,
        number INTEGER UNIQUE,
        client_serial TEXT NOT NULL,
        revision INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('STARTING', 'ACTIVE', 'FINISHED', 'CANCELLED')))""",
    "CREATE INDEX IF NOT EXISTS fiskaly_transactions_state"
    " ON fiskaly_transactions (client_serial, state)",
)


@dataclass(frozen=True)
class LedgerRow:
    tx_id: str
    number: int | None
    client_serial: str
    revision: int  # the last revision fiskaly confirmed (0: not yet started)
    state: str


class FiskalyLedger:
    def __init__(self, directory: Path, tss_id: str) -> None:
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        path = Path(directory) / LEDGER_FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
            switch_to_wal(self._connection, wait_s=BUSY_TIMEOUT_SECONDS)
            self._connection.execute("PRAGMA synchronous=FULL")
            with self._transaction() as connection:
                for statement in _SCHEMA:
                    connection.execute(statement)
                recorded = connection.execute(
                    "SELECT value FROM fiskaly_meta WHERE key = 'tss_id'"
                ).fetchone()
                if recorded is None:
                    connection.execute(
                        "INSERT INTO fiskaly_meta (key, value) VALUES ('tss_id', ?)", (tss_id,)
                    )
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise TseUnavailable(f"TSE nicht erreichbar: {path} ist nicht lesbar ({exc})") from exc
        if recorded is not None and recorded[0] != tss_id:
            self.close()
            # Numbers of one TSS mean nothing at another: never mix them up.
            raise TseUnavailable(
                f"TSE nicht erreichbar: {path} gehört zur TSS {recorded[0]}, eingestellt ist {tss_id}"
            )

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # --- transactions -------------------------------------------------------------------------

    def add(self, tx_id: str, client_serial: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO fiskaly_transactions (tx_id, client_serial, revision, state)"
                " VALUES (?, ?, 0, 'STARTING')",
                (tx_id, client_serial),
            )

    def record(self, tx_id: str, *, number: int, revision: int, state: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                "UPDATE fiskaly_transactions SET number = ?, revision = ?, state = ?"
                " WHERE tx_id = ?",
                (number, revision, state, tx_id),
            )

    def forget(self, tx_id: str) -> None:
        """Drop a row whose transaction fiskaly never started."""
        with self._transaction() as connection:
            connection.execute(
                "DELETE FROM fiskaly_transactions WHERE tx_id = ? AND state = 'STARTING'", (tx_id,)
            )

    def by_number(self, number: int) -> LedgerRow | None:
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT tx_id, number, client_serial, revision, state"
                " FROM fiskaly_transactions WHERE number = ?",
                (number,),
            ).fetchone()
        return None if row is None else LedgerRow(*row)

    def in_state(self, client_serial: str, state: str) -> list[LedgerRow]:
        with self._transaction() as connection:
            rows = connection.execute(
                "SELECT tx_id, number, client_serial, revision, state FROM fiskaly_transactions"
                " WHERE client_serial = ? AND state = ? ORDER BY rowid",
                (client_serial, state),
            ).fetchall()
        return [LedgerRow(*row) for row in rows]

    # --- what the TSE said about itself (for receipts sold while fiskaly cannot be reached) ---

    def cached(self, key: str) -> dict[str, Any] | None:
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT value FROM fiskaly_meta WHERE key = ?", (f"cache:{key}",)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def cache(self, key: str, value: dict[str, Any]) -> None:
        with self._transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO fiskaly_meta (key, value) VALUES (?, ?)",
                (f"cache:{key}", json.dumps(value, sort_keys=True)),
            )

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self._lock, self._connection, "fiskaly-Verzeichnis ist geschlossen")
