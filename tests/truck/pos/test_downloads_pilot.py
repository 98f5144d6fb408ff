"""A new article list from the hub reaches the till only between receipts (the real app, driven
by its pilot, on real files; the agent's side writes through its own database connection)."""

from __future__ import annotations

import time

from tests.conftest import EXAMPLE_ARTICLES
from tourkasse.journal import EntryKind
from tourkasse.protocol import Download
from tourkasse.receipt import Receipt
from truck.store import articles, downloads, journal
from truck.store.database import open_database

from .conftest import scan, sign_on

BREAD = "4006381001014"  # Landbrot 1000 g, 4,20 in the example list
DEARER_BREAD = EXAMPLE_ARTICLES.read_text(encoding="utf-8").replace(
    'price = "4,20"', 'price = "4,50"'
)


def arrives(session, version: int = 4) -> str:
    """What the agent does when the hub's download comes in: its own process, its own connection."""
    agent_db = open_database(session.opened.config.paths.journal)
    try:
        download = Download("articles", version, "2026-11-24T06:00:00+00:00", DEARER_BREAD)
        return downloads.receive(agent_db, download, clock=session.clock)
    finally:
        agent_db.close()


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


def receipts(session) -> list[Receipt]:
    return [
        Receipt.from_dict(e.body["receipt"])
        for e in journal.entries(session.opened.db, kinds=(EntryKind.RECEIPT,))
    ]


async def until(pilot, condition, seconds: float = 5.0) -> None:
    """Let the app run until ``condition()`` holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


async def test_a_new_price_waits_until_the_open_receipt_is_paid(app, session):
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_on(pilot)
        await scan(pilot, BREAD)
        assert "erhalten" in arrives(session)
        app.screen.refresh_place()  # the periodic refresh, while the receipt is open
        await pilot.pause()
        await scan(pilot, BREAD)  # scanned after the download came: still the old price
        assert [line.total for line in session.basket_lines] == [420, 420]
        assert app.screen.query_one("#total").value == "8,40"
        assert "Artikelliste" not in message(app)
        assert articles.by_number(session.opened.db, "1001").price == 420
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("f9")  # paid exactly
        await pilot.pause()
        count = articles.count(session.opened.db)
        assert message(app) == (
            f"Bon 1 bezahlt  –  Neue Artikelliste übernommen (Version 4, {count} Artikel)"
        )
        await scan(pilot, BREAD)  # the next receipt: the new price
        assert [line.total for line in session.basket_lines] == [450]
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
    first, second = receipts(session)
    assert [line.unit_price for line in first.lines] == [420, 420] and first.total == 840
    assert [line.unit_price for line in second.lines] == [450] and second.total == 450
    assert downloads.applied(session.opened.db, "articles").version == 4


async def test_between_receipts_the_periodic_refresh_takes_it_over(app, session):
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_on(pilot)
        arrives(session, version=2)
        # nothing is rung up: the screen's own refresh (every couple of seconds) applies it
        await until(pilot, lambda: "Neue Artikelliste übernommen (Version 2" in message(app))
        await scan(pilot, BREAD)
        assert [line.total for line in session.basket_lines] == [450]


async def test_a_parked_receipt_keeps_the_old_prices_until_it_is_paid(app, session):
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_on(pilot)
        await scan(pilot, BREAD)
        await pilot.press("f8")  # parked: the receipt is still open
        await pilot.pause()
        arrives(session)
        app.screen.refresh_place()
        await pilot.pause()
        assert downloads.pending(session.opened.db, "articles").version == 4
        await pilot.press("f8", "enter")  # take it back up
        await pilot.pause()
        await scan(pilot, BREAD)
        assert [line.total for line in session.basket_lines] == [420, 420]
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert "Neue Artikelliste übernommen (Version 4" in message(app)
    assert downloads.pending(session.opened.db, "articles") is None
