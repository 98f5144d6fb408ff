"""The accounts the DATEV export books to: the chart's usual ones, or the config's own."""

from __future__ import annotations

from dataclasses import dataclass, fields

from hub.config import AccountingSettings
from tourkasse.vat import VatRate

# The usual accounts of DATEV's standard charts. Revenue accounts are automatic accounts that
# book their VAT themselves (so the export writes no BU key); deposits go, unless the config
# names accounts of their own, to the revenue account of the drink's rate.
CHARTS: dict[str, dict[str, int]] = {
    "SKR03": {
        "cash": 1000,
        "card_transit": 1360,
        "revenue_19": 8400,
        "revenue_7": 8300,
        "revenue_0": 8200,
        "cash_transit": 1360,
        "payouts": 1590,
        "private_withdrawal": 1800,
        "private_deposit": 1890,
        "cash_shortfall": 4900,
        "cash_surplus": 2700,
    },
    "SKR04": {
        "cash": 1600,
        "card_transit": 1460,
        "revenue_19": 4400,
        "revenue_7": 4300,
        "revenue_0": 4200,
        "cash_transit": 1460,
        "payouts": 1370,
        "private_withdrawal": 2100,
        "private_deposit": 2180,
        "cash_shortfall": 6300,
        "cash_surplus": 4830,
    },
}


@dataclass(frozen=True)
class Accounts:
    chart: str
    cash: int
    card_transit: int
    revenue_19: int
    revenue_7: int
    revenue_0: int
    deposit_19: int
    deposit_7: int
    cash_transit: int
    payouts: int
    private_withdrawal: int
    private_deposit: int
    cash_shortfall: int
    cash_surplus: int

    @classmethod
    def of(cls, settings: AccountingSettings) -> Accounts:
        usual = CHARTS[settings.chart]
        chosen = {
            f.name: getattr(settings, f.name, None) or usual.get(f.name)
            for f in fields(cls)
            if f.name != "chart"
        }
        chosen["deposit_19"] = settings.deposit_19 or chosen["revenue_19"]
        chosen["deposit_7"] = settings.deposit_7 or chosen["revenue_7"]
        return cls(chart=settings.chart, **chosen)

    def revenue(self, rate: VatRate) -> int:
        return {
            VatRate.NORMAL: self.revenue_19,
            VatRate.REDUCED: self.revenue_7,
            VatRate.ZERO: self.revenue_0,
        }[rate]

    def deposit(self, rate: VatRate) -> int:
        # a deposit at 0 % does not exist (it takes its drink's rate); booked as revenue if seen
        return {VatRate.NORMAL: self.deposit_19, VatRate.REDUCED: self.deposit_7}.get(
            rate, self.revenue_0
        )

    def movement(self, kind: str) -> int:
        """The counter account of a cash movement (its DSFinV-K business case name)."""
        return {
            "Einzahlung": self.cash_transit,
            "Geldtransit": self.cash_transit,
            "Privatentnahme": self.private_withdrawal,
            "Privateinlage": self.private_deposit,
        }.get(kind, self.payouts)
