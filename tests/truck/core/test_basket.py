"""The basket: whatever sales staff ring up becomes a receipt whose figures add up.

The property test builds baskets from random counter operations over the example article list
and checks what the customer and the accountant read off the receipt: the total, the gross and
VAT per rate (recomputed here with decimal.Decimal), deposits at the rate of their drink, the
receipt as stored in the journal, and its void.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import EXAMPLE_ARTICLES
from tourkasse.article import Unit
from tourkasse.article_list import load_article_list
from tourkasse.receipt import BonType, LineKind, PaymentMethod, Receipt, Staff
from tourkasse.vat import VatRate
from truck.core.barcode import InStorePrefix, make_instore_code
from truck.core.basket import Basket, BasketError, WeighedPrice
from truck.core.payment import settle

CATALOGUE = load_article_list(EXAMPLE_ARTICLES)
ARTICLES = {article.number: article for article in CATALOGUE.articles}
DEPARTMENTS = {department.key: department for department in CATALOGUE.departments}
CRATE = ARTICLES["9010"]  # Kastenpfand
PRICE_LABEL = InStorePrefix("21", "price")
ANNA = Staff("7", "Anna")

PIECE_GOODS = sorted(
    number
    for number, article in ARTICLES.items()
    if article.unit is Unit.PIECE and not article.is_deposit
)
WEIGHED_GOODS = sorted(number for number, article in ARTICLES.items() if article.unit is Unit.KG)
DEPOSITS = sorted(number for number, article in ARTICLES.items() if article.is_deposit)
# Drinks in deposit bottles; milk in returnable glass bottles is one of them, at 7 %.
BOTTLED = [*sorted(number for number, article in ARTICLES.items() if article.deposit), "2001"]
LABELLED = [
    number
    for number in PIECE_GOODS + WEIGHED_GOODS
    if ARTICLES[number].deposit is None and not ARTICLES[number].is_deposit
]
RETURNABLE = PIECE_GOODS + WEIGHED_GOODS


def reference_vat(gross: int, rate: VatRate) -> int:
    """VAT contained in ``gross`` cents, rounded half up, computed with Decimal."""
    with localcontext() as context:
        context.prec = 60
        percent = Decimal(rate.value) / 10
        exact = Decimal(gross) * percent / (100 + percent)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def scale_price(grams: int, price_per_kg: int) -> int:
    """What a legal-for-trade price scale prints: grams × price per kg, rounded half up."""
    amount = Decimal(grams) * Decimal(price_per_kg) / 1000
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def article(number: str):
    return ARTICLES[number]


def deposit_of(number: str):
    drink = ARTICLES[number]
    return ARTICLES[drink.deposit] if drink.deposit else None


# --- a model of the lines, to check deposits and voids independently ---------------------------


@dataclass(frozen=True)
class Expected:
    ident: int
    kind: LineKind
    belongs_to: int | None = None  # ident of the drink a deposit was charged with
    drink_rate: VatRate | None = None  # for deposits and empties: the drink's rate


pick = st.integers(min_value=0, max_value=200)
operations = st.one_of(
    st.tuples(st.just("piece"), st.sampled_from(PIECE_GOODS), st.integers(1, 24)),
    st.tuples(st.just("weighed"), st.sampled_from(WEIGHED_GOODS), st.integers(1, 5_000)),
    st.tuples(st.just("label"), st.sampled_from(LABELLED), st.integers(1, 99_999)),
    st.tuples(
        st.just("department"),
        st.sampled_from(sorted(DEPARTMENTS)),
        st.integers(1, 50_000),
        st.integers(1, 5),
    ),
    st.tuples(st.just("crate"), st.sampled_from(BOTTLED), st.integers(1, 5)),
    st.tuples(
        st.just("empties"),
        st.sampled_from(DEPOSITS),
        st.sampled_from(BOTTLED),
        st.integers(1, 30),
    ),
    st.tuples(st.just("return"), st.sampled_from(RETURNABLE), st.integers(1, 3_000)),
    st.tuples(
        st.just("discount"),
        pick,
        st.one_of(
            st.tuples(st.just("cents"), st.integers(1, 3_000)),
            st.tuples(st.just("percent"), st.integers(1, 100)),
        ),
    ),
    st.tuples(st.just("override"), pick, st.integers(0, 5_000)),
    st.tuples(st.just("void"), pick),
)


def apply(basket: Basket, model: list[Expected], op: tuple, idents: itertools.count) -> None:
    """Do ``op`` at the basket and say in ``model`` which lines must now be there."""
    name = op[0]
    if name == "piece":
        _, number, quantity = op
        drink = article(number)
        basket.add_article(drink, quantity, deposit=deposit_of(number))
        ident = next(idents)
        model.append(Expected(ident, LineKind.SALE))
        if drink.deposit:
            model.append(Expected(next(idents), LineKind.DEPOSIT, ident, drink.vat_rate))
    elif name == "weighed":
        _, number, grams = op
        price = scale_price(grams, article(number).price)
        basket.add_weighed(article(number), WeighedPrice(grams, price))
        model.append(Expected(next(idents), LineKind.SALE))
    elif name == "label":
        _, number, cents = op
        basket.add_priced(article(number), cents, make_instore_code(PRICE_LABEL, number, cents))
        model.append(Expected(next(idents), LineKind.SALE))
    elif name == "department":
        _, key, cents, quantity = op
        basket.add_department(DEPARTMENTS[key], cents, quantity)
        model.append(Expected(next(idents), LineKind.SALE))
    elif name == "crate":
        _, drink, count = op
        basket.add_crate_deposit(CRATE, count, article(drink).vat_rate)
        model.append(Expected(next(idents), LineKind.DEPOSIT, None, article(drink).vat_rate))
    elif name == "empties":
        _, deposit, drink, count = op
        basket.add_deposit_return(article(deposit), count, article(drink).vat_rate)
        rate = article(drink).vat_rate
        model.append(Expected(next(idents), LineKind.DEPOSIT_RETURN, None, rate))
    elif name == "return":
        _, number, amount = op
        goods = article(number)
        quantity = amount if goods.unit is Unit.KG else 1 + amount % 5
        basket.add_return(goods, quantity)
        model.append(Expected(next(idents), LineKind.RETURN))
    elif basket.is_empty():
        return
    elif name == "void":
        index = op[1] % len(model)
        doomed = model[index].ident
        if model[index].belongs_to is not None:
            # a deposit goes only with its drink
            before = basket.lines
            with pytest.raises(BasketError, match="Das Pfand gehört zu Position"):
                basket.void_line(index)
            assert basket.lines == before
            return
        basket.void_line(index)
        model[:] = [e for e in model if doomed not in (e.ident, e.belongs_to)]
    else:
        index = op[1] % len(basket.lines)
        before = basket.lines
        try:
            if name == "discount":
                how, value = op[2]
                basket.discount_line(index, **{how: value})
            else:
                basket.override_price(index, op[2], "Kundin reklamiert den Preis")
        except BasketError:
            assert basket.lines == before, "a refused change must leave the basket as it was"


def check_lines_against_model(basket: Basket, model: list[Expected]) -> None:
    lines = basket.lines
    assert [line.kind for line in lines] == [expected.kind for expected in model]
    position = {expected.ident: index for index, expected in enumerate(model)}
    for line, expected in zip(lines, model, strict=True):
        if expected.kind in (LineKind.DEPOSIT, LineKind.DEPOSIT_RETURN):
            assert line.vat_rate is expected.drink_rate
            assert line.vat_rate is not VatRate.ZERO
        if expected.belongs_to is None:
            assert line.deposit_for is None
            continue
        drink = lines[position[expected.belongs_to]]
        assert line.deposit_for == position[expected.belongs_to]
        assert line.vat_rate is drink.vat_rate
        assert line.article_no == article(drink.article_no).deposit
        assert line.quantity == drink.quantity  # six bottles, six deposits


@given(st.lists(operations, min_size=1, max_size=25), st.integers(0, 10_000))
def test_any_basket_gives_a_receipt_whose_figures_add_up_per_vat_rate(ops, extra):
    basket, model, idents = Basket(), [], itertools.count()
    for op in ops:
        apply(basket, model, op, idents)
        check_lines_against_model(basket, model)
    if basket.is_empty():
        with pytest.raises(BasketError, match="Der Bon ist leer"):
            basket.receipt(settle(0))
        return
    total = basket.total
    payments = settle(total, cash_tendered=max(total, 0) + extra)
    receipt = basket.receipt(payments, staff=ANNA, stop="Ahlden Kirche")

    assert receipt.lines == basket.lines
    assert receipt.total == sum(line.total for line in receipt.lines) == total
    assert receipt.paid == total
    gross = receipt.gross_by_rate
    assert set(gross) == {line.vat_rate for line in receipt.lines}
    assert sum(gross.values()) == receipt.total
    for rate, amount in gross.items():
        assert amount == sum(line.total for line in receipt.lines if line.vat_rate is rate)
        assert receipt.vat_by_rate[rate] == reference_vat(amount, rate)
    for row in receipt.to_dict()["vat"]:  # the VAT table as the journal stores it
        rate = VatRate[row["rate"]]
        net = Decimal(row["gross"]) * 100 / (100 + Decimal(rate.value) / 10)
        assert row["gross"] == gross[rate]
        assert row["vat"] == reference_vat(gross[rate], rate)
        assert (row["gross"] - row["vat"]) + row["vat"] == gross[rate]
        assert abs((row["gross"] - row["vat"]) - net) <= Decimal("0.5")

    stored = json.loads(json.dumps(receipt.to_dict()))
    assert Receipt.from_dict(stored) == receipt

    void = receipt.voided()
    assert void.total == -receipt.total
    assert void.gross_by_rate == {rate: -amount for rate, amount in gross.items()}
    assert void.vat_by_rate == {rate: -vat for rate, vat in receipt.vat_by_rate.items()}
    assert [(p.method, p.amount) for p in void.payments] == [
        (p.method, -p.amount) for p in receipt.payments
    ]
    assert [line.quantity for line in void.lines] == [-line.quantity for line in receipt.lines]
    assert Receipt.from_dict(json.loads(json.dumps(void.to_dict()))) == void


# --- drinks and deposits -----------------------------------------------------------------------


def test_six_bottles_of_water_carry_six_deposits_at_19_percent():
    basket = Basket()
    basket.add_article(article("5001"), 6, deposit=article("9001"))
    water, deposit = basket.lines
    assert (water.text, water.quantity, water.total) == ("Mineralwasser 1,0 l", 6, 6 * 69)
    assert deposit.kind is LineKind.DEPOSIT
    assert (deposit.text, deposit.quantity, deposit.total) == ("Pfand Einweg", 6, 6 * 25)
    assert deposit.vat_rate is VatRate.NORMAL
    assert deposit.deposit_for == 0
    assert basket.total == 6 * 69 + 6 * 25


def test_a_crate_deposit_for_milk_bottles_is_at_the_milks_7_percent():
    basket = Basket()
    basket.add_article(article("2001"), 6)
    basket.add_crate_deposit(CRATE, 1, article("2001").vat_rate)
    crate = basket.lines[1]
    assert (crate.kind, crate.total, crate.vat_rate) == (LineKind.DEPOSIT, 150, VatRate.REDUCED)
    receipt = basket.receipt(settle(basket.total, cash_tendered=1000))
    assert receipt.gross_by_rate == {VatRate.REDUCED: 6 * 119 + 150}


def test_voiding_a_drink_takes_its_deposit_with_it_and_keeps_later_deposits_attached():
    basket = Basket()
    basket.add_article(article("5003"), 4, deposit=article("9003"))  # Pils
    basket.add_article(article("1002"), 3)  # Brötchen
    basket.add_article(article("5002"), 2, deposit=article("9002"))  # Apfelsaft
    basket.void_line(0)
    texts = [line.text for line in basket.lines]
    assert texts == ["Brötchen", "Apfelsaft 1,0 l", "Pfand Mehrweg Glas"]
    assert basket.lines[2].deposit_for == 1
    assert basket.total == 3 * 45 + 2 * 179 + 2 * 15


def test_a_drink_refused_for_want_of_its_deposit_is_not_left_on_the_bill():
    basket = Basket()
    basket.add_article(article("1002"), 2)
    before = basket.lines
    with pytest.raises(BasketError, match="Pfandartikel 9001 zu Mineralwasser 1,0 l fehlt"):
        basket.add_article(article("5001"), 6)
    assert basket.lines == before
    with pytest.raises(BasketError, match="Brötchen ist kein Pfandartikel"):
        basket.add_article(article("5001"), 6, deposit=article("1002"))
    assert basket.lines == before


def test_a_deposit_article_cannot_be_sold_as_goods():
    basket = Basket()
    with pytest.raises(BasketError, match="Pfand Einweg ist ein Pfandartikel"):
        basket.add_article(article("9001"))
    assert basket.is_empty()


def test_empties_brought_back_are_a_negative_line_at_the_drinks_rate():
    basket = Basket()
    line = basket.add_deposit_return(article("9003"), 20, VatRate.NORMAL)
    assert (line.kind, line.text) == (LineKind.DEPOSIT_RETURN, "Leergut Pfand Bierflasche")
    assert (line.quantity, line.total, line.vat_rate) == (-20, -160, VatRate.NORMAL)
    with pytest.raises(BasketError, match="Brötchen ist kein Pfandartikel"):
        basket.add_deposit_return(article("1002"), 1, VatRate.REDUCED)
    assert len(basket.lines) == 1


# --- weighed goods -----------------------------------------------------------------------------


def test_weighed_goods_keep_the_price_the_scale_computed():
    basket = Basket()
    line = basket.add_weighed(article("3001"), WeighedPrice(512, 660))
    assert (line.quantity, line.unit, line.total) == (512, Unit.KG, 660)
    assert line.weighing is not None and line.weighing.till_computed is False
    with pytest.raises(BasketError, match="Dieser Preis kann nicht geändert werden"):
        basket.override_price(0, 990, "zu teuer")
    assert basket.lines == (line,)


def test_the_till_computes_a_weight_price_only_where_configured():
    with pytest.raises(BasketError, match="darf den Preis nicht aus dem Gewicht berechnen"):
        Basket().add_weighed(article("2101"), WeighedPrice(347))
    basket = Basket(till_may_compute_weight_prices=True)
    line = basket.add_weighed(article("2101"), WeighedPrice(347, source="typed"))
    assert line.total == scale_price(347, 1690) == 586  # 347 g × 16,90 €/kg = 5,8643 €
    assert line.weighing is not None and line.weighing.till_computed is True


@pytest.mark.parametrize(
    ("grams", "message"),
    [(0, "Gewicht 0 g"), (-5, "Gewicht 0 g"), (100_001, "Gewicht zu hoch")],
)
def test_impossible_weights_are_refused(grams, message):
    basket = Basket()
    with pytest.raises(BasketError, match=message):
        basket.add_weighed(article("4001"), WeighedPrice(grams, 100))
    assert basket.is_empty()


def test_loose_goods_cannot_be_sold_by_the_piece_nor_pieces_by_weight():
    basket = Basket()
    with pytest.raises(BasketError, match="Äpfel Elstar wird gewogen"):
        basket.add_article(article("4001"))
    with pytest.raises(BasketError, match="wird nicht gewogen"):
        basket.add_weighed(article("1001"), WeighedPrice(500, 420))
    assert basket.is_empty()


# --- discounts and price changes ---------------------------------------------------------------


def test_a_percentage_discount_is_taken_off_the_line_rounded_half_up():
    basket = Basket()
    basket.add_article(article("2003"), 3)  # 3 × 3,29 € = 9,87 €
    line = basket.discount_line(0, percent=15)  # 1,4805 € → 1,48 €
    assert (line.discount, line.total) == (148, 987 - 148)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cents": 421}, "Rabatt muss zwischen 0,01 € und 4,20 € liegen"),
        ({"cents": 0}, "Rabatt muss zwischen"),
        ({"percent": 0}, "Rabatt in Prozent: 1 bis 100"),
        ({"percent": 101}, "Rabatt in Prozent: 1 bis 100"),
        ({}, "als Betrag oder als Prozent"),
        ({"cents": 10, "percent": 10}, "als Betrag oder als Prozent"),
    ],
)
def test_impossible_discounts_are_refused_and_change_nothing(kwargs, message):
    basket = Basket()
    basket.add_article(article("1001"))
    before = basket.lines
    with pytest.raises(BasketError, match=message):
        basket.discount_line(0, **kwargs)
    assert basket.lines == before


def test_discounts_are_only_for_goods_sold():
    basket = Basket()
    basket.add_article(article("5001"), deposit=article("9001"))
    with pytest.raises(BasketError, match="Rabatt nur auf verkaufte Ware"):
        basket.discount_line(1, cents=10)
    with pytest.raises(BasketError, match="Es gibt keine Position 3"):
        basket.discount_line(2, cents=10)


def test_a_price_change_needs_a_reason_and_keeps_the_original_price():
    basket = Basket()
    basket.add_article(article("1003"), 2)
    with pytest.raises(BasketError, match="nur mit Begründung"):
        basket.override_price(0, 100, "  ")
    basket.override_price(0, 120, "vom Vortag")
    line = basket.override_price(0, 100, " Kante angebrannt ")
    assert (line.unit_price, line.total) == (100, 200)
    assert line.override is not None
    assert (line.override.original_price, line.override.reason) == (180, "Kante angebrannt")


def test_a_price_change_after_a_discount_never_makes_a_sale_a_payout():
    basket = Basket()
    basket.add_article(article("1001"))
    basket.discount_line(0, cents=400)
    before = basket.lines
    try:
        line = basket.override_price(0, 100, "Angebot")
    except BasketError:
        assert basket.lines == before
    else:
        assert 0 <= line.discount <= 100
        assert line.total >= 0


# --- closing the basket ------------------------------------------------------------------------


def test_a_receipt_must_be_paid_exactly_and_must_not_be_empty():
    basket = Basket()
    with pytest.raises(BasketError, match="Der Bon ist leer"):
        basket.receipt(())
    basket.add_article(article("1001"))
    with pytest.raises(BasketError, match=r"Bezahlt 4,00 €, aber der Bon beträgt 4,20 €"):
        basket.receipt(settle(400, cash_tendered=400))


def test_training_and_aborted_receipts_are_marked_as_such():
    training = Basket(training=True)
    training.add_article(article("1002"), 2)
    assert training.receipt(settle(90, cash_tendered=100)).bon_type is BonType.TRAINING

    basket = Basket()
    basket.add_article(article("1002"), 2)
    aborted = basket.aborted(staff=ANNA)
    assert aborted.bon_type is BonType.ABORTED
    assert aborted.payments == ()
    assert aborted.lines == basket.lines
    assert not aborted.counts_as_turnover


def test_a_card_payment_shows_on_the_receipt_without_change():
    basket = Basket()
    basket.add_article(article("5005"))  # Korn 8,49 €
    receipt = basket.receipt(settle(basket.total, card=849))
    assert [(p.method, p.amount) for p in receipt.payments] == [(PaymentMethod.CARD, 849)]
    assert receipt.change == 0
    assert basket.age_limit() == 18


def test_a_deposit_line_cannot_be_voided_without_its_drink():
    basket = Basket()
    basket.add_article(article("5001"), 6, deposit=article("9001"))
    with pytest.raises(BasketError, match="Das Pfand gehört zu Position 1"):
        basket.void_line(1)
    assert len(basket.lines) == 2


def test_a_price_label_on_a_drink_brings_its_deposit():
    basket = Basket()
    basket.add_priced(article("5001"), 59, "2105001000590", deposit=article("9001"))
    assert [line.text for line in basket.lines] == ["Mineralwasser 1,0 l", "Pfand Einweg"]
    assert basket.lines[1].deposit_for == 0
