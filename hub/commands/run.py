"""``tourkasse hub serve|ingest|web``: running the hub's processes."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Not built yet: registers no command."""
