"""The till sells with the fiskaly client against a local STAND-IN of fiskaly's API.

fiskaly SIGN DE is a cloud service that cannot run here; tests/support/fiskaly_standin.py
serves its documented API on 127.0.0.1 and signs with a real key, so every signature below is
checked against the TR-03151 log message it claims to sign.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import TickingClock
from tourkasse.journal import EntryKind
from tourkasse.receipt import Receipt, Staff
from tourkasse.signature import TseFields
from tourkasse.vat import VatRate
from truck.core.basket import Basket
from truck.core.payment import settle
from truck.fiscal.log_message import verify_signature
from truck.fiscal.process_data import parse_process_data
from truck.fiscal.qr import parse_qr_string
from truck.fiscal.tse import FinishedTransaction, TransactionState
from truck.store import articles, journal
from truck.till.till import CashMovement

ANNA = Staff("7", "Anna")


@pytest.fixture
def till_clock() -> TickingClock:
    return TickingClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))


def sale(db, *, card: int = 0) -> Receipt:
    """Bread, two juices and a detergent: 7 % and 19 %; ``card`` cents by card, the rest cash."""
    basket = Basket()
    for number, quantity in (("1001", 1), ("2001", 2), ("6001", 1)):
        found = articles.by_number(db, number)
        assert found is not None
        basket.add_article(found, quantity)
    cash = basket.total - card
    return basket.receipt(settle(basket.total, cash_tendered=cash, card=card), staff=ANNA)


def signed_by_standin(fields: TseFields, tse) -> FinishedTransaction:
    """The transaction behind a receipt's TSE fields, as fiskaly reports it; checks it verifies."""
    assert not fields.failed, fields.failure
    assert fields.certified is True
    assert fields.description == "fiskaly SIGN DE (Cloud-TSE)"
    assert fields.transaction_number is not None
    state, finished = tse.transaction_state(fields.transaction_number)
    assert state is TransactionState.FINISHED and finished is not None
    assert verify_signature(finished)
    qr = parse_qr_string(fields.qr)
    assert (qr.signature, qr.public_key) == (finished.signature, finished.public_key)
    assert qr.process_data == finished.process_data == fields.process_data
    return finished


def kinds(db) -> list[EntryKind]:
    return [entry.kind for entry in journal.entries(db)]


def test_standin_signs_receipts_void_cash_movement_and_opening_float_through_the_till(
    fiskaly, till_clock
):
    tse = fiskaly.tse()
    till = fiskaly.till(tse, till_clock)

    opening = till.opening_float(10000, staff=ANNA)
    cash = till.sell(sale(fiskaly.db))
    card = till.sell(sale(fiskaly.db, card=500))
    void = till.void(cash.number, staff=ANNA)
    movement = till.cash_movement(CashMovement.AUSZAHLUNG, 1500, "Eier vom Hof", staff=ANNA)

    signed = {
        "opening": signed_by_standin(opening.tse, tse),
        "cash": signed_by_standin(cash.signed.tse, tse),
        "card": signed_by_standin(card.signed.tse, tse),
        "void": signed_by_standin(void.signed.tse, tse),
        "movement": signed_by_standin(movement.tse, tse),
    }
    # Our transaction numbers are fiskaly's numbers, in the order the events happened.
    assert [tx.number for tx in signed.values()] == [1, 2, 3, 4, 5]
    assert len({tx.signature_counter for tx in signed.values()}) == 5

    assert parse_process_data(signed["opening"].process_data) == (
        "AVTransfer",
        {VatRate.NORMAL: 0, VatRate.REDUCED: 0, VatRate.ZERO: 10000},
        [(10000, "Bar")],
    )
    bon_type, gross, payments = parse_process_data(signed["cash"].process_data)
    receipt = cash.receipt
    assert bon_type == "Beleg"
    assert gross[VatRate.NORMAL] == receipt.gross_by_rate[VatRate.NORMAL]
    assert gross[VatRate.REDUCED] == receipt.gross_by_rate[VatRate.REDUCED]
    assert payments == [(receipt.total, "Bar")]
    # The void is a receipt of its own with every amount negated.
    void_type, void_gross, void_payments = parse_process_data(signed["void"].process_data)
    assert void_type == "Beleg"
    assert void_gross == {rate: -amount for rate, amount in gross.items()}
    assert void_payments == [(-receipt.total, "Bar")]
    card_payments = parse_process_data(signed["card"].process_data)[2]
    assert card_payments == [(card.receipt.total - 500, "Bar"), (500, "Unbar")]
    assert parse_process_data(signed["movement"].process_data)[2] == [(-1500, "Bar")]
    assert EntryKind.TSE_FAILURE_START not in kinds(fiskaly.db)
