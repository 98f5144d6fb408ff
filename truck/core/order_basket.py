"""An order opened at the counter: which of its lines can go into the basket, and how.

Pure logic. The till looks each ordered article up in the truck's current list: pieces go in
as ordinary lines at today's price (with their deposit, as for any sale), goods by weight go
on the scale one by one (the ordered weight is only a guide), and a line whose article is no
longer on the list, or is now sold differently, is left out and named. The basket of an
order names the order on its receipt, so paying it is what marks the order collected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from tourkasse.article import Article, Unit
from tourkasse.orders import OrderedLine, VisitOrder
from tourkasse.receipt import Payment, Receipt, Staff
from truck.core.basket import Basket


class OrderBasket(Basket):
    """A basket opened from an order: its paid receipt names the order ("abgeholt").

    An aborted receipt does not (``Basket.aborted``), so aborting leaves the order open.
    """

    def __init__(
        self, order: str, *, training: bool = False, till_may_compute_weight_prices: bool = False
    ) -> None:
        super().__init__(
            training=training, till_may_compute_weight_prices=till_may_compute_weight_prices
        )
        self.order = order

    def receipt(
        self,
        payments: tuple[Payment, ...],
        *,
        staff: Staff | None = None,
        note: str = "",
        stop: str | None = None,
    ) -> Receipt:
        paid = super().receipt(payments, staff=staff, note=note, stop=stop)
        return replace(paid, order=self.order)


@dataclass(frozen=True)
class LeftOut:
    line: OrderedLine
    reason: str  # German, for the screen


@dataclass(frozen=True)
class OrderPlan:
    """The lines of an order sorted by how they go into the basket."""

    order: VisitOrder
    pieces: tuple[tuple[OrderedLine, Article], ...]
    weighed: tuple[tuple[OrderedLine, Article], ...]
    left_out: tuple[LeftOut, ...]


def plan_order(order: VisitOrder, article: Callable[[str], Article | None]) -> OrderPlan:
    """Sort ``order``'s lines by the truck's current article list (``article`` looks one up)."""
    pieces, weighed, left_out = [], [], []
    for line in order.lines:
        found = article(line.article)
        if found is None:
            left_out.append(LeftOut(line, f"{line.text}: nicht mehr in der Artikelliste"))
        elif found.unit is not line.unit:
            how = "gewogen" if found.unit is Unit.KG else "stückweise verkauft"
            left_out.append(LeftOut(line, f"{line.text}: wird jetzt {how} – bitte von Hand"))
        elif found.unit is Unit.KG:
            weighed.append((line, found))
        else:
            pieces.append((line, found))
    return OrderPlan(order, tuple(pieces), tuple(weighed), tuple(left_out))


def weight_far_off(ordered: int, weighed: int) -> bool:
    """Whether the scale's weight is off the approximate weight ordered by more than half of
    it (below 50 % or above 150 %): likely the wrong goods on the scale, so staff are asked
    before it is taken. Exactly half or one and a half times still passes."""
    return 2 * weighed < ordered or 2 * weighed > 3 * ordered


def grams_text(grams: int) -> str:
    """``1250`` → ``1,250 kg``; under a kilo ``350 g``."""
    if grams < 1000:
        return f"{grams} g"
    kilos, rest = divmod(grams, 1000)
    return f"{kilos},{rest:03d} kg"


def quantity_text(line: OrderedLine) -> str:
    """How much was ordered: ``3 ×`` or ``ca. 350 g``."""
    if line.unit is Unit.KG:
        return f"ca. {grams_text(line.quantity)}"
    return f"{line.quantity} ×"
