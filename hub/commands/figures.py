"""``tourkasse hub rebuild|report|problems``: figures from the journals, and what was refused."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Not built yet: registers no command."""
