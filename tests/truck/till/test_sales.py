"""Selling through the real commit path: TSE, journal, numbering, voids, failure mode."""

from __future__ import annotations

import pytest

from tests.truck.fiscal.failing_tse import FailingTse
from tourkasse.journal import EntryKind
from tourkasse.receipt import BonType, Receipt, Staff
from tourkasse.vat import VatRate
from truck.core.basket import Basket, WeighedPrice
from truck.core.payment import settle
from truck.fiscal.log_message import verify_signature
from truck.fiscal.process_data import parse_process_data
from truck.fiscal.qr import parse_qr_string
from truck.fiscal.tse import FinishedTransaction
from truck.store import articles, journal
from truck.till.till import Till, TillError

from ...conftest import example_config_text

ANNA = Staff("7", "Anna")


def article(db, number):
    found = articles.by_number(db, number)
    assert found is not None
    return found


def five_line_sale(db, tendered=5000) -> Receipt:
    basket = Basket()
    basket.add_article(article(db, "1001"))
    basket.add_article(article(db, "2001"), 2)
    basket.add_article(article(db, "5001"), 6, deposit=article(db, "9001"))
    basket.add_article(article(db, "6001"))
    return basket.receipt(settle(basket.total, cash_tendered=tendered), staff=ANNA)


def test_a_cash_sale_is_numbered_signed_and_journaled(till, till_parts):
    db, _tse = till_parts
    receipt = five_line_sale(db)
    done = till.sell(receipt)

    assert done.number == 1
    entry = journal.entry(db, done.entry.seq)
    assert entry.kind is EntryKind.RECEIPT
    stored = Receipt.from_dict(entry.body["receipt"])
    assert stored == receipt
    # 4,20 + 2×1,19 + 6×0,69 + 6×0,25 + 1,29 = 13,51 €; change from 50 €
    assert stored.total == 420 + 238 + 414 + 150 + 129
    assert stored.change == 5000 - stored.total
    assert entry.body["tse"]["description"] == "Software-TSE – nicht zertifiziert"
    assert entry.body["tse"]["certified"] is False


def test_the_signature_verifies_and_the_qr_code_gives_back_the_receipts_figures(till, till_parts):
    db, tse = till_parts
    receipt = five_line_sale(db)
    fields = till.sell(receipt).signed.tse

    qr = parse_qr_string(fields.qr)
    bon_type, gross, payments = parse_process_data(qr.process_data)
    assert bon_type == "Beleg"
    assert gross[VatRate.NORMAL] == receipt.gross_by_rate[VatRate.NORMAL]
    assert gross[VatRate.REDUCED] == receipt.gross_by_rate[VatRate.REDUCED]
    assert payments == [(receipt.total, "Bar")]
    assert qr.signature_counter == fields.signature_counter
    assert qr.transaction_number == fields.transaction_number
    _, finished = tse.transaction_state(fields.transaction_number)
    assert isinstance(finished, FinishedTransaction)
    assert verify_signature(finished)
    assert qr.signature == finished.signature
    assert qr.public_key == tse.info().public_key


def test_receipt_numbers_are_gap_free_across_sales_aborts_and_cash(till, till_parts):
    db, _ = till_parts
    till.opening_float(10000, staff=ANNA)
    till.sell(five_line_sale(db))
    opened = till.open_receipt()
    basket = Basket()
    basket.add_article(article(db, "1002"), 3)
    till.abort(opened, basket.aborted(staff=ANNA))
    till.sell(five_line_sale(db))
    numbers = [e.body["number"] for e in journal.entries(db) if "number" in e.body]
    assert numbers == [1, 2, 3, 4]
    assert journal.verify(db, truck="T01").entries == len(list(journal.entries(db)))


def test_an_aborted_receipt_keeps_its_lines_and_is_signed_as_abort(till, till_parts):
    db, _ = till_parts
    opened = till.open_receipt()
    basket = Basket()
    basket.add_article(article(db, "1002"), 3)
    done = till.abort(opened, basket.aborted())
    assert done.receipt.bon_type is BonType.ABORTED
    assert len(done.receipt.lines) == 1
    assert done.signed.tse.process_data.startswith("AVBelegabbruch^0.00_0.00_0.00_0.00_0.00")
    assert till.figures().turnover == 0
    assert till.figures().aborted == 1


def test_a_void_is_a_new_receipt_with_negated_amounts_that_refers_to_the_original(till, till_parts):
    db, _ = till_parts
    original = till.sell(five_line_sale(db))
    void = till.void(original.number, staff=ANNA)
    assert void.number == original.number + 1
    assert void.receipt.void_of == original.number
    assert void.receipt.total == -original.receipt.total
    assert void.receipt.gross_by_rate == {
        rate: -gross for rate, gross in original.receipt.gross_by_rate.items()
    }
    assert till.figures().turnover == 0
    with pytest.raises(TillError, match="bereits mit Bon 2 storniert"):
        till.void(original.number)
    with pytest.raises(TillError, match="ist selbst ein Storno"):
        till.void(void.number)
    with pytest.raises(TillError, match="Bon 99 gibt es nicht"):
        till.void(99)


def test_training_receipts_are_signed_as_training_and_never_turnover(till, till_parts):
    db, _ = till_parts
    basket = Basket(training=True)
    basket.add_article(article(db, "1001"))
    done = till.sell(basket.receipt(settle(basket.total, cash_tendered=500)))
    assert done.signed.tse.process_data.startswith("AVTraining^")
    figures = till.figures()
    assert (figures.turnover, figures.training, figures.training_total) == (0, 1, 420)
    assert figures.expected_cash == 0


def test_a_receipt_of_only_returns_is_paid_out(till, till_parts):
    db, _ = till_parts
    till.opening_float(5000)
    basket = Basket()
    basket.add_deposit_return(article(db, "9010"), 2, VatRate.NORMAL)
    basket.add_return(article(db, "2002"))
    payments = settle(basket.total)
    done = till.sell(basket.receipt(payments))
    assert done.receipt.total == -(2 * 150 + 249)
    assert done.signed.tse.process_data.endswith(f"^-{(2 * 150 + 249) / 100:.2f}:Bar")
    assert till.figures().expected_cash == 5000 - (2 * 150 + 249)


def test_weighed_goods_carry_the_scales_price(till, till_parts):
    db, _ = till_parts
    basket = Basket()
    line = basket.add_weighed(article(db, "2101"), WeighedPrice(grams=347, total=586))
    assert line.total == 586  # the scale's price, never recomputed (347 g × 16,90 € = 5,86 €)
    done = till.sell(basket.receipt(settle(basket.total, cash_tendered=1000)))
    assert done.receipt.lines[0].weighing.till_computed is False


def test_tse_failure_sells_on_and_every_receipt_says_so(till_parts, clock):
    db, tse = till_parts
    failing = FailingTse(tse, failing=True)
    till = Till(db, failing, truck="T01", client_id="TK-T01-0001", clock=clock)

    first = till.sell(five_line_sale(db))
    second = till.sell(five_line_sale(db))
    assert first.signed.tse.failed and second.signed.tse.failed
    assert "TSE ausgefallen" in first.signed.tse.failure
    kinds = [e.kind for e in journal.entries(db)]
    assert kinds.count(EntryKind.TSE_FAILURE_START) == 1  # once, not per receipt

    failing.failing = False
    third = till.sell(five_line_sale(db))
    assert not third.signed.tse.failed
    kinds = [e.kind for e in journal.entries(db)]
    assert kinds.count(EntryKind.TSE_FAILURE_END) == 1
    assert [first.number, second.number, third.number] == [1, 2, 3]
    assert till.figures().tse_failures == 1


def test_tse_lost_during_finish_gets_its_late_answer_journaled_beside_the_receipt(
    till_parts, clock
):
    db, tse = till_parts
    failing = FailingTse(tse)
    till = Till(db, failing, truck="T01", client_id="TK-T01-0001", clock=clock)
    opened = till.open_receipt()
    failing.losing_answers = True  # the TSE signs, but its answer never arrives
    sold = till.complete(opened, five_line_sale(db))
    assert sold.signed.tse.failed
    failing.losing_answers = False
    (late,) = till.recover()
    assert late.kind is EntryKind.TSE_LATE_SIGNATURE
    assert late.body["receipt_number"] == sold.number
    assert late.body["tse"]["process_data"].startswith("Beleg^")  # what the TSE really signed
    assert tse.open_transactions("TK-T01-0001") == []
    assert till.figures().receipts == 1  # the sale counts once
    assert till.recover() == []


def test_tse_gone_during_finish_has_its_transaction_cancelled_when_it_is_back(till_parts, clock):
    db, tse = till_parts
    failing = FailingTse(tse)
    till = Till(db, failing, truck="T01", client_id="TK-T01-0001", clock=clock)
    opened = till.open_receipt()
    failing.failing = True
    sold = till.complete(opened, five_line_sale(db))
    assert sold.signed.tse.failed
    assert till.recover() == []  # still gone: nothing to do yet, nothing lost
    failing.failing = False
    (late,) = till.recover()
    assert late.body["receipt_number"] == sold.number
    assert late.body["tse"]["process_data"].startswith("AVBelegabbruch^")
    assert tse.open_transactions("TK-T01-0001") == []


def test_a_signed_sale_whose_draft_was_lost_is_journaled_as_the_tse_signed_it(till_parts, clock):
    """What a power cut between the TSE's signature and the journal may leave behind."""
    db, tse = till_parts
    till = Till(db, tse, truck="T01", client_id="TK-T01-0001", clock=clock)
    opened = till.open_receipt()
    receipt = five_line_sale(db)
    from truck.till.signing import Signable

    event = Signable(
        EntryKind.RECEIPT,
        {"receipt": receipt.to_dict()},
        receipt.bon_type,
        receipt.gross_by_rate,
        tuple(receipt.tse_payments()),
        receipt,
    )
    tse.finish_transaction("TK-T01-0001", opened.tse_number, "Kassenbeleg-V1", event.process_data())
    (recovered,) = till.recover()
    stored = Receipt.from_dict(recovered.entry.body["receipt"])
    assert stored.bon_type is BonType.RECEIPT
    assert stored.total == receipt.total
    assert stored.gross_by_rate == receipt.gross_by_rate
    assert "nicht erhalten" in stored.note
    assert recovered.tse.process_data == event.process_data()


def test_cash_movements_and_a_daily_closing_with_a_difference(till, till_parts):
    db, _ = till_parts
    from truck.till.till import CashMovement

    till.opening_float(10000, staff=ANNA)
    sale = till.sell(five_line_sale(db))
    till.cash_movement(CashMovement.AUSZAHLUNG, 2000, "Eier vom Hof Meyer bezahlt", staff=ANNA)
    with pytest.raises(TillError, match="bitte eine Notiz"):
        till.cash_movement(CashMovement.EINZAHLUNG, 100, " ")
    expected = 10000 + sale.receipt.total - 2000
    figures, _ = till.x_report()
    assert figures.expected_cash == expected

    counts = {5000: 1, 2000: 1, 1000: 1, 100: 1, 50: 1}  # one euro fifty too little, say
    closing = till.daily_closing(counts, staff=ANNA)
    assert closing.number == 1
    assert closing.counted == 5000 + 2000 + 1000 + 100 + 50
    assert closing.difference == closing.counted - expected
    assert closing.entry.body["difference"] == closing.difference
    # the next day starts from zero; closings are numbered gap-free
    assert till.figures().turnover == 0
    assert till.daily_closing({}).number == 2


def test_a_clock_behind_the_journal_stops_selling_until_overridden(till, till_parts, clock):
    from datetime import timedelta

    from truck.store.journal import ClockBehindJournal

    db, _ = till_parts
    till.sell(five_line_sale(db))
    clock.set(clock.now - timedelta(hours=3))
    before = len(list(journal.entries(db)))
    with pytest.raises(ClockBehindJournal, match="Verkauf gesperrt"):
        till.sign_on(ANNA)
    assert len(list(journal.entries(db))) == before  # nothing written
    till.override_clock(ANNA, "Uhr nach Stromausfall geprüft, Funkuhr im Wagen")
    till.sign_on(ANNA)
    assert journal.verify(db).entries == before + 2


def test_a_clock_that_ran_ahead_is_corrected_in_the_journal(till, till_parts, clock):
    from datetime import timedelta

    db, _ = till_parts
    till.sell(five_line_sale(db))
    clock.set(clock.now - timedelta(days=2))  # GPS says: the journal's last entry is in the future
    correction = till.correct_clock("gps")
    assert correction.kind is EntryKind.CLOCK_CORRECTION
    assert correction.body["source"] == "gps"
    after = till.sell(five_line_sale(db))
    assert after.entry.at < journal.entry(db, correction.seq - 1).at
    assert journal.verify(db).entries == correction.seq + 2


def test_a_tse_that_cannot_be_opened_leaves_the_till_selling_in_failure_mode(tmp_path, catalogue):
    from truck.config import load_truck_config
    from truck.fiscal.software_tse import SoftwareTse
    from truck.store.articles import replace_articles
    from truck.till.opening import open_till

    config_text = example_config_text()
    path = tmp_path / "truck.toml"
    path.write_text(config_text, encoding="utf-8")
    config = load_truck_config(path)
    SoftwareTse(config.paths.tse, create=True).close()  # tourkasse truck tse init
    shop = open_till(config)
    replace_articles(shop.db, catalogue.articles, catalogue.departments)
    assert not shop.till.sell(five_line_sale(shop.db)).signed.tse.failed
    shop.close()

    (config.paths.tse / "tse-key.pem").unlink()  # the TSE is gone
    shop = open_till(config)
    try:
        done = shop.till.sell(five_line_sale(shop.db))
        assert done.signed.tse.failed
        assert "TSE ausgefallen" in done.signed.tse.failure
        assert done.number == 2
        kinds = [e.kind for e in journal.entries(shop.db)]
        assert EntryKind.TSE_FAILURE_START in kinds
    finally:
        shop.close()
