"""A simulated price-computing scale, for the demo and the tests (not a real device).

It behaves like a Dialog 06 scale seen from the till: the till sends the unit price, the
scale answers with weight and the price it computed. What lies on it is set by the caller
(``place``); unplugging it is ``connected = False``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from truck.devices.scale.reading import ScaleError, ScaleReading, ScaleUnavailable

# Plausible loads at a counter, in grams, used when nobody placed anything in particular.
DEMO_WEIGHTS = (347, 1250, 512, 186, 2034, 733, 95, 1480)


class SimulatedScale:
    description = "Waage (Simulation)"

    def __init__(self, weights: Iterable[int] | None = None) -> None:
        self._cycle = itertools.cycle(tuple(weights) if weights is not None else DEMO_WEIGHTS)
        self._placed: int | None = None
        self.connected = True

    def place(self, grams: int) -> None:
        """Put goods of ``grams`` on the scale (0 takes them off)."""
        self._placed = grams

    def weigh(self, unit_price: int) -> ScaleReading:
        if not self.connected:
            raise ScaleUnavailable("Waage nicht verbunden")
        grams = self._placed if self._placed is not None else next(self._cycle)
        self._placed = None
        if grams <= 0:
            raise ScaleError("Unter Mindestlast – bitte Ware auflegen")
        if grams > 15_000:
            raise ScaleError("Überlast")
        return ScaleReading(grams, unit_price, _price(grams, unit_price))


def _price(grams: int, unit_price: int) -> int:
    # Commercial rounding, as the scale does it: half a cent rounds up.
    return (grams * unit_price + 500) // 1000
