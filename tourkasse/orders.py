"""Orders for a stop's next visit, as the hub sends them down to the truck that makes the visit.

Seniors' homes and villagers order ahead on the hub; the operator confirms or declines each
line. What a truck receives is its list of orders still to hand over: for each order only
the lines the operator confirmed, with the price and (for goods by weight) the approximate
weight as ordered. The till charges the price of the day and the weight the scale shows;
the ordered figures are there for the picking list and to compare.

The list travels as the ``content`` of a versioned download (``kind = "orders"``) on the
truck's own topic (``tourkasse/v1/truck/<id>/orders``, retained), as JSON text, so the truck
checks it with :func:`parse_orders` before it keeps it. An order is handed over by a sale whose
receipt names the order (``Receipt.order``, "abgeholt"), or marked with an
``order_not_collected`` journal entry ("nicht abgeholt"); both reach the hub in the journal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from tourkasse.article import Unit
from tourkasse.money import Cents, divide_half_up

SCHEMA_VERSION = 1
MAX_TEXT = 500  # a name, an article text or a note longer than this is refused (hub: MAX_NOTE)


@dataclass(frozen=True)
class OrderedLine:
    """One confirmed line of an order."""

    line: int  # the line's number within its order, from 1
    article: str  # article number (PLU)
    text: str  # the article's name when it was ordered
    unit: Unit
    quantity: int  # pieces, or the approximate weight in grams for Unit.KG
    unit_price: Cents  # gross per piece or per kg when ordered
    for_whom: str  # the resident or household the line is for

    @property
    def approx_total(self) -> Cents:
        if self.unit is Unit.KG:
            return divide_half_up(self.quantity * self.unit_price, 1000)
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class VisitOrder:
    """An order to hand over at a stop on a visit's date."""

    number: str  # what staff, the home and the hub call it, e.g. "B-17"
    stop: str  # stop id of the tour plan
    visit: date  # the local date of the visit
    orderer: str  # who ordered: a home's account, or "Aushang" for a board link
    note: str
    lines: tuple[OrderedLine, ...]

    @property
    def approx_total(self) -> Cents:
        return sum(line.approx_total for line in self.lines)

    @property
    def households(self) -> tuple[str, ...]:
        """The residents or households, in the order their first line came."""
        return tuple(dict.fromkeys(line.for_whom for line in self.lines))


def orders_text(orders: Iterable[VisitOrder]) -> str:
    """The JSON text of a truck's orders (the content of its download)."""
    body = {
        "v": SCHEMA_VERSION,
        "orders": [
            {
                "number": order.number,
                "stop": order.stop,
                "visit": order.visit.isoformat(),
                "orderer": order.orderer,
                "note": order.note,
                "lines": [
                    {
                        "line": line.line,
                        "article": line.article,
                        "text": line.text,
                        "unit": line.unit.value,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "for_whom": line.for_whom,
                    }
                    for line in order.lines
                ],
            }
            for order in orders
        ],
    }
    return orjson.dumps(body).decode("utf-8")


def parse_orders(text: str) -> tuple[VisitOrder, ...]:
    """Read a truck's orders; ValueError says in German what is wrong."""
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"Bestellungen: kein gültiges JSON ({exc.msg})") from None
    if not isinstance(body, dict) or not isinstance(body.get("orders"), list):
        raise ValueError("Bestellungen: erwartet ein Objekt mit einer Liste „orders“")
    if body.get("v") != SCHEMA_VERSION:
        raise ValueError(f"Bestellungen: Version {body.get('v')!r} unbekannt")
    orders = tuple(_order(item, index) for index, item in enumerate(body["orders"], start=1))
    numbers = [order.number for order in orders]
    if len(set(numbers)) != len(numbers):
        raise ValueError("Bestellungen: eine Bestellnummer kommt doppelt vor")
    return orders


def _order(item: Any, index: int) -> VisitOrder:
    if not isinstance(item, dict):
        raise ValueError(f"Bestellung {index}: erwartet ein Objekt")
    number = _text(item, "number", f"Bestellung {index}")
    where = f"Bestellung {number}"
    try:
        visit = date.fromisoformat(_text(item, "visit", where))
    except ValueError:
        raise ValueError(f"{where}: Besuchstag {item.get('visit')!r} ist kein Datum") from None
    lines = item.get("lines")
    if not isinstance(lines, list) or not lines:
        raise ValueError(f"{where}: keine Positionen")
    return VisitOrder(
        number=number,
        stop=_text(item, "stop", where),
        visit=visit,
        orderer=_text(item, "orderer", where),
        note=_text(item, "note", where, empty=True),
        lines=tuple(_line(line, where) for line in lines),
    )


def _line(item: Any, where: str) -> OrderedLine:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: eine Position ist kein Objekt")
    number = item.get("line")
    if not _count(number):
        raise ValueError(f"{where}: Positionsnummer {number!r} ungültig")
    at = f"{where}, Position {number}"
    try:
        unit = Unit(item.get("unit"))
    except ValueError:
        raise ValueError(f"{at}: Einheit {item.get('unit')!r} unbekannt") from None
    quantity, price = item.get("quantity"), item.get("unit_price")
    if not _count(quantity):
        raise ValueError(f"{at}: Menge {quantity!r} muss eine ganze Zahl über 0 sein")
    if not _count(price, low=0):
        raise ValueError(f"{at}: Preis {price!r} muss in ganzen Cent angegeben sein")
    return OrderedLine(
        line=number,
        article=_text(item, "article", at),
        text=_text(item, "text", at),
        unit=unit,
        quantity=quantity,
        unit_price=price,
        for_whom=_text(item, "for_whom", at),
    )


def _count(value: object, *, low: int = 1) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _text(item: dict[str, Any], key: str, where: str, *, empty: bool = False) -> str:
    value = item.get(key)
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ValueError(f"{where}: „{key}“ fehlt oder ist kein Text")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{where}: „{key}“ länger als {MAX_TEXT} Zeichen")
    return value
