"""One dialog at a time on the sale screen.

A dialog action (search, payment, a price, …) runs only when no other dialog is open or opening;
when it ends, scans that arrived meanwhile are rung up.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any


def one_dialog(*, already_open: bool = False):
    """Run a dialog action only when no other dialog is open or opening on the sale screen.

    ``already_open``: the caller has set ``in_dialog`` itself, at once, so that no payment can
    open before this dialog is up (the age question).
    """

    def wrap(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(method)
        async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            if (self.in_dialog and not already_open) or self.app.screen is not self:
                return None
            self.in_dialog = True
            try:
                return await method(self, *args, **kwargs)
            finally:
                self.in_dialog = False
                self.app.call_later(self.app.ring_up_kept_scans)

        return run

    return wrap
