"""Orders as the hub sends them to truck T01 for Tuesday 24.11.2026 (the example tour)."""

from __future__ import annotations

from datetime import date

from tourkasse.article import Unit
from tourkasse.orders import OrderedLine, VisitOrder, orders_text
from tourkasse.protocol import Download

VISIT = date(2026, 11, 24)
PUBLISHED = "2026-11-23T18:00:00+00:00"
MARKUP_NAME = "[b]Frau Müller[/b]"  # must be shown as typed, never as bold
BROKEN_MARKUP = "Herr [Meier"  # would break a markup parser


def line(number: int, article: str, text: str, quantity: int, price: int, whom: str, *, kg=False):
    unit = Unit.KG if kg else Unit.PIECE
    return OrderedLine(number, article, text, unit, quantity, price, whom)


def sample_orders(visit: date = VISIT) -> tuple[VisitOrder, ...]:
    return (
        VisitOrder(
            "B-17",
            "gimte",
            visit,
            "heim-gimte",
            "Bitte [klingeln]",
            (
                line(1, "1002", "Brötchen", 4, 45, MARKUP_NAME),
                line(2, "2101", "Gouda mittelalt", 350, 1690, MARKUP_NAME, kg=True),
                line(3, "5001", "Mineralwasser 1,0 l", 2, 69, BROKEN_MARKUP),
            ),
        ),
        VisitOrder(
            "B-18",
            "gimte",
            visit,
            "Aushang",
            "",
            (
                line(1, "7777", "Sonderbrot vom Vorjahr", 1, 390, "Familie Kaya"),
                line(2, "1001", "Landbrot 1000 g", 1, 420, "Familie Kaya"),
            ),
        ),
        VisitOrder(
            "B-19",
            "hemeln",
            visit,
            "Aushang",
            "",
            (line(1, "1001", "Landbrot 1000 g", 2, 420, "Herr Wiegand"),),
        ),
    )


def orders_download(version: int, orders=None, *, content: str | None = None) -> Download:
    text = content if content is not None else orders_text(orders or sample_orders())
    return Download("orders", version, PUBLISHED, text)
