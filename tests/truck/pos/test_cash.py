"""Cash at the till: opening float, a pay-out, the X report, the daily closing, signing off."""

from __future__ import annotations

from tourkasse.journal import EntryKind
from truck.pos.screens.signon import SignOnScreen
from truck.store import journal

from .conftest import sign_on, type_slowly


async def menu(pilot, item: int) -> None:
    await pilot.press("f12")
    await pilot.pause()
    await pilot.press(*(["down"] * item), "enter")
    await pilot.pause()


async def test_a_day_of_cash_from_float_to_closing(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await menu(pilot, 0)  # opening float
        await type_slowly(pilot, "100")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"5006", "enter", "f10")  # coffee 6,49
        await pilot.pause()
        await pilot.press("f7")  # 20 € note
        await pilot.pause()
        await menu(pilot, 1)  # a cash movement
        await pilot.press("down", "enter")  # Auszahlung
        await pilot.pause()
        await type_slowly(pilot, "5")
        await pilot.press("enter")
        await type_slowly(pilot, "Eier Hof Meyer")
        await pilot.press("enter")
        await pilot.pause()
        await menu(pilot, 2)  # X report
        report = str(app.screen.query_one(".receipt").render())
        assert "Bargeld (Soll): 101,49 €" in report
        await pilot.press("escape")
        await pilot.pause()
        await menu(pilot, 3)  # daily closing: one 100 € note, one 1 € and one 50 cent coin
        # the fields run 500 €, 200 €, 100 €, 50 €, 20 €, 10 €, 5 €, 2 €, 1 €, 0,50 €, …
        for index in range(15):
            if index in (2, 8, 9):
                await type_slowly(pilot, "1")
            await pilot.press("enter")
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        assert "Differenz 0,01 €" in str(app.screen.query_one("#message").render())
        await menu(pilot, 9)  # sign off
        assert isinstance(app.screen, SignOnScreen)
    kinds = [e.kind for e in journal.entries(session.opened.db)]
    assert kinds.count(EntryKind.DAILY_CLOSING) == 1
    closing = journal.last_of(session.opened.db, EntryKind.DAILY_CLOSING)
    assert closing.body["expected_cash"] == 10149
    assert closing.body["counted"] == 10150
    assert b"Tagesabschluss (Z) Nr. 1" in session.opened.config.printer.path.read_bytes()
    assert kinds[-1] is EntryKind.STAFF_SIGN_OFF
