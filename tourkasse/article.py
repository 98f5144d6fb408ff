"""Articles and department keys as the article list describes them."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any

from tourkasse.money import Cents, divide_half_up
from tourkasse.vat import VatRate


class Unit(enum.StrEnum):
    """How an article is sold. A line's quantity counts pieces, or grams for KG."""

    PIECE = "piece"
    KG = "kg"

    @property
    def label(self) -> str:
        return {Unit.PIECE: "Stk", Unit.KG: "kg"}[self]


class ContentUnit(enum.StrEnum):
    """Unit of an article's net content, for the price per kg or litre (Grundpreis)."""

    GRAM = "g"
    MILLILITRE = "ml"


AGE_LIMITS = (16, 18)


@dataclass(frozen=True)
class Article:
    number: str  # the shop's article number, also typed as PLU
    name: str
    unit: Unit
    price: Cents  # gross, per piece or per kg
    vat_rate: VatRate
    group: str  # article group (Warengruppe)
    gtins: tuple[str, ...] = ()
    net_content: int | None = None  # in content_unit, e.g. 500 g or 1000 ml
    content_unit: ContentUnit | None = None
    deposit: str | None = None  # article number of the deposit article that goes with it
    age_limit: int | None = None
    allergens: str = ""
    is_deposit: bool = False  # the article is itself a deposit (Pfand, Kastenpfand)

    def __post_init__(self) -> None:
        if not self.number.strip():
            raise ValueError("Artikelnummer fehlt")
        if not self.name.strip():
            raise ValueError(f"Artikel {self.number}: Bezeichnung fehlt")
        if isinstance(self.price, bool) or not isinstance(self.price, int):
            raise TypeError(f"Artikel {self.number}: Preis muss in Cent (ganze Zahl) sein")
        if self.price < 0:
            raise ValueError(f"Artikel {self.number}: Preis darf nicht negativ sein")
        if self.age_limit is not None and self.age_limit not in AGE_LIMITS:
            raise ValueError(
                f"Artikel {self.number}: Altersgrenze {self.age_limit} (erlaubt 16, 18)"
            )
        if (self.net_content is None) != (self.content_unit is None):
            raise ValueError(f"Artikel {self.number}: Füllmenge und ihre Einheit gehören zusammen")
        if self.net_content is not None and self.net_content <= 0:
            raise ValueError(f"Artikel {self.number}: Füllmenge muss größer als 0 sein")

    def base_price(self) -> tuple[Cents, str] | None:
        """Price per kg or per litre (Grundpreis, PAngV), or None where it does not apply."""
        if self.unit is Unit.KG:
            return self.price, "kg"
        if self.net_content is None or self.content_unit is None:
            return None
        per = "kg" if self.content_unit is ContentUnit.GRAM else "l"
        return divide_half_up(self.price * 1000, self.net_content), per

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["unit"] = self.unit.value
        data["vat_rate"] = self.vat_rate.name
        data["gtins"] = list(self.gtins)
        data["content_unit"] = self.content_unit.value if self.content_unit else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        values = dict(data)
        values["unit"] = Unit(values["unit"])
        values["vat_rate"] = VatRate[values["vat_rate"]]
        values["gtins"] = tuple(values["gtins"])
        unit = values.get("content_unit")
        values["content_unit"] = ContentUnit(unit) if unit else None
        return cls(**values)


@dataclass(frozen=True)
class Department:
    """A department key: an open price in an article group, for goods not in the list."""

    key: str
    name: str
    group: str
    vat_rate: VatRate
