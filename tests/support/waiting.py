"""Waiting for something another process does: poll with a deadline, say what never came."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T], *, timeout: float, what: str, every: float = 0.05) -> T:
    """Call ``check`` until it returns something truthy; AssertionError naming ``what`` after
    ``timeout`` seconds. There is nothing to await across a process boundary (a database row,
    a broker's state), so this polls — with a deadline, never a fixed sleep."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    last: T = check()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"nach {timeout} s nicht eingetreten: {what} (zuletzt {last!r})")
        pause.wait(every)
        last = check()
    return last
