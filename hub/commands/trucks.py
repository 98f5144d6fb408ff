"""``tourkasse hub truck add``: a truck's login at the broker."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Not built yet: registers no command."""
