"""Shared helpers for the TSE tests: a clock the test moves by hand, and a consistency check."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.fiskaly_standin import API_KEY, API_SECRET, FiskalyStandIn
from truck.fiscal.fiskaly import FiskalyTse
from truck.fiscal.fiskaly_http import FiskalyHttp, RetryPolicy
from truck.fiscal.log_message import decode_log_message, verify_log_message, verify_signature
from truck.fiscal.software_tse import STATE_FILE, SoftwareTse
from truck.fiscal.tse import FinishedTransaction
from truck.store.articles import replace_articles
from truck.store.database import open_database
from truck.till.till import Till

START = datetime(2026, 11, 24, 10, 15, 2, 123456, tzinfo=UTC)


class ManualClock:
    """A clock that stands still until the test advances it (no sleeping in tests)."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def tse(tmp_path: Path, clock: ManualClock) -> Iterator[SoftwareTse]:
    with SoftwareTse(tmp_path / "tse", clock=clock, create=True) as software_tse:
        yield software_tse


def assert_consistent(directory: Path, curve: str = "P-256") -> tuple[int, int]:
    """Check a software TSE's state file from outside; return (transactions, log messages).

    Signature counters and transaction numbers run 1..N without gaps, every log message
    verifies, an active transaction has exactly its StartTransaction message and a finished one
    also its FinishTransaction message, whose fields are those of the stored transaction.
    """
    with SoftwareTse(directory, curve=curve, create=True) as software_tse:  # type: ignore[arg-type]
        public_key = software_tse.info().public_key
        messages = software_tse.log_messages()
    connection = sqlite3.connect(directory / STATE_FILE)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = connection.execute(
            "SELECT number, state, finished FROM tse_transactions ORDER BY number"
        ).fetchall()
    finally:
        connection.close()
    logs = [decode_log_message(message)[0] for message in messages]
    assert [log.signature_counter for log in logs] == list(range(1, len(logs) + 1))
    assert all(verify_log_message(message, public_key) for message in messages)
    assert [number for number, _, _ in rows] == list(range(1, len(rows) + 1))
    for number, state, finished in rows:
        operations = [log.operation_type for log in logs if log.transaction_number == number]
        if state == "ACTIVE":
            assert operations == ["StartTransaction"]
            assert finished is None
        else:
            assert operations[0] == "StartTransaction"
            assert operations[-1] == "FinishTransaction"
            tx = FinishedTransaction.from_dict(json.loads(finished))
            assert verify_signature(tx)
            finish = next(
                log
                for log in logs
                if log.transaction_number == number and log.operation_type == "FinishTransaction"
            )
            assert finish.signature_counter == tx.signature_counter
            assert finish.process_data == tx.process_data
            assert finish.log_time == tx.log_time
    return len(rows), len(logs)


# --- fiskaly: the client against the local stand-in of its API ---------------------------------

CLIENT_SERIAL = "TK-T01-0001"


class FiskalyParts:
    """A journal with the example articles, a fiskaly stand-in, and fiskaly clients on one dir.

    :meth:`tse` makes a new client on the same directory, as a restarted till does; the pauses
    between retries are recorded instead of slept (no test waits for a backoff).
    """

    def __init__(self, tmp_path: Path, standin: FiskalyStandIn, catalogue) -> None:
        self.directory = tmp_path / "tse"
        self.standin = standin
        self.tss_id, self.client_id = standin.ready_tss(CLIENT_SERIAL)
        self.db = open_database(tmp_path / "journal.sqlite")
        replace_articles(self.db, catalogue.articles, catalogue.departments)
        self.pauses: list[float] = []
        self.opened: list[FiskalyTse] = []
        self.monotonic = 0.0  # the clients' clock: a test moves it on with later()

    def http(self, *, retries: int = 2, timeout_s: float = 0.5) -> FiskalyHttp:
        policy = RetryPolicy(timeout_s=timeout_s, retries=retries)
        return FiskalyHttp(
            self.standin.base_url,
            API_KEY,
            API_SECRET,
            policy=policy,
            sleep=self.pauses.append,
            monotonic=lambda: self.monotonic,
        )

    def later(self, seconds: float) -> None:
        """Time goes by for the clients (their token's life, the quiet after a dead zone)."""
        self.monotonic += seconds

    def tse(self, *, retries: int = 2, timeout_s: float = 0.5) -> FiskalyTse:
        tse = FiskalyTse(
            self.directory,
            self.http(retries=retries, timeout_s=timeout_s),
            tss_id=self.tss_id,
            client_id=self.client_id,
            client_serial=CLIENT_SERIAL,
        )
        self.opened.append(tse)
        return tse

    def till(self, tse, clock, step=None) -> Till:
        return Till(self.db, tse, truck="T01", client_id=CLIENT_SERIAL, clock=clock, step=step)

    def close(self) -> None:
        for tse in self.opened:
            tse.close()
        self.db.close()


@pytest.fixture
def fiskaly_standin() -> Iterator[FiskalyStandIn]:
    with FiskalyStandIn() as standin:
        yield standin


@pytest.fixture
def fiskaly(tmp_path: Path, fiskaly_standin, catalogue) -> Iterator[FiskalyParts]:
    parts = FiskalyParts(tmp_path, fiskaly_standin, catalogue)
    yield parts
    parts.close()
