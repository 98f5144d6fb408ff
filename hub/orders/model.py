"""Orders for a stop's next visit as the hub keeps them: who ordered what for whom, the
operator's decision per line, and what became of the order at the truck.

An order belongs to one stop and one planned visit (the stop's date in the tour plan). Its
orderer changes or cancels it until the stop's deadline; the operator confirms or declines
each line with a reason. The confirmed lines go down to the truck that makes the visit
(``tourkasse.orders``); the truck's journal says whether it was collected, and with which
receipt. Ordering pays nothing: the order is paid at the truck.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from tourkasse.article import Unit
from tourkasse.money import Cents, divide_half_up

MAX_LINES = 60  # lines in one order
MAX_NAME = 80  # a resident's or household's name
MAX_NOTE = 500
MAX_PIECES = 99  # pieces of one article in one line
MAX_GRAMS = 20_000  # approximate weight of one line of goods by weight
DEFAULT_DEADLINE_HOURS = 24  # hours before the planned arrival, unless the operator sets another


class OrderRefused(Exception):
    """An order, a change or a decision that cannot be taken; str() says why, in German,
    in the words of the person who tried (a home's staff, a villager, the operator)."""


class Decision(enum.StrEnum):
    """The operator's word on a line."""

    OPEN = "offen"
    CONFIRMED = "bestätigt"
    DECLINED = "abgelehnt"


class OrderState(enum.StrEnum):
    OPEN = "offen"  # placed; changeable by its orderer until the deadline
    CANCELLED = "storniert"  # by its orderer
    COLLECTED = "abgeholt"  # a receipt at the truck names it
    NOT_COLLECTED = "nicht abgeholt"  # the truck's staff marked it so


class Channel(enum.StrEnum):
    """Where the order was placed."""

    HOME = "home"  # a seniors' home's account (role "home")
    BOARD = "board"  # the stop's public board link


@dataclass(frozen=True)
class WantedLine:
    """A line as the orderer asks for it, before it is an order."""

    article: str  # article number from the current list
    quantity: int  # pieces, or approximate grams for goods by weight
    for_whom: str  # resident or household


@dataclass(frozen=True)
class OrderLine:
    line: int  # from 1, in the order of the form
    article: str
    text: str  # the article's name when ordered
    unit: Unit
    quantity: int  # pieces, or approximate grams for Unit.KG
    unit_price: Cents  # gross per piece or per kg when ordered
    deposit: Cents  # deposit per piece when ordered (0 where none)
    for_whom: str
    decision: Decision = Decision.OPEN
    reason: str = ""  # the operator's reason for a declined line

    @property
    def approx_total(self) -> Cents:
        """Price of the line as ordered (goods by weight at the approximate weight), deposit
        included."""
        if self.unit is Unit.KG:
            return divide_half_up(self.quantity * self.unit_price, 1000)
        return self.quantity * (self.unit_price + self.deposit)


@dataclass(frozen=True)
class Collection:
    """What the truck's journal says became of an order."""

    state: OrderState  # COLLECTED or NOT_COLLECTED
    at: datetime  # the journal entry's time (UTC)
    truck: str
    receipt: int | None = None  # the receipt number (BON_NR) that handed it over
    total: Cents | None = None  # the receipt's real total
    # per ordered article number: (quantity sold, amount) as the receipt has them
    sold: tuple[tuple[str, int, Cents], ...] = ()


@dataclass(frozen=True)
class Order:
    number: str  # "B-17"
    stop: str
    visit: date  # the local date of the planned visit
    truck: str  # the truck the tour plan sends on that visit
    channel: Channel
    orderer: str  # the home's user name, or "Aushang" for a board link
    note: str
    lines: tuple[OrderLine, ...]
    state: OrderState
    placed_at: datetime  # UTC
    changed_at: datetime  # UTC
    collection: Collection | None = None

    @property
    def approx_total(self) -> Cents:
        return sum(
            line.approx_total for line in self.lines if line.decision is not Decision.DECLINED
        )

    @property
    def households(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.for_whom for line in self.lines))


@dataclass(frozen=True)
class OrderableVisit:
    """A planned visit of a stop as the order form offers it."""

    stop: str
    day: date
    arrive: datetime  # UTC, as planned
    truck: str
    deadline: datetime  # UTC: orders for this visit are taken and changed until then
    cancelled: bool
    reason: str  # why it is cancelled

    @property
    def key(self) -> str:
        return self.day.isoformat()


def quantity_text(quantity: int, unit: Unit) -> str:
    """ "3" pieces, "ca. 500 g", "ca. 1,5 kg"."""
    if unit is not Unit.KG:
        return f"{quantity} Stk"
    if quantity < 1000:
        return f"ca. {quantity} g"
    return "ca. " + f"{quantity / 1000:.3f}".rstrip("0").rstrip(".").replace(".", ",") + " kg"
