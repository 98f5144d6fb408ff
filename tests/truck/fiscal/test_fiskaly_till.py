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
from truck.fiscal.fiskaly_http import QUIET_SECONDS
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


# --- transient trouble: retried, the customer notices nothing -----------------------------------


def test_standin_500s_and_429_are_retried_and_the_receipt_is_signed(fiskaly, till_clock):
    tse = fiskaly.tse(retries=3)
    till = fiskaly.till(tse, till_clock)
    till.sell(sale(fiskaly.db))  # token fetched, TSS known
    fiskaly.pauses.clear()

    fiskaly.standin.fail_next(500, 2)
    fiskaly.standin.fail_next(429, 1, retry_after=3)
    done = till.sell(sale(fiskaly.db))

    signed_by_standin(done.signed.tse, tse)
    assert done.number == 2
    # Two 500s and a 429 on the start, each followed by a pause; the 429's Retry-After is
    # honoured (3 s instead of the doubled 2 s). No pause is really slept in this test.
    assert fiskaly.pauses == [0.5, 1.0, 3.0]
    assert EntryKind.TSE_FAILURE_START not in kinds(fiskaly.db)


def test_standin_expired_token_is_renewed_without_the_sale_noticing(fiskaly, till_clock):
    tse = fiskaly.tse()
    till = fiskaly.till(tse, till_clock)
    till.sell(sale(fiskaly.db))
    fiskaly.standin.expire_tokens()

    done = till.sell(sale(fiskaly.db))

    signed_by_standin(done.signed.tse, tse)
    assert fiskaly.standin.count("POST", "/auth") == 2
    assert fiskaly.pauses == []


def test_standin_slow_answer_is_asked_again_and_signed_once(fiskaly, till_clock):
    tse = fiskaly.tse(retries=2, timeout_s=0.3)
    till = fiskaly.till(tse, till_clock)
    opened = till.open_receipt()
    fiskaly.standin.hold_answers(1)  # fiskaly signs the finish, but its answer does not come

    done = till.complete(opened, sale(fiskaly.db))

    fiskaly.standin.release()
    finished = signed_by_standin(done.signed.tse, tse)
    # Asked twice with the same revision: fiskaly (idempotent) signed it once.
    assert fiskaly.standin.count("PUT", r"/tss/[^/]+/tx/[^/]+") == 3
    finish_logs = [m for m in fiskaly.standin.log_messages if b"FinishTransaction" in m]
    assert len(finish_logs) == 1
    assert finished.signature_counter == 2


# --- fiskaly out of reach: failure mode, then the late answer ------------------------------------


def test_standin_down_the_till_sells_in_failure_mode_and_says_so(fiskaly, till_clock):
    tse = fiskaly.tse()
    till = fiskaly.till(tse, till_clock)
    till.sell(sale(fiskaly.db))

    fiskaly.standin.down()  # a dead zone
    first = till.sell(sale(fiskaly.db))
    assert len(fiskaly.pauses) == 2  # the first sale tried three times (two pauses) ...
    second = till.sell(sale(fiskaly.db))
    assert len(fiskaly.pauses) == 2  # ... the next one at once: no wait at the counter

    for done in (first, second):
        assert done.signed.tse.failed
        assert "TSE ausgefallen" in (done.signed.tse.failure or "")
        assert done.signed.tse.description == "fiskaly SIGN DE (Cloud-TSE)"
    assert "fiskaly antwortet nicht" in (first.signed.tse.failure or "")
    assert "fiskaly war eben nicht erreichbar" in (second.signed.tse.failure or "")
    assert [first.number, second.number] == [2, 3]
    fiskaly.later(QUIET_SECONDS)  # still in the dead zone: one quick look, no retries
    third = till.sell(sale(fiskaly.db))
    assert third.signed.tse.failed and "1 Versuch)" in (third.signed.tse.failure or "")
    assert len(fiskaly.pauses) == 2
    failures = list(journal.entries(fiskaly.db, kinds=(EntryKind.TSE_FAILURE_START,)))
    assert len(failures) == 1  # journaled once when it starts, not per receipt
    assert "Verbindung abgelehnt" in failures[0].body["reason"]

    fiskaly.standin.up()
    fiskaly.later(QUIET_SECONDS)  # out of the dead zone: the next look finds fiskaly again
    back = till.sell(sale(fiskaly.db))

    signed_by_standin(back.signed.tse, tse)
    assert kinds(fiskaly.db)[-3:] == [
        EntryKind.TSE_FAILURE_END,
        EntryKind.TSE_STARTED,
        EntryKind.RECEIPT,
    ]


def test_standin_down_between_start_and_finish_recovery_journals_the_late_answer(
    fiskaly, till_clock
):
    tse = fiskaly.tse()
    till = fiskaly.till(tse, till_clock)
    opened = till.open_receipt()
    fiskaly.standin.down()

    done = till.complete(opened, sale(fiskaly.db))
    assert done.signed.tse.failed  # sold in failure mode, the customer has the receipt

    fiskaly.standin.up()
    fiskaly.later(QUIET_SECONDS)
    outcomes = till.recover()

    # fiskaly never got the finish: the open transaction is cancelled, and that answer is
    # journaled beside the receipt sold in failure mode.
    late = [o for o in outcomes if getattr(o, "kind", None) is EntryKind.TSE_LATE_SIGNATURE]
    assert len(late) == 1
    assert late[0].body["receipt_number"] == done.number
    fields = TseFields.from_dict(late[0].body["tse"])
    finished = signed_by_standin(fields, tse)
    assert parse_process_data(finished.process_data)[0] == "AVBelegabbruch"
    assert tse.open_transactions("TK-T01-0001") == []


def test_standin_signed_but_every_answer_was_lost_the_late_signature_is_the_real_one(
    fiskaly, till_clock
):
    tse = fiskaly.tse(retries=1, timeout_s=0.3)
    till = fiskaly.till(tse, till_clock)
    opened = till.open_receipt()
    fiskaly.standin.hold_answers(2)  # the finish and its one retry: signed, never answered

    done = till.complete(opened, sale(fiskaly.db))
    assert done.signed.tse.failed
    fiskaly.standin.release()
    fiskaly.later(QUIET_SECONDS)

    outcomes = till.recover()

    late = [o for o in outcomes if getattr(o, "kind", None) is EntryKind.TSE_LATE_SIGNATURE]
    assert len(late) == 1 and late[0].body["receipt_number"] == done.number
    finished = signed_by_standin(TseFields.from_dict(late[0].body["tse"]), tse)
    # What fiskaly signed is this very receipt, not a cancellation.
    bon_type, gross, payments = parse_process_data(finished.process_data)
    assert bon_type == "Beleg"
    assert gross[VatRate.NORMAL] == done.receipt.gross_by_rate[VatRate.NORMAL]
    assert gross[VatRate.REDUCED] == done.receipt.gross_by_rate[VatRate.REDUCED]
    assert payments == [(done.receipt.total, "Bar")]


# --- a crash (power cut) with a fiskaly transaction open, and the restart -------------------------


class PowerCut(BaseException):
    """Raised at a named step of the commit path: the till process dies there."""


def cut_power_at(name: str):
    def step(reached: str) -> None:
        if reached == name:
            raise PowerCut(name)

    return step


def test_standin_crash_between_start_and_finish_is_cancelled_after_restart(fiskaly, till_clock):
    till = fiskaly.till(fiskaly.tse(), till_clock)
    opened = till.open_receipt()  # the first line went into the basket; then the power went
    assert opened.tse_number == 1
    fiskaly.opened[-1].close()

    restarted_tse = fiskaly.tse()  # a new process: only the TSE's directory is left
    restarted = fiskaly.till(restarted_tse, till_clock)
    outcomes = restarted.recover()

    assert len(outcomes) == 1
    aborted = outcomes[0].entry
    assert aborted.kind is EntryKind.RECEIPT
    assert aborted.body["receipt"]["bon_type"] == "AVBelegabbruch"
    finished = signed_by_standin(TseFields.from_dict(aborted.body["tse"]), restarted_tse)
    assert finished.number == 1
    assert parse_process_data(finished.process_data)[0] == "AVBelegabbruch"
    assert [tx.state for tx in fiskaly.standin.transactions.values()] == ["CANCELLED"]
    assert restarted.recover() == []  # nothing left open


def test_standin_crash_after_fiskaly_signed_journals_the_signed_receipt_after_restart(
    fiskaly, till_clock
):
    till = fiskaly.till(fiskaly.tse(), till_clock, step=cut_power_at("after_tse_finish"))
    receipt = sale(fiskaly.db)
    with pytest.raises(PowerCut):
        till.sell(receipt)
    fiskaly.opened[-1].close()
    assert EntryKind.RECEIPT not in kinds(fiskaly.db)

    restarted_tse = fiskaly.tse()
    outcomes = fiskaly.till(restarted_tse, till_clock).recover()

    assert len(outcomes) == 1
    entry = outcomes[0].entry
    assert entry.kind is EntryKind.RECEIPT and entry.body["recovered"] is True
    assert Receipt.from_dict(entry.body["receipt"]) == receipt  # the draft, as signed
    signed_by_standin(TseFields.from_dict(entry.body["tse"]), restarted_tse)


def test_standin_start_answer_lost_the_transaction_is_found_and_cancelled_after_restart(
    fiskaly, till_clock
):
    tse = fiskaly.tse(retries=1, timeout_s=0.3)
    tse.self_test()  # logged in, so that the answers held back below are the start's
    till = fiskaly.till(tse, till_clock)
    fiskaly.standin.hold_answers(2)  # fiskaly starts the transaction; we never hear its number

    done = till.sell(sale(fiskaly.db))
    fiskaly.standin.release()
    assert done.signed.tse.failed
    tse.close()

    restarted_tse = fiskaly.tse()
    outcomes = fiskaly.till(restarted_tse, till_clock).recover()

    assert [tx.state for tx in fiskaly.standin.transactions.values()] == ["CANCELLED"]
    found = [e for e in journal.entries(fiskaly.db, kinds=(EntryKind.TSE_STARTED,))]
    assert found[-1].body["purpose"] == "nach Neustart gefunden"
    assert len(outcomes) == 1
    assert outcomes[0].entry.body["receipt"]["bon_type"] == "AVBelegabbruch"
    signed_by_standin(TseFields.from_dict(outcomes[0].entry.body["tse"]), restarted_tse)
