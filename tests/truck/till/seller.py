"""A till process for the crash tests: sells five-line cash sales in a loop with the real code.

Runs in a forked child so that it can be killed with SIGKILL at any moment. It reports each
sale it considers done (committed) on a pipe, and can kill itself at a named step of the
commit to force the crash exactly there.
"""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path

from tourkasse.receipt import Receipt
from truck.core.basket import Basket
from truck.core.payment import settle
from truck.fiscal.software_tse import SoftwareTse
from truck.store import articles
from truck.store.database import open_database
from truck.till.till import Till

CLIENT_ID = "TK-T01-0001"
NOTE = "Testverkauf {}"


def wall_clock() -> datetime:
    return datetime.now(UTC)


def sale_of(db, index: int, basket: Basket | None = None) -> Receipt:
    """The five-line sale number ``index``; its amounts differ with the index."""
    basket = basket or Basket()
    fill(db, basket, index)
    tendered = ((basket.total // 5000) + 1) * 5000
    return basket.receipt(settle(basket.total, cash_tendered=tendered), note=NOTE.format(index))


def fill(db, basket: Basket, index: int) -> None:
    def article(number: str):
        found = articles.by_number(db, number)
        assert found is not None
        return found

    basket.add_article(article("1001"), 1 + index % 3)
    basket.add_article(article("2001"), 2)
    basket.add_article(article("5001"), 1 + index % 6, deposit=article("9001"))
    basket.add_article(article("6001"))


def expected_total(db, index: int) -> int:
    basket = Basket()
    fill(db, basket, index)
    return basket.total


def sell_until_killed(
    workdir: Path, report_fd: int, first_index: int, kill_at: str | None, kill_after: int
) -> None:
    db = open_database(workdir / "journal.sqlite")
    tse = SoftwareTse(workdir / "tse", clock=wall_clock, create=True)
    sold = 0

    def step(name: str) -> None:
        if name == kill_at and sold >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    till = Till(db, tse, truck="T01", client_id=CLIENT_ID, clock=wall_clock, step=step)
    os.write(report_fd, b"ready\n")
    index = first_index
    while True:
        opened = till.open_receipt()  # the TSE transaction starts with the first line
        receipt = sale_of(db, index)
        till.complete(opened, receipt)
        os.write(report_fd, f"done {index}\n".encode())
        sold += 1
        index += 1
