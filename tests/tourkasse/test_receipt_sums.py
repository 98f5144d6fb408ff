"""The hub's quick read of a receipt's figures takes and refuses exactly what the full reader does."""

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tourkasse.test_receipt import receipt
from tourkasse.receipt import Payment, PaymentMethod, Receipt, receipt_sums

# what a broken or foreign truck might put where a receipt's field belongs
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.text(max_size=8),
    st.sampled_from(["sale", "deposit", "kg", "piece", "NORMAL", "REDUCED", "cash", "Beleg"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["reason", "original_price", "x"]), st.integers(), max_size=2),
)
LINE_KEYS = [
    "kind", "text", "quantity", "unit", "unit_price", "vat", "total", "group", "discount",
    "override", "weighing", "article_no",
]  # fmt: skip
TOP_KEYS = ["bon_type", "lines", "payments", "total", "staff", "void_of", "stop", "note"]


@st.composite
def damaged_receipts(draw: st.DrawFn) -> dict[str, Any]:
    """A good receipt's dict with a few fields changed, dropped or given odd values."""
    data = copy.deepcopy(receipt().to_dict())
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(["top", "line", "payment"]))
        if where == "top":
            target, key = data, draw(st.sampled_from(TOP_KEYS))
        elif where == "line" and isinstance(data.get("lines"), list) and data["lines"]:
            target = draw(st.sampled_from(data["lines"]))
            key = draw(st.sampled_from(LINE_KEYS))
        elif isinstance(data.get("payments"), list) and data["payments"]:
            target = draw(st.sampled_from(data["payments"]))
            key = draw(st.sampled_from(["method", "amount", "tendered"]))
        else:
            continue
        if not isinstance(target, dict):
            continue
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(ODD_VALUES)
    return data


def outcome(read: Any, data: dict[str, Any]) -> Any:
    try:
        return read(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return type(exc)


@settings(max_examples=600, deadline=None)
@given(damaged_receipts())
def test_the_quick_read_refuses_what_the_full_read_refuses_and_agrees_on_the_figures(data):
    full = outcome(Receipt.from_dict, data)
    quick = outcome(receipt_sums, data)
    if isinstance(full, Receipt):
        assert not isinstance(quick, type), f"quick read refused a readable receipt: {quick}"
        assert quick.bon_type is full.bon_type
        assert quick.total == full.total
        assert quick.gross_by_rate == full.gross_by_rate
        assert quick.payments == tuple((p.method, p.amount) for p in full.payments)
        assert quick.is_void == full.is_void and quick.stop == full.stop
    else:
        assert isinstance(quick, type), f"quick read took a receipt the full read refuses: {full}"


def test_an_untouched_receipt_reads_the_same_both_ways():
    data = receipt().to_dict()
    sums, full = receipt_sums(data), Receipt.from_dict(data)
    assert sums.gross_by_rate == full.gross_by_rate and sums.total == full.total == 529


@pytest.mark.parametrize("amount", ["5,29", 5.29, True, None])
def test_a_payment_amount_is_whole_cents(amount):
    with pytest.raises(TypeError, match="amount must be an integer"):
        Payment(PaymentMethod.CASH, amount)
    data = receipt().to_dict()
    data["payments"][0]["amount"] = amount
    with pytest.raises(TypeError, match="amount must be an integer"):
        receipt_sums(data)
