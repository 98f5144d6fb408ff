"""German VAT rates and the VAT contained in gross prices.

Prices are gross. VAT is computed once per receipt and rate from the gross sum of that
rate (not per line), rounded half up, as German receipts show it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from tourkasse.money import Cents, divide_half_up


class VatRate(enum.Enum):
    """The rates a mobile shop meets. The value is the rate in tenths of a percent."""

    NORMAL = 190  # 19 %: drinks other than milk, household goods, everything else
    REDUCED = 70  # 7 %: most food, milk
    ZERO = 0  # 0 %: e.g. newspapers' special cases, postage stamps sold on behalf

    @property
    def percent_text(self) -> str:
        whole, tenth = divmod(self.value, 10)
        return f"{whole} %" if tenth == 0 else f"{whole},{tenth} %"

    @property
    def dsfinvk_key(self) -> int:
        """UST_SCHLUESSEL of the DSFinV-K: 1 = 19 %, 2 = 7 %, 6 = 0 %."""
        return {VatRate.NORMAL: 1, VatRate.REDUCED: 2, VatRate.ZERO: 6}[self]

    @classmethod
    def from_percent(cls, percent: int | str) -> VatRate:
        """``19`` → NORMAL, ``7`` → REDUCED, ``0`` → ZERO; anything else is an error."""
        text = str(percent).strip().rstrip("%").strip().replace(",", ".")
        for rate in cls:
            if text in {str(rate.value // 10), f"{rate.value / 10:g}"}:
                return rate
        raise ValueError(f"unbekannter Steuersatz „{percent}“ (erlaubt: 19, 7, 0)")


def vat_of_gross(gross: Cents, rate: VatRate) -> Cents:
    """The VAT contained in a gross amount, rounded half up (away from zero)."""
    per_mille = (
        rate._value_
    )  # not .value: an enum's properties run Python code (the hub's hot path)
    return divide_half_up(gross * per_mille, 1000 + per_mille)


def vat_by_rate(gross: Mapping[VatRate, Cents]) -> dict[VatRate, Cents]:
    return {rate: vat_of_gross(amount, rate) for rate, amount in gross.items()}
