"""Tests for reading the till's input line: barcodes, in-store labels and typed PLUs."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from truck.core.barcode import (
    DEFAULT_INSTORE_PREFIXES,
    ArticleCode,
    BarcodeError,
    InStorePrefix,
    PluCode,
    PricedCode,
    Scan,
    WeighedCode,
    gtin_check_digit,
    make_ean13,
    make_instore_code,
    parse_scan,
)

CHECK_DIGIT_WRONG = "Prüfziffer falsch – bitte erneut scannen"

PRICE_21 = InStorePrefix("21", "price")
WEIGHT_28 = InStorePrefix("28", "weight")


def reference_is_valid(code: str) -> bool:
    """GS1 rule written independently: from the right, weights 1 (the check digit), 3, 1, 3..."""
    weights = [1 if i % 2 == 0 else 3 for i in range(len(code))]
    return sum(int(d) * w for d, w in zip(reversed(code), weights, strict=True)) % 10 == 0


def digits(min_size: int, max_size: int | None = None) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=min_size, max_size=max_size or min_size)


def with_check_digit(body: str) -> str:
    return body + str(gtin_check_digit(body))


valid_barcodes = st.one_of(digits(7), digits(11), digits(12)).map(with_check_digit)
instore_prefixes = st.builds(
    InStorePrefix,
    prefix=st.sampled_from([f"2{d}" for d in range(10)]),
    kind=st.sampled_from(["weight", "price"]),
)
plus = digits(1, 5).filter(lambda plu: int(plu) != 0)
values = st.integers(min_value=1, max_value=99_999)


# --- check digits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("400638133393", 1),  # EAN-13, a Stabilo pen
        ("9638507", 4),  # EAN-8
        ("03600029145", 2),  # UPC-A
        ("000000000000", 0),
    ],
)
def test_check_digit_of_real_codes(body: str, check: int) -> None:
    assert gtin_check_digit(body) == check


@pytest.mark.parametrize("body", ["", "40063813339x", "12 34", "٤٠٠٦"])
def test_check_digit_needs_ascii_digits(body: str) -> None:
    with pytest.raises(ValueError):
        gtin_check_digit(body)


@given(digits(1, 17))
def test_any_body_gets_a_check_digit_that_validates(body: str) -> None:
    check = gtin_check_digit(body)
    assert 0 <= check <= 9
    assert reference_is_valid(body + str(check))
    others = [d for d in "0123456789" if d != str(check)]
    assert not any(reference_is_valid(body + d) for d in others)


def test_make_ean13() -> None:
    assert make_ean13("400638133393") == "4006381333931"


@pytest.mark.parametrize("body", ["40063813339", "4006381333931", "40063813339x"])
def test_make_ean13_needs_twelve_digits(body: str) -> None:
    with pytest.raises(ValueError):
        make_ean13(body)


# --- article barcodes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gtin"),
    [
        ("4006381333931", "4006381333931"),
        ("96385074", "0000096385074"),
        ("036000291452", "0036000291452"),
        ("0036000291452", "0036000291452"),
    ],
)
def test_real_barcodes_are_articles_in_13_digit_form(text: str, gtin: str) -> None:
    assert parse_scan(text) == ArticleCode(gtin)


@pytest.mark.parametrize(
    "text", ["4006381333931\r\n", "4006381333931\n", "4006381333931\r", " \t4006381333931  "]
)
def test_scanner_suffixes_and_whitespace_are_ignored(text: str) -> None:
    assert parse_scan(text) == ArticleCode("4006381333931")


@given(valid_barcodes)
def test_valid_barcodes_parse(code: str) -> None:
    scan = parse_scan(code)
    assert isinstance(scan, ArticleCode | WeighedCode | PricedCode)
    assert scan.gtin == code.zfill(13)


@given(valid_barcodes, st.data())
@example("4006381333931", None)
def test_every_single_digit_substitution_is_rejected(code: str, data: st.DataObject | None) -> None:
    if data is None:  # the explicit example: try every position and digit
        changes = [(i, d) for i in range(len(code)) for d in "0123456789" if d != code[i]]
    else:
        position = data.draw(st.integers(0, len(code) - 1))
        digit = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
        changes = [(position, digit)]
    for position, digit in changes:
        wrong = code[:position] + digit + code[position + 1 :]
        with pytest.raises(BarcodeError) as caught:
            parse_scan(wrong)
        assert str(caught.value) == CHECK_DIGIT_WRONG


@given(digits(11).map(with_check_digit))
@example("036000291452")
def test_upc_a_and_its_ean13_form_are_the_same_article(upc: str) -> None:
    as_upc = parse_scan(upc)
    assert isinstance(as_upc, ArticleCode)
    assert as_upc == parse_scan("0" + upc)


@given(digits(7).map(with_check_digit))
def test_ean8_and_its_padded_form_are_the_same_article(ean8: str) -> None:
    assert parse_scan(ean8) == parse_scan(ean8.zfill(13)) == ArticleCode(ean8.zfill(13))


def test_unconfigured_prefix_2_is_an_ordinary_article() -> None:
    own_code = make_ean13("200000012345")
    assert parse_scan(own_code) == ArticleCode(own_code)
    label = make_instore_code(PRICE_21, "123", 249)
    assert parse_scan(label, instore=()) == ArticleCode(label)


def test_upc_number_system_2_is_not_an_instore_label() -> None:
    upc = with_check_digit("21234500249")  # US random-weight layout: read as a plain article
    assert parse_scan(upc) == ArticleCode("0" + upc)


# --- in-store labels --------------------------------------------------------------------------


def test_price_label() -> None:
    label = make_instore_code(PRICE_21, "123", 249)
    assert label == "2100123002498"
    assert parse_scan(label) == PricedCode(plu="123", cents=249, gtin=label)


def test_weight_label() -> None:
    label = make_instore_code(WEIGHT_28, "4711", 1250)
    assert label == make_ean13("280471101250")
    assert parse_scan(label + "\r\n") == WeighedCode(plu="4711", grams=1250, gtin=label)


def test_configured_prefixes_replace_the_defaults() -> None:
    label = make_ean13("200001200500")
    mine = (InStorePrefix("20", "weight"),)
    assert parse_scan(label, instore=mine) == WeighedCode(plu="12", grams=500, gtin=label)
    assert parse_scan(make_instore_code(PRICE_21, "1", 1), instore=mine) == ArticleCode(
        make_instore_code(PRICE_21, "1", 1)
    )


def test_first_configured_entry_for_a_prefix_wins() -> None:
    label = make_instore_code(PRICE_21, "7", 300)
    both = (InStorePrefix("21", "weight"), PRICE_21)
    assert parse_scan(label, instore=both) == WeighedCode(plu="7", grams=300, gtin=label)


@given(instore_prefixes, plus, values)
def test_instore_code_round_trips(prefix: InStorePrefix, plu: str, value: int) -> None:
    label = make_instore_code(prefix, plu, value)
    assert len(label) == 13
    assert label.startswith(prefix.prefix)
    scan = parse_scan(label, instore=[prefix])
    expected: Scan
    if prefix.kind == "weight":
        expected = WeighedCode(plu=plu.lstrip("0"), grams=value, gtin=label)
    else:
        expected = PricedCode(plu=plu.lstrip("0"), cents=value, gtin=label)
    assert scan == expected


@given(plus, values)
def test_default_prefixes_round_trip(plu: str, value: int) -> None:
    for prefix in DEFAULT_INSTORE_PREFIXES:
        scan = parse_scan(make_instore_code(prefix, plu, value))
        assert isinstance(scan, WeighedCode if prefix.kind == "weight" else PricedCode)
        assert scan.plu == plu.lstrip("0")


def test_default_prefixes_are_distinct_and_leave_20_free() -> None:
    prefixes = [entry.prefix for entry in DEFAULT_INSTORE_PREFIXES]
    assert len(prefixes) == len(set(prefixes))
    assert "20" not in prefixes


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        (WEIGHT_28, "Gewicht 0 g im Waagen-Etikett – bitte neu wiegen"),
        (PRICE_21, "Preis 0,00 € im Etikett – bitte neu auszeichnen"),
    ],
)
def test_instore_value_zero_is_refused(prefix: InStorePrefix, message: str) -> None:
    label = make_ean13(f"{prefix.prefix}0012300000")
    with pytest.raises(BarcodeError, match=f"^{message}$"):
        parse_scan(label)


def test_instore_article_number_zero_is_refused() -> None:
    with pytest.raises(BarcodeError, match="Artikelnummer 0"):
        parse_scan(make_ean13("280000001250"))


@pytest.mark.parametrize(
    ("plu", "value"),
    [("123", 0), ("123", 100_000), ("123", -5), ("", 10), ("123456", 10), ("00000", 10)],
)
def test_make_instore_code_refuses_what_no_label_can_carry(plu: str, value: int) -> None:
    with pytest.raises(ValueError):
        make_instore_code(PRICE_21, plu, value)


def test_make_instore_code_refuses_non_integer_values() -> None:
    with pytest.raises(TypeError):
        make_instore_code(PRICE_21, "1", True)
    with pytest.raises(TypeError):
        make_instore_code(PRICE_21, "1", 2.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("prefix", "kind"), [("30", "price"), ("2", "price"), ("2a", "price"), ("21", "volume")]
)
def test_instore_prefix_is_validated(prefix: str, kind: str) -> None:
    with pytest.raises(ValueError):
        InStorePrefix(prefix, kind)  # type: ignore[arg-type]


# --- PLUs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plu"), [("7", "7"), ("42", "42"), ("00042", "42"), ("99999", "99999"), ("10", "10")]
)
def test_typed_plu(text: str, plu: str) -> None:
    assert parse_scan(text) == PluCode(plu)


@given(plus, st.sampled_from(["", " ", "\t"]), st.sampled_from(["", "\n", "\r\n", " "]))
def test_any_plu_parses_without_leading_zeros(plu: str, before: str, after: str) -> None:
    assert parse_scan(before + plu + after) == PluCode(plu.lstrip("0"))


@pytest.mark.parametrize("text", ["0", "00", "00000"])
def test_plu_zero_does_not_exist(text: str) -> None:
    with pytest.raises(BarcodeError, match="gibt es nicht"):
        parse_scan(text)


# --- what is not a code -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Keine Eingabe – bitte Strichcode scannen oder PLU eingeben"),
        (" \r\n", "Keine Eingabe – bitte Strichcode scannen oder PLU eingeben"),
        ("4x0012", "„4x0012“ ist kein Strichcode und keine PLU"),
        ("4006 381333931", "„4006 381333931“ ist kein Strichcode und keine PLU"),
        ("-42", "„-42“ ist kein Strichcode und keine PLU"),
        ("٤٢", "„٤٢“ ist kein Strichcode und keine PLU"),
        ("4²", "„4²“ ist kein Strichcode und keine PLU"),
        ("4006381333932", CHECK_DIGIT_WRONG),
        ("400638133393", CHECK_DIGIT_WRONG),  # a 13-digit code missing its last digit
        ("96385075", CHECK_DIGIT_WRONG),
        (
            "123456",
            "Strichcode unvollständig (6 Ziffern statt 8) – eine PLU hat höchstens 5 Ziffern",
        ),
        (
            "9638507",
            "Strichcode unvollständig (7 Ziffern statt 8) – eine PLU hat höchstens 5 Ziffern",
        ),
        ("963850744", "Strichcode unvollständig (9 Ziffern statt 12 oder 13)"),
        ("03600029145", "Strichcode unvollständig (11 Ziffern statt 12 oder 13)"),
        (
            "40063813339310",
            "Strichcode zu lang (14 Ziffern statt höchstens 13) – bitte erneut scannen",
        ),
    ],
)
def test_messages_for_sales_staff(text: str, message: str) -> None:
    with pytest.raises(BarcodeError) as caught:
        parse_scan(text)
    assert str(caught.value) == message


def test_long_garbage_is_cut_short_in_the_message() -> None:
    with pytest.raises(BarcodeError) as caught:
        parse_scan("x" * 500)
    assert str(caught.value) == f"„{'x' * 20}…“ ist kein Strichcode und keine PLU"


@given(st.one_of(digits(6, 7), digits(9, 11), digits(14, 40)))
def test_wrong_lengths_say_how_many_digits(code: str) -> None:
    with pytest.raises(BarcodeError, match=f"\\({len(code)} Ziffern statt"):
        parse_scan(code)


def test_barcode_error_is_a_value_error() -> None:
    assert issubclass(BarcodeError, ValueError)


@given(st.one_of(st.text(), st.text(alphabet="0123456789 \t\r\n2x²٤")))
def test_garbage_parses_or_raises_barcode_error(text: str) -> None:
    try:
        scan = parse_scan(text)
    except BarcodeError as error:
        assert str(error)
    else:
        assert isinstance(scan, ArticleCode | PluCode | WeighedCode | PricedCode)


# --- result types -----------------------------------------------------------------------------


def test_results_are_frozen() -> None:
    scan = parse_scan("4006381333931")
    with pytest.raises(dataclasses.FrozenInstanceError):
        scan.gtin = "0"  # type: ignore[misc]


@pytest.mark.parametrize(
    "build",
    [
        lambda: ArticleCode("4006381333932"),
        lambda: ArticleCode("96385074"),
        lambda: PluCode("042"),
        lambda: PluCode("0"),
        lambda: PluCode("123456"),
        lambda: WeighedCode(plu="12", grams=0, gtin=make_ean13("280001200000")),
        lambda: PricedCode(plu="12", cents=100, gtin="2800012001009"),
    ],
)
def test_result_types_refuse_impossible_values(build: object) -> None:
    with pytest.raises(ValueError):
        build()  # type: ignore[operator]
