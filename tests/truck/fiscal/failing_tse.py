"""A fake TSE that fails on demand: for tests and for rehearsing the till's failure mode.

This is not a TSE of its own. :class:`FailingTse` wraps a real one (usually the software TSE) and
simulates an outage — a USB TSE pulled out, a dead microSD TSE — by raising
:class:`~truck.fiscal.tse.TseUnavailable` while ``failing`` is True. Set it back to False and the
wrapped TSE answers again, with its counters where it left them.
"""

from __future__ import annotations

from typing import TypeVar

from truck.fiscal.tse import (
    FinishedTransaction,
    StartedTransaction,
    TransactionState,
    Tse,
    TseInfo,
    TseUnavailable,
)

T = TypeVar("T")

OUTAGE_MESSAGE = "TSE nicht erreichbar: simulierter Ausfall (FailingTse, Testattrappe)"


class FailingTse:
    """Fake TSE simulating an outage (an unplugged USB TSE) around a working ``inner`` TSE.

    ``failing``: every call raises TseUnavailable before reaching the inner TSE.
    ``losing_answers``: every call reaches the inner TSE and *then* raises TseUnavailable, as
    when the TSE is pulled out between doing the work and answering — the case the till's crash
    recovery (``transaction_state``) exists for.
    """

    def __init__(self, inner: Tse, *, failing: bool = False, losing_answers: bool = False) -> None:
        self.inner = inner
        self.failing = failing
        self.losing_answers = losing_answers

    def _check(self) -> None:
        if self.failing:
            raise TseUnavailable(OUTAGE_MESSAGE)

    def _answer(self, result: T) -> T:
        if self.losing_answers:
            raise TseUnavailable(OUTAGE_MESSAGE + " – Antwort verloren")
        return result

    def info(self) -> TseInfo:
        self._check()
        return self._answer(self.inner.info())

    def self_test(self) -> None:
        self._check()
        self.inner.self_test()
        self._answer(None)

    def start_transaction(self, client_id: str) -> StartedTransaction:
        self._check()
        return self._answer(self.inner.start_transaction(client_id))

    def update_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> None:
        self._check()
        self.inner.update_transaction(client_id, number, process_type, process_data)
        self._answer(None)

    def finish_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> FinishedTransaction:
        self._check()
        return self._answer(
            self.inner.finish_transaction(client_id, number, process_type, process_data)
        )

    def cancel_transaction(self, client_id: str, number: int) -> FinishedTransaction:
        self._check()
        return self._answer(self.inner.cancel_transaction(client_id, number))

    def transaction_state(self, number: int) -> tuple[TransactionState, FinishedTransaction | None]:
        self._check()
        return self._answer(self.inner.transaction_state(number))

    def open_transactions(self, client_id: str) -> list[int]:
        self._check()
        return self._answer(self.inner.open_transactions(client_id))
