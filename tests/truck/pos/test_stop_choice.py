"""Staff set the stop by hand when GPS is out: F12 → "Halt wählen"; the header and the next
receipt follow, and the journal says who set it."""

from __future__ import annotations

from tourkasse.journal import EntryKind
from truck.store import journal

from .conftest import scan, sign_on
from .test_cash import menu

STOP_ITEM = 10  # the last entry of the F12 menu


async def test_choosing_the_stop_by_hand(app, session):
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_on(pilot)
        header = app.screen.query_one("#header")
        assert "◆ unterwegs" in str(header.render())
        await menu(pilot, STOP_ITEM)
        # the list: "unterwegs", then the stops of Tuesday's tour in driving order
        await pilot.press("down", "down", "enter")  # Volkmarshausen
        await pilot.pause()
        assert "◆ Volkmarshausen, Ortsmitte (von Hand)" in str(header.render())
        await scan(pilot, "4006381001014")
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("f9")  # paid exactly
        await pilot.pause()
    assert session.last_done.receipt.stop == "volkmarshausen"
    chosen = list(journal.entries(session.opened.db, kinds=(EntryKind.STOP_CHOSEN,)))
    assert [(e.body["stop"], e.body["staff"]["number"]) for e in chosen] == [
        ("volkmarshausen", "7")
    ]
