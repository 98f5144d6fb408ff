"""The counter: what sales staff scan or type, through the basket, to a signed receipt.

Bad input must say in German what is wrong and write nothing: not to the journal, and not to
the TSE. The TSE transaction starts with the first accepted line, so a bad scan as the first
input leaves both untouched, and a bad scan later leaves them (and the basket) as they were.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tourkasse.journal import EntryKind
from tourkasse.receipt import BonType, LineKind, PaymentMethod, Receipt, Staff
from tourkasse.vat import VatRate
from truck.core.barcode import InStorePrefix, make_ean13, make_instore_code
from truck.core.basket import WeighedPrice
from truck.fiscal.log_message import verify_signature
from truck.store import articles, journal
from truck.till.counter import Counter, CounterError

CLIENT_ID = "TK-T01-0001"  # as the till fixture is set up
ANNA = Staff("7", "Anna")
STOP = "Ahlden, Kirchplatz"

LANDBROT = "4006381001014"  # 4,20 €, 7 %
WASSER = "4006385001010"  # 0,69 € + 0,25 € Pfand Einweg, 19 %
PILS = "4006385003038"  # 0,99 € + 0,08 € Pfand Bierflasche, 19 %
UNKNOWN_EAN = make_ean13("400638599999")  # a correct check digit, but not in the list
WRONG_CHECK_DIGIT = WASSER[:-1] + str((int(WASSER[-1]) + 1) % 10)
PRICE_21 = InStorePrefix("21", "price")
WEIGHT_28 = InStorePrefix("28", "weight")
GOUDA_WEIGHT_LABEL = make_instore_code(WEIGHT_28, "2101", 347)
ZERO_WEIGHT_LABEL = make_ean13("28" + "02101" + "00000")


@pytest.fixture
def db(till_parts):
    return till_parts[0]


@pytest.fixture
def tse(till_parts):
    return till_parts[1]


@pytest.fixture
def counter(till, db):
    return Counter(till, db, staff=ANNA, stop=STOP)


def written(db, tse) -> tuple[int, list[int]]:
    """What the counter has written so far: journal entries and the TSE's open transactions."""
    return len(list(journal.entries(db))), tse.open_transactions(CLIENT_ID)


def last_receipt(db) -> Receipt:
    entry = journal.last_of(db, EntryKind.RECEIPT)
    assert entry is not None
    return Receipt.from_dict(entry.body["receipt"])


# --- bad input ---------------------------------------------------------------------------------

Input = Callable[[Counter], object]

BAD_INPUT = [
    pytest.param(
        lambda c: c.enter(UNKNOWN_EAN),
        f"Artikel mit EAN {UNKNOWN_EAN} ist nicht in der Artikelliste",
        id="unknown-ean",
    ),
    pytest.param(
        lambda c: c.enter(WRONG_CHECK_DIGIT),
        "Prüfziffer falsch – bitte erneut scannen",
        id="wrong-check-digit",
    ),
    pytest.param(
        lambda c: c.enter("4711"), "PLU 4711 ist nicht in der Artikelliste", id="unknown-plu"
    ),
    pytest.param(
        lambda c: c.enter("Milch"), "„Milch“ ist kein Strichcode und keine PLU", id="letters"
    ),
    pytest.param(
        lambda c: c.enter("40063%85!0010"), "ist kein Strichcode und keine PLU", id="garbage"
    ),
    pytest.param(lambda c: c.enter("   "), "Keine Eingabe", id="empty"),
    pytest.param(
        lambda c: c.enter("2101"),
        "Gouda mittelalt wird gewogen – bitte auf die Waage legen",
        id="weighed-by-plu",
    ),
    pytest.param(
        lambda c: c.enter(ZERO_WEIGHT_LABEL),
        "Gewicht 0 g im Waagen-Etikett – bitte neu wiegen",
        id="zero-weight-label",
    ),
    pytest.param(
        lambda c: c.weighed("2101", WeighedPrice(0, 0)),
        "Gewicht 0 g – bitte Ware auf die Waage legen",
        id="zero-weight-from-scale",
    ),
    pytest.param(
        lambda c: c.enter(GOUDA_WEIGHT_LABEL),
        "Die Kasse darf den Preis nicht aus dem Gewicht berechnen",
        id="weight-label-without-permission",
    ),
    pytest.param(
        lambda c: c.weighed("4711", WeighedPrice(200, 100)),
        "PLU 4711 ist nicht in der Artikelliste",
        id="unknown-plu-on-scale",
    ),
    pytest.param(
        lambda c: c.enter(WASSER, quantity=0), "Menge 0 ist nicht möglich", id="multiplier-0"
    ),
    pytest.param(
        lambda c: c.department("F99", 250), "Warengruppentaste F99 gibt es nicht", id="no-key"
    ),
    pytest.param(
        lambda c: c.department("F7", 0), "Bitte einen Preis über 0,00 € eingeben", id="no-price"
    ),
]


def test_the_bad_examples_are_what_they_claim(db):
    assert articles.by_gtin(db, UNKNOWN_EAN) is None
    assert articles.by_number(db, "4711") is None
    assert articles.by_gtin(db, WASSER) is not None
    assert WRONG_CHECK_DIGIT != WASSER and len(WRONG_CHECK_DIGIT) == 13


@pytest.mark.parametrize(("bad", "message"), BAD_INPUT)
def test_bad_first_input_is_refused_and_writes_nothing(counter, db, tse, bad: Input, message):
    assert written(db, tse) == (0, [])
    with pytest.raises(CounterError, match=re.escape(message)):
        bad(counter)
    assert written(db, tse) == (0, [])
    assert counter.basket.is_empty()
    assert counter.abort() is None  # nothing to abort either
    assert written(db, tse) == (0, [])


@pytest.mark.parametrize(("bad", "message"), BAD_INPUT)
def test_bad_input_after_a_line_changes_nothing_and_the_sale_goes_on(
    counter, db, tse, bad: Input, message
):
    counter.enter(WASSER, quantity=2)
    lines = counter.basket.lines
    before = written(db, tse)
    assert before[0] == 1 and len(before[1]) == 1  # the TSE transaction was started

    with pytest.raises(CounterError, match=re.escape(message)):
        bad(counter)
    assert written(db, tse) == before
    assert counter.basket.lines == lines

    done = counter.pay(cash_tendered=500)
    assert done.receipt.lines == lines
    assert done.receipt.total == 2 * 69 + 2 * 25
    assert done.signed.tse.transaction_number == before[1][0]
    assert written(db, tse) == (2, [])


def test_too_little_cash_is_refused_naming_both_amounts_and_the_sale_can_be_paid(counter, db, tse):
    counter.enter(LANDBROT)
    before = written(db, tse)
    with pytest.raises(CounterError) as refused:
        counter.pay(cash_tendered=400)
    assert str(refused.value) == "Gegeben 4,00 € ist weniger als offen 4,20 €"
    with pytest.raises(CounterError, match=re.escape("Noch offen: 4,20 €")):
        counter.pay()
    with pytest.raises(CounterError, match="Kartenbetrag 5,00 € ist höher als der Bon 4,20 €"):
        counter.pay(card=500)
    assert written(db, tse) == before
    assert counter.till.figures().receipts == 0

    done = counter.pay(cash_tendered=500)
    assert (done.number, done.receipt.total, done.receipt.change) == (1, 420, 80)


def test_paying_an_empty_basket_is_refused_and_writes_nothing(counter, db, tse):
    with pytest.raises(CounterError, match="Der Bon ist leer – bitte zuerst Ware erfassen"):
        counter.pay(cash_tendered=1000)
    assert written(db, tse) == (0, [])


# --- happy paths -------------------------------------------------------------------------------


def test_scanning_a_drink_adds_its_deposit_line_at_the_drinks_rate(counter):
    counter.enter(WASSER)
    water, deposit = counter.basket.lines
    assert (water.kind, water.text, water.total, water.gtin) == (
        LineKind.SALE,
        "Mineralwasser 1,0 l",
        69,
        WASSER,
    )
    assert (deposit.kind, deposit.text, deposit.total) == (LineKind.DEPOSIT, "Pfand Einweg", 25)
    assert deposit.vat_rate is water.vat_rate is VatRate.NORMAL
    assert deposit.deposit_for == 0


def test_the_multiplier_counts_the_goods_and_their_deposits(counter):
    counter.enter(PILS, quantity=6)
    counter.enter("1002", quantity=10)  # Brötchen, typed as PLU
    pils, deposit, rolls = counter.basket.lines
    assert (pils.quantity, pils.total) == (6, 6 * 99)
    assert (deposit.quantity, deposit.total) == (6, 6 * 8)
    assert (rolls.quantity, rolls.total) == (10, 10 * 45)
    assert counter.basket.total == 594 + 48 + 450
    assert counter.basket.age_limit() == 16


def test_weighed_goods_from_the_scale_keep_the_scales_price(counter, db):
    line = counter.weighed("2101", WeighedPrice(347, 586))
    assert (line.quantity, line.total) == (347, 586)
    counter.pay(cash_tendered=1000)
    sold = last_receipt(db).lines[0]
    assert (sold.text, sold.quantity, sold.total) == ("Gouda mittelalt", 347, 586)
    assert sold.weighing is not None
    assert (sold.weighing.source, sold.weighing.till_computed) == ("scale", False)


def test_labels_and_department_keys_at_the_counter(till, db):
    counter = Counter(till, db, till_may_compute_weight_prices=True)
    priced = counter.enter(make_instore_code(PRICE_21, "1003", 250))  # Butterkuchen, 2,50 €
    weighed = counter.enter(GOUDA_WEIGHT_LABEL)  # 347 g Gouda at 16,90 €/kg
    department = counter.department("F19", 199, quantity=3)
    assert (priced.text, priced.total) == ("Butterkuchen", 250)
    assert (weighed.total, weighed.weighing.till_computed) == (586, True)
    assert (department.text, department.total) == ("Non-Food 19 %", 597)
    assert department.vat_rate is VatRate.NORMAL
    done = counter.pay(card=250 + 586 + 597)
    assert done.receipt.gross_by_rate == {VatRate.REDUCED: 836, VatRate.NORMAL: 597}


def test_pay_returns_a_numbered_signed_receipt_and_counts_as_turnover(counter, db, tse):
    counter.enter(LANDBROT)
    counter.enter(WASSER, quantity=6)
    first = counter.pay(cash_tendered=2000)

    assert first.number == 1
    assert first.receipt.bon_type is BonType.RECEIPT
    assert (first.receipt.staff, first.receipt.stop) == (ANNA, STOP)
    assert first.receipt.total == 420 + 6 * 69 + 6 * 25
    assert first.receipt.change == 2000 - first.receipt.total
    fields = first.signed.tse
    assert not fields.failed and fields.signature and fields.qr.startswith("V0;")
    _, finished = tse.transaction_state(fields.transaction_number)
    assert finished is not None and verify_signature(finished)
    assert last_receipt(db) == first.receipt
    assert written(db, tse) == (2, [])  # TSE started, receipt signed and journaled
    assert counter.basket.is_empty()

    counter.enter("2002")
    second = counter.pay(card=249)
    assert second.number == 2
    assert [(p.method, p.amount) for p in second.receipt.payments] == [(PaymentMethod.CARD, 249)]
    figures = counter.till.figures()
    assert figures.turnover == first.receipt.total + 249
    assert figures.by_payment == {"cash": first.receipt.total, "card": 249}


def test_abort_after_lines_journals_an_aborted_receipt_that_is_no_turnover(counter, db, tse):
    counter.enter(LANDBROT)
    counter.enter(PILS, quantity=2)
    lines = counter.basket.lines
    done = counter.abort()

    assert done is not None
    assert done.receipt.bon_type is BonType.ABORTED
    assert done.receipt.lines == lines
    assert done.signed.tse.process_data.startswith("AVBelegabbruch^")
    assert last_receipt(db).bon_type is BonType.ABORTED
    assert written(db, tse) == (2, [])
    figures = counter.till.figures()
    assert (figures.turnover, figures.receipts, figures.aborted) == (0, 0, 1)
    assert counter.basket.is_empty()

    counter.enter("1002")
    assert counter.pay(cash_tendered=45).number == done.number + 1


def test_training_receipts_are_signed_as_training_and_never_turnover(till, db):
    counter = Counter(till, db, staff=ANNA, training=True)
    counter.enter(LANDBROT)
    done = counter.pay(cash_tendered=500)
    assert done.receipt.bon_type is BonType.TRAINING
    assert done.signed.tse.process_data.startswith("AVTraining^")
    assert last_receipt(db).bon_type is BonType.TRAINING
    figures = till.figures()
    assert (figures.turnover, figures.training, figures.training_total) == (0, 1, 420)
    assert figures.expected_cash == 0


def test_a_label_with_a_multiplier_is_refused(till, till_parts):
    from truck.core.barcode import InStorePrefix, make_instore_code
    from truck.till.counter import Counter, CounterError

    db, _ = till_parts
    counter = Counter(till, db)
    label = make_instore_code(InStorePrefix("21", "price"), "2101", 586)
    with pytest.raises(CounterError, match="einzeln scannen"):
        counter.enter(label, 3)
    assert counter.basket.is_empty()
