"""Master data of a closing: the company that sells and the till it sells with.

The till writes them into every daily closing entry (``"master"`` in its body), so that an
export made on the truck and one made on the hub from the same journal say the same thing,
and a closing keeps the address and tax number it was made under after the config changes.
Closings written before that carry none; the export then takes fallback master data from
the config of whoever exports (the truck's own, or a truck config handed to the hub) and
says so.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

BRAND = "Tourkasse"
MODEL = "Tourkasse Verkaufswagen (Raspberry Pi)"

# LAND in the DSFinV-K is three letters (ISO 3166-1 alpha-3); the config keeps two.
_ALPHA3 = {
    "DE": "DEU",
    "AT": "AUT",
    "CH": "CHE",
    "NL": "NLD",
    "BE": "BEL",
    "LU": "LUX",
    "FR": "FRA",
    "DK": "DNK",
    "PL": "POL",
    "CZ": "CZE",
}


def country_alpha3(code: str) -> str:
    return _ALPHA3.get(code.upper(), code.upper())


def software_version() -> str:
    try:
        return metadata.version("tourkasse")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unbekannt"


class ShopLike(Protocol):
    """What the truck's [shop] settings offer (truck.config.ShopSettings)."""

    name: str
    street: str
    postcode: str
    city: str
    country: str
    tax_number: str
    vat_id: str | None


@dataclass(frozen=True)
class Company:
    name: str
    street: str
    postcode: str
    city: str
    country: str  # two letters, as configured
    tax_number: str
    vat_id: str | None = None


@dataclass(frozen=True)
class TillMaster:
    serial: str  # Z_KASSE_ID and KASSE_SERIENNR: the till serial, also the TSE's client id
    brand: str = BRAND
    model: str = MODEL
    software: str = BRAND
    version: str = ""


@dataclass(frozen=True)
class MasterData:
    company: Company
    till: TillMaster

    def to_dict(self) -> dict[str, Any]:
        company = {k: v for k, v in asdict(self.company).items() if v is not None}
        return {"company": company, "till": asdict(self.till)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MasterData:
        try:
            return cls(Company(**data["company"]), TillMaster(**data["till"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"Stammdaten im Abschluss unvollständig: {exc}") from None

    @classmethod
    def of_shop(cls, shop: ShopLike, till_serial: str) -> MasterData:
        """From the truck's config, as of now (the software version is the running one)."""
        company = Company(
            shop.name,
            shop.street,
            shop.postcode,
            shop.city,
            shop.country,
            shop.tax_number,
            shop.vat_id,
        )
        return cls(company, TillMaster(till_serial, version=software_version()))


def master_from_truck_config(path: Path) -> MasterData:
    """Fallback master data from a truck's config file ([shop] and [truck] till_serial).

    For the hub, which has no shop of its own: it reads only those keys, without the truck's
    code. Raises ValueError (German) when the file is not readable or lacks them.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"Stammdaten-Datei {path} gibt es nicht") from None
    except OSError as exc:
        raise ValueError(f"Stammdaten-Datei {path} nicht lesbar ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"Stammdaten-Datei {path} ist kein gültiges TOML: {exc}") from None
    shop, truck = data.get("shop"), data.get("truck")
    needed = ("name", "street", "postcode", "city", "tax_number")
    if not isinstance(shop, dict) or any(not isinstance(shop.get(k), str) for k in needed):
        raise ValueError(f"{path}: [shop] mit {', '.join(needed)} fehlt")
    if not isinstance(truck, dict) or not isinstance(truck.get("till_serial"), str):
        raise ValueError(f"{path}: [truck] till_serial fehlt")
    company = Company(
        shop["name"],
        shop["street"],
        shop["postcode"],
        shop["city"],
        str(shop.get("country", "DE")),
        shop["tax_number"],
        shop.get("vat_id"),
    )
    return MasterData(company, TillMaster(truck["till_serial"], version=software_version()))
