"""Settling a receipt: change from cash, card and cash together, and paying out returns."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import EXAMPLE_ARTICLES
from tourkasse.article import Unit
from tourkasse.article_list import load_article_list
from tourkasse.money import format_eur
from tourkasse.receipt import LineKind, Payment, PaymentMethod
from truck.core.basket import Basket
from truck.core.payment import PaymentError, settle

CATALOGUE = load_article_list(EXAMPLE_ARTICLES)
ARTICLES = {article.number: article for article in CATALOGUE.articles}
GOODS = sorted(number for number, article in ARTICLES.items() if not article.is_deposit)
PIECE_GOODS = [number for number in GOODS if ARTICLES[number].unit is Unit.PIECE]
DEPOSITS = sorted(number for number, article in ARTICLES.items() if article.is_deposit)
BOTTLED = [*sorted(number for number, article in ARTICLES.items() if article.deposit), "2001"]

totals = st.integers(min_value=1, max_value=1_000_000)


def weighed_amount(grams: int, price_per_kg: int) -> int:
    amount = Decimal(grams) * Decimal(price_per_kg) / 1000
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- cash, card, change ------------------------------------------------------------------------


@given(totals, st.integers(min_value=0, max_value=49_999))
def test_cash_gives_back_exactly_what_was_handed_over_beyond_the_total(total, extra):
    payments = settle(total, cash_tendered=total + extra)
    assert payments == (Payment(PaymentMethod.CASH, total, total + extra),)
    assert sum(p.amount for p in payments) == total
    assert sum(p.change for p in payments) == extra


@given(totals, st.integers(min_value=50_000, max_value=10_000_000))
def test_change_of_a_500_euro_note_or_more_is_a_typing_slip(total, extra):
    with pytest.raises(PaymentError, match="Bitte den gegebenen Betrag prüfen"):
        settle(total, cash_tendered=total + extra)


@given(totals, st.data())
def test_card_and_cash_together_settle_the_total(total, data):
    card = data.draw(st.integers(min_value=1, max_value=total), label="card")
    rest = total - card
    tendered = data.draw(st.integers(min_value=rest, max_value=rest + 10_000), label="tendered")
    payments = settle(total, cash_tendered=tendered, card=card)
    assert sum(p.amount for p in payments) == total
    assert payments[0] == Payment(PaymentMethod.CARD, card)
    if rest:
        assert payments[1:] == (Payment(PaymentMethod.CASH, rest, tendered),)
        assert payments[1].change == tendered - rest
    else:  # all on the card: the cash handed over (if any) goes straight back
        assert payments[1:] == ()


@given(totals, st.integers(min_value=1, max_value=100_000))
def test_a_card_amount_above_the_total_is_refused(total, surplus):
    card = total + surplus
    with pytest.raises(PaymentError) as refused:
        settle(total, cash_tendered=total, card=card)
    assert str(refused.value) == (
        f"Kartenbetrag {format_eur(card)} ist höher als der Bon {format_eur(total)}"
    )


@given(totals, st.data())
def test_too_little_cash_is_refused_naming_both_amounts(total, data):
    tendered = data.draw(st.integers(min_value=0, max_value=total - 1), label="tendered")
    with pytest.raises(PaymentError) as refused:
        settle(total, cash_tendered=tendered)
    assert str(refused.value) == (
        f"Gegeben {format_eur(tendered)} ist weniger als offen {format_eur(total)}"
    )


@pytest.mark.parametrize(
    ("total", "tendered", "card", "message"),
    [
        (1351, 1000, 0, "Gegeben 10,00 € ist weniger als offen 13,51 €"),
        (1351, 350, 1000, "Gegeben 3,50 € ist weniger als offen 3,51 €"),
        (123456, 0, 0, "Gegeben 0,00 € ist weniger als offen 1.234,56 €"),
        (1351, None, 1000, "Noch offen: 3,51 €"),
        (1351, 2000, 1352, "Kartenbetrag 13,52 € ist höher als der Bon 13,51 €"),
        (1351, 2000, -1, "Kartenbetrag darf nicht negativ sein"),
        (-300, None, 300, "Auszahlungen gehen nur bar"),
    ],
)
def test_the_staff_read_why_a_payment_does_not_settle(total, tendered, card, message):
    with pytest.raises(PaymentError) as refused:
        settle(total, cash_tendered=tendered, card=card)
    assert str(refused.value) == message


# --- returns and empties -----------------------------------------------------------------------


returns_only = st.lists(
    st.one_of(
        st.tuples(st.just("return"), st.sampled_from(PIECE_GOODS), st.integers(1, 10)),
        st.tuples(
            st.just("return"),
            st.sampled_from([n for n in GOODS if ARTICLES[n].unit is Unit.KG]),
            st.integers(50, 5_000),  # grams brought back
        ),
        st.tuples(
            st.just("empties"),
            st.sampled_from(DEPOSITS),
            st.sampled_from(BOTTLED),
            st.integers(1, 40),
        ),
    ),
    min_size=1,
    max_size=12,
)


def ring_up(basket: Basket, op: tuple) -> int:
    """Do ``op`` at the basket; return the amount it should add, worked out independently."""
    if op[0] == "sale":
        _, number, quantity = op
        goods = ARTICLES[number]
        deposit = ARTICLES[goods.deposit] if goods.deposit else None
        basket.add_article(goods, quantity, deposit=deposit)
        return quantity * goods.price + (quantity * deposit.price if deposit else 0)
    if op[0] == "return":
        _, number, quantity = op
        goods = ARTICLES[number]
        basket.add_return(goods, quantity)
        if goods.unit is Unit.KG:
            return -weighed_amount(quantity, goods.price)
        return -quantity * goods.price
    _, deposit, drink, count = op
    basket.add_deposit_return(ARTICLES[deposit], count, ARTICLES[drink].vat_rate)
    return -count * ARTICLES[deposit].price


@given(returns_only, st.one_of(st.none(), st.integers(0, 10_000)))
def test_a_receipt_of_only_returns_and_empties_is_paid_out_in_cash(ops, tendered):
    basket = Basket()
    expected = sum(ring_up(basket, op) for op in ops)
    assert basket.total == expected < 0
    assert all(line.total < 0 and line.quantity < 0 for line in basket.lines)
    assert {line.kind for line in basket.lines} <= {LineKind.RETURN, LineKind.DEPOSIT_RETURN}

    payments = settle(basket.total, cash_tendered=tendered)
    assert payments == (Payment(PaymentMethod.CASH, expected),)
    receipt = basket.receipt(payments)
    assert receipt.total == receipt.paid == expected
    assert receipt.change == 0
    with pytest.raises(PaymentError, match="Auszahlungen gehen nur bar"):
        settle(basket.total, card=-expected)


sales = st.tuples(st.just("sale"), st.sampled_from(PIECE_GOODS), st.integers(1, 12))


@given(st.lists(st.one_of(sales, returns_only.map(lambda ops: ops[0])), min_size=1, max_size=15))
def test_a_basket_with_returns_nets_sales_against_them(ops):
    basket = Basket()
    expected = sum(ring_up(basket, op) for op in ops)
    assert basket.total == expected
    sold = sum(line.total for line in basket.lines if line.total > 0)
    taken_back = sum(line.total for line in basket.lines if line.total < 0)
    assert sold + taken_back == expected

    payments = settle(expected, cash_tendered=max(expected, 0))
    receipt = basket.receipt(payments)
    assert receipt.paid == receipt.total == expected
    if expected < 0:
        assert payments == (Payment(PaymentMethod.CASH, expected),)
    else:
        assert receipt.change == 0
