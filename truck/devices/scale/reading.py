"""What a price-computing scale answers, and how it fails, as the till sees any scale."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScaleReading:
    """A settled weighing: the scale's own price for it (legal-for-trade)."""

    grams: int
    unit_price: int  # cents per kg, as the till sent it
    total: int | None  # cents, computed by the scale; None from a weight-only scale


class ScaleError(Exception):
    """The scale could not weigh; str() is a German message for the sales staff."""


class ScaleUnavailable(ScaleError):
    """The scale does not answer at all (unplugged, switched off): a device fault."""
