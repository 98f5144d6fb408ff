"""The fake outage: FailingTse raises while failing and recovers afterwards."""

from __future__ import annotations

import pytest

from tests.truck.fiscal.failing_tse import FailingTse
from truck.fiscal.log_message import verify_signature
from truck.fiscal.process_data import PROCESS_TYPE, build_process_data
from truck.fiscal.software_tse import SoftwareTse
from truck.fiscal.tse import TransactionState, Tse, TseUnavailable

RECEIPT = build_process_data("Beleg", {}, [])


def test_is_a_tse(tse: SoftwareTse) -> None:
    assert isinstance(FailingTse(tse), Tse)


def test_raises_while_failing_and_recovers(tse: SoftwareTse) -> None:
    fake = FailingTse(tse)
    started = fake.start_transaction("TK-01")
    fake.failing = True
    calls = [
        fake.info,
        fake.self_test,
        lambda: fake.start_transaction("TK-01"),
        lambda: fake.update_transaction("TK-01", started.number, PROCESS_TYPE, RECEIPT),
        lambda: fake.finish_transaction("TK-01", started.number, PROCESS_TYPE, RECEIPT),
        lambda: fake.cancel_transaction("TK-01", started.number),
        lambda: fake.transaction_state(started.number),
        lambda: fake.open_transactions("TK-01"),
    ]
    for call in calls:
        with pytest.raises(TseUnavailable, match="TSE nicht erreichbar"):
            call()
    # Nothing reached the real TSE during the outage.
    assert len(tse.log_messages()) == 1
    fake.failing = False
    fake.self_test()
    assert fake.open_transactions("TK-01") == [started.number]
    tx = fake.finish_transaction("TK-01", started.number, PROCESS_TYPE, RECEIPT)
    assert tx.signature_counter == 2
    assert verify_signature(tx)
    assert fake.start_transaction("TK-01").number == started.number + 1


def test_lost_answer_is_recovered_through_transaction_state(tse: SoftwareTse) -> None:
    fake = FailingTse(tse)
    number = fake.start_transaction("TK-01").number
    fake.losing_answers = True
    with pytest.raises(TseUnavailable):
        fake.finish_transaction("TK-01", number, PROCESS_TYPE, RECEIPT)
    fake.losing_answers = False
    state, tx = fake.transaction_state(number)
    assert state is TransactionState.FINISHED
    assert tx is not None and tx.process_data == RECEIPT and verify_signature(tx)
