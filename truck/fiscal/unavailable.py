"""Stands in for a TSE that could not be opened at all, so the till can sell in failure mode.

Not a fake for tests: when the TSE's key or state cannot be read (a pulled USB TSE, a broken
file), the till still has to sell, and each receipt has to say that the TSE failed and why.
"""

from __future__ import annotations

from truck.fiscal.tse import (
    FinishedTransaction,
    StartedTransaction,
    TransactionState,
    TseInfo,
    TseUnavailable,
)


class UnavailableTse:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def _fail(self) -> TseUnavailable:
        return TseUnavailable(self.reason)

    def info(self) -> TseInfo:
        raise self._fail()

    def self_test(self) -> None:
        raise self._fail()

    def start_transaction(self, client_id: str) -> StartedTransaction:
        raise self._fail()

    def update_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> None:
        raise self._fail()

    def finish_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> FinishedTransaction:
        raise self._fail()

    def cancel_transaction(self, client_id: str, number: int) -> FinishedTransaction:
        raise self._fail()

    def transaction_state(self, number: int) -> tuple[TransactionState, FinishedTransaction | None]:
        raise self._fail()

    def open_transactions(self, client_id: str) -> list[int]:
        raise self._fail()
