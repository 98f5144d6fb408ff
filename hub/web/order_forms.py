"""The order form as typed and the orders as shown: lines of article, quantity and name read
from the form, quantities in the shop's words ("ca. 1,5 kg"), times in the stop's zone, and
what a collected order's receipt sold beside what was ordered. Shared by the orderers' pages
(``order_pages``) and the operator's (``order_office_pages``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hub.orders.model import (
    MAX_LINES,
    Decision,
    Order,
    OrderableVisit,
    OrderRefused,
    WantedLine,
    quantity_text,
)
from hub.typed_text import one_line
from tourkasse.article import Article, Unit
from tourkasse.german import WEEKDAYS

ROWS = 10  # empty lines of a new order's form
SPARE = 3  # empty lines below a changed order's own
QUANTITY = re.compile(r"(\d[\d.,]*)\s*(kg|g|stk\.?|st\.?|stück)?", re.IGNORECASE)
GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")  # "1.000", "12.500": thousands separators
DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")  # "500", "1,5", "0.5"
BARE_GRAMS_AT_LEAST = 50  # a bare "2" for goods by weight is taken for a slip, not 2 g


@dataclass
class Row:
    """A line of the form as typed."""

    article: str = ""
    quantity: str = ""
    for_whom: str = ""


@dataclass
class Form:
    rows: list[Row] = field(default_factory=list)
    visit: str = ""
    note: str = ""


# --- the form ------------------------------------------------------------------------------
def form_of(data: Any) -> Form:
    try:
        count = int(str(data.get("rows", ROWS)))
    except ValueError:
        count = ROWS
    count = min(max(count, 1), MAX_LINES)
    rows = [
        Row(
            str(data.get(f"article-{i}", "")).strip(),
            str(data.get(f"qty-{i}", "")).strip(),
            str(data.get(f"for-{i}", "")),
        )
        for i in range(1, count + 1)
    ]
    return Form(rows, str(data.get("visit", "")), str(data.get("note", "")))


def wanted_lines(rows: list[Row], articles: dict[str, Article]) -> list[WantedLine]:
    """The form's filled lines; a line without a name is for the name of the line above."""
    lines: list[WantedLine] = []
    previous = ""
    for number, row in enumerate(rows, 1):
        if not row.article and not row.quantity:
            continue
        if not row.article:
            raise OrderRefused(f"Zeile {number}: Bitte einen Artikel wählen.")
        who = one_line(row.for_whom) or previous
        if not who:
            raise OrderRefused(f"Zeile {number}: Für wen? Bitte einen Namen eintragen.")
        quantity = parse_quantity(row.quantity, articles.get(row.article), number)
        lines.append(WantedLine(row.article, quantity, who))
        previous = who
    if not lines:
        raise OrderRefused("Die Bestellung ist leer: Bitte mindestens einen Artikel eintragen.")
    return lines


def parse_quantity(text: str, article: Article | None, row: int) -> int:
    """Pieces, or grams for goods by weight ("500", "500 g", "1.000 g", "1,5 kg").

    A "." before exactly three digits (and no comma) separates thousands, as Germans write
    them; otherwise "." and "," are decimal marks. What could be read two ways ("1.250 kg",
    "1,500 g", "1.000,5") is refused in words rather than guessed. An article not in the list
    (``None``) is read in either unit: the service then names the article that is gone."""
    typed = text.strip()
    if not typed:
        raise OrderRefused(f"Zeile {row}: Bitte eine Menge eintragen.")
    found = QUANTITY.fullmatch(typed)
    if found is None:
        raise OrderRefused(f"Zeile {row}: Menge „{text}“ nicht verstanden.")
    figure, unit = found.group(1), (found.group(2) or "").lower()
    unclear = (
        f"Zeile {row}: Menge „{typed}“ ist nicht eindeutig – bitte ohne Tausenderpunkt und "
        "mit Komma schreiben, z. B. 1500 g oder 1,5 kg."
    )
    grouped = GROUPED.fullmatch(figure) is not None
    if grouped:
        if unit == "kg":  # "1.250 kg": 1,25 kg in English, 1250 kg in German
            raise OrderRefused(unclear)
        value = Decimal(figure.replace(".", ""))
    elif DECIMAL.fullmatch(figure):
        value = Decimal(figure.replace(",", "."))
    elif "." in figure and "," in figure:  # "1.000,5" or "1,000.5"
        raise OrderRefused(unclear)
    else:
        raise OrderRefused(f"Zeile {row}: Menge „{text}“ nicht verstanden.")
    weighed = article is not None and article.unit is Unit.KG
    if article is None:
        grams = value * 1000 if unit == "kg" else value
        return int(grams.to_integral_value())
    if weighed:
        if unit not in ("", "g", "kg"):
            raise OrderRefused(f"Zeile {row}: {article.name} wird gewogen – Menge in g oder kg.")
        grams = value * 1000 if unit == "kg" else value
        if unit != "kg" and grams != grams.to_integral_value():  # "1,500 g": 1,5 g or 1500 g?
            raise OrderRefused(unclear)
        if unit == "" and grams < BARE_GRAMS_AT_LEAST:
            raise OrderRefused(
                f"Zeile {row}: {article.name} wird gewogen – bitte die ungefähre Menge in "
                "Gramm (z. B. 500) oder mit kg (z. B. 1,5 kg) angeben."
            )
        return int(grams.to_integral_value())
    if unit in ("g", "kg") or value != value.to_integral_value():
        raise OrderRefused(f"Zeile {row}: Menge in Stück (ganze Zahl).")
    return int(value)


def typed_quantity(quantity: int, unit: Unit) -> str:
    return f"{quantity} g" if unit is Unit.KG else str(quantity)


def rows_of_order(order: Order) -> list[Row]:
    rows = [
        Row(ln.article, typed_quantity(ln.quantity, ln.unit), ln.for_whom) for ln in order.lines
    ]
    return rows + [Row() for _ in range(SPARE)]


def when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%d.%m.%Y, %H:%M} Uhr"


def visit_view(visit: OrderableVisit, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """A visit as the page lists it; the template words its state in the page's language."""
    return {
        "key": visit.key,
        "day": f"{WEEKDAYS[visit.day.weekday()]} {visit.day:%d.%m.%Y}",
        "arrive": f"{visit.arrive.astimezone(zone):%H:%M} Uhr",
        "deadline": when(visit.deadline, zone),
        "open": not visit.cancelled and now < visit.deadline,
        "cancelled": visit.cancelled,
        "reason": visit.reason,
    }


def received(order: Order) -> list[dict[str, Any]]:
    """Per article of a collected order: what was ordered (lines not declined) beside what
    the receipt sold and its amount."""
    if order.collection is None:
        return []
    lines = [ln for ln in order.lines if ln.decision is not Decision.DECLINED]
    sold = {article: (quantity, amount) for article, quantity, amount in order.collection.sold}
    rows = []
    for article in dict.fromkeys([ln.article for ln in lines] + list(sold)):
        mine = [ln for ln in order.lines if ln.article == article]
        unit = mine[0].unit if mine else Unit.PIECE
        ordered = sum(ln.quantity for ln in lines if ln.article == article)
        quantity, amount = sold.get(article, (0, 0))
        rows.append(
            {
                "article": article,
                "text": mine[0].text if mine else article,
                "ordered": quantity_text(ordered, unit) if ordered else "–",
                "sold": (f"{quantity} g" if unit is Unit.KG else f"{quantity} Stk")
                if article in sold
                else "–",
                "amount": amount if article in sold else None,
            }
        )
    return rows
