from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tourkasse.money import divide_half_up, format_eur, format_plain, parse_eur
from tourkasse.vat import VatRate, vat_of_gross


def test_german_display_of_amounts():
    assert format_eur(123456) == "1.234,56 €"
    assert format_eur(-5) == "-0,05 €"
    assert format_eur(0, symbol=False) == "0,00"
    assert format_plain(-250) == "-2.50"


@pytest.mark.parametrize(
    ("text", "cents"),
    [("12,30", 1230), ("12.3", 1230), ("5 €", 500), ("-0,05", -5), (" 7 ", 700), ("20EUR", 2000)],
)
def test_amounts_staff_type_are_read_exactly(text, cents):
    assert parse_eur(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1,234", "12,30,1", "1e3", "nan"])
def test_garbage_amounts_are_refused_in_german(text):
    with pytest.raises(ValueError, match="kein Geldbetrag"):
        parse_eur(text)


def test_floats_are_refused_as_money():
    with pytest.raises(TypeError):
        format_eur(1.5)  # type: ignore[arg-type]


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**6))
def test_division_rounds_half_away_from_zero_like_decimal(numerator, denominator):
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    assert divide_half_up(numerator, denominator) == int(expected)


@given(st.integers(-(10**7), 10**7), st.sampled_from(list(VatRate)))
def test_vat_matches_exact_decimal_arithmetic_and_is_symmetric(gross, rate):
    exact = Decimal(gross) * Decimal(rate.value) / Decimal(1000 + rate.value)
    assert vat_of_gross(gross, rate) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert vat_of_gross(-gross, rate) == -vat_of_gross(gross, rate)


def test_vat_known_values():
    assert vat_of_gross(119, VatRate.NORMAL) == 19
    assert vat_of_gross(107, VatRate.REDUCED) == 7
    assert vat_of_gross(1000, VatRate.ZERO) == 0
    assert vat_of_gross(299, VatRate.REDUCED) == 20  # 19.56 → 20


@pytest.mark.parametrize(
    ("given_", "rate"), [(19, VatRate.NORMAL), ("7 %", VatRate.REDUCED), ("0", VatRate.ZERO)]
)
def test_rates_from_percent(given_, rate):
    assert VatRate.from_percent(given_) is rate


def test_unknown_rate_is_refused():
    with pytest.raises(ValueError, match="unbekannter Steuersatz"):
        VatRate.from_percent(16)
