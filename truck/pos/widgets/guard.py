"""Nothing crashes the till: an action that fails says why on the screen and the till goes on.

Expected refusals (a bad code, too little cash, a clock behind the journal) carry their own
German message. Anything unexpected is logged in full and shown briefly; the journal's
transactions make sure no sale is left half written.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from textual.dom import DOMNode

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("tourkasse.pos")


def _expected() -> tuple[type[BaseException], ...]:
    """Errors whose text is already meant for the sales staff (imported late: no cycles)."""
    from truck.core.basket import BasketError
    from truck.core.payment import PaymentError
    from truck.fiscal.tse import TseError
    from truck.pos.session import SessionError
    from truck.store.database import StoreError
    from truck.store.journal import ClockBehindJournal
    from truck.till.counter import CounterError
    from truck.till.signing import CommitRefused
    from truck.till.till import TillError

    return (
        SessionError,
        CounterError,
        BasketError,
        PaymentError,
        TillError,
        TseError,
        ClockBehindJournal,
        CommitRefused,
        StoreError,
        ValueError,
    )


def report(node: DOMNode, exc: Exception) -> None:
    if isinstance(exc, _expected()):
        text = str(exc)
    else:
        log.exception("unexpected error in the till", exc_info=exc)
        text = f"Unerwarteter Fehler ({type(exc).__name__}: {exc}) – bitte den letzten Bon prüfen"
    screen = node.app.screen if node.is_attached else None
    refresh = getattr(screen, "refresh_all", None)
    if callable(refresh):
        refresh()  # a failed action may have changed a device's state in the status line
    say = getattr(screen, "say", None)
    if callable(say):
        say(text, error=True)
    else:
        node.app.notify(text, severity="error", timeout=8)
    node.app.bell()


def guarded(method: F) -> F:
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def run_async(self: DOMNode, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except Exception as exc:
                report(self, exc)
                return None

        return run_async  # type: ignore[return-value]

    @functools.wraps(method)
    def run(self: DOMNode, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            report(self, exc)
            return None

    return run  # type: ignore[return-value]
