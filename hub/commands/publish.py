"""``tourkasse hub publish articles|tours``: data for every truck, versioned."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Not built yet: registers no command."""
