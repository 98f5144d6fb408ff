"""processData of Kassenbeleg-V1: exact strings and the way back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tourkasse.vat import VatRate
from truck.fiscal.process_data import (
    BON_TYPES,
    PROCESS_TYPE,
    build_process_data,
    parse_process_data,
)

NORMAL, REDUCED, ZERO = VatRate.NORMAL, VatRate.REDUCED, VatRate.ZERO


def test_constants() -> None:
    assert PROCESS_TYPE == "Kassenbeleg-V1"
    assert BON_TYPES == (
        "Beleg",
        "AVTransfer",
        "AVBestellung",
        "AVTraining",
        "AVBelegstorno",
        "AVBelegabbruch",
        "AVSachbezug",
        "AVSonstige",
        "AVRechnung",
    )


def test_example_from_fiscal_md() -> None:
    text = build_process_data("Beleg", {NORMAL: 290, ZERO: 210}, [(500, "Unbar")])
    assert text == "Beleg^2.90_0.00_0.00_0.00_2.10^5.00:Unbar"


@pytest.mark.parametrize(
    ("bon_typ", "gross", "payments", "expected"),
    [
        ("Beleg", {REDUCED: 1234}, [(1234, "Bar")], "Beleg^0.00_12.34_0.00_0.00_0.00^12.34:Bar"),
        (
            "Beleg",
            {NORMAL: -250, REDUCED: -5},
            [(-255, "Bar")],
            "Beleg^-2.50_-0.05_0.00_0.00_0.00^-2.55:Bar",
        ),
        (
            "Beleg",
            {NORMAL: 1000, REDUCED: 99},
            [(1000, "Unbar"), (50, "Bar"), (49, "Bar")],
            "Beleg^10.00_0.99_0.00_0.00_0.00^0.99:Bar_10.00:Unbar",
        ),
        ("AVBelegabbruch", {}, [], "AVBelegabbruch^0.00_0.00_0.00_0.00_0.00^"),
        ("AVTraining", {NORMAL: 123456}, [], "AVTraining^1234.56_0.00_0.00_0.00_0.00^"),
        ("Beleg", {NORMAL: 0}, [(0, "Bar")], "Beleg^0.00_0.00_0.00_0.00_0.00^0.00:Bar"),
    ],
)
def test_exact_strings(
    bon_typ: str, gross: dict[VatRate, int], payments: list[tuple[int, str]], expected: str
) -> None:
    assert build_process_data(bon_typ, gross, payments) == expected


def test_unknown_bon_typ() -> None:
    with pytest.raises(ValueError, match="BON_TYP"):
        build_process_data("Quittung", {}, [])


def test_unknown_payment_type() -> None:
    with pytest.raises(ValueError, match="Zahlart"):
        build_process_data("Beleg", {NORMAL: 100}, [(100, "Karte")])


def test_amounts_must_be_cents() -> None:
    with pytest.raises(TypeError):
        build_process_data("Beleg", {NORMAL: 1.5}, [])  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        build_process_data("Beleg", {}, [(1.5, "Bar")])  # type: ignore[list-item]


def test_parse_example() -> None:
    assert parse_process_data("Beleg^2.90_0.00_0.00_0.00_2.10^5.00:Unbar") == (
        "Beleg",
        {NORMAL: 290, REDUCED: 0, ZERO: 210},
        [(500, "Unbar")],
    )


def test_parse_tolerates_explicit_euro() -> None:
    assert parse_process_data("Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar:EUR")[2] == [(100, "Bar")]


@pytest.mark.parametrize(
    "bad",
    [
        "Beleg^2.90_0.00_0.00_0.00^5.00:Unbar",  # four rates
        "Beleg^2.9_0.00_0.00_0.00_0.00^2.90:Bar",  # one decimal
        "Beleg^2,90_0.00_0.00_0.00_0.00^2.90:Bar",  # decimal comma
        "Beleg^0.00_0.00_1.00_0.00_0.00^1.00:Bar",  # 10.7 % not kept by the shop
        "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Karte",
        "Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar:CHF",
        "Beleg^1.00_0.00_0.00_0.00_0.00^1.00",
        "Bon^1.00_0.00_0.00_0.00_0.00^1.00:Bar",
        "Beleg^1.00_0.00_0.00_0.00_0.00",
        "",
    ],
)
def test_parse_refuses(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_process_data(bad)


cents = st.integers(min_value=-10_000_000, max_value=10_000_000)
gross_maps = st.dictionaries(st.sampled_from(list(VatRate)), cents)
payment_lists = st.lists(st.tuples(cents, st.sampled_from(["Bar", "Unbar"])), max_size=5)


def merged(payments: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [
        (sum(c for c, t in payments if t == kind), kind)
        for kind in ("Bar", "Unbar")
        if any(t == kind for _, t in payments)
    ]


@given(st.sampled_from(BON_TYPES), gross_maps, payment_lists)
def test_round_trip(
    bon_typ: str, gross: dict[VatRate, int], payments: list[tuple[int, str]]
) -> None:
    text = build_process_data(bon_typ, gross, payments)
    assert parse_process_data(text) == (
        bon_typ,
        {rate: gross.get(rate, 0) for rate in (NORMAL, REDUCED, ZERO)},
        merged(payments),
    )
