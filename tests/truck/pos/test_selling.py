"""The till's main flows through Textual's pilot, on real files and a real TSE."""

from __future__ import annotations

from tourkasse.journal import EntryKind
from tourkasse.receipt import Receipt
from truck.pos.screens.sale import SaleScreen
from truck.pos.screens.signon import SignOnScreen
from truck.store import journal

from .conftest import sign_on


def receipts(session) -> list[Receipt]:
    return [
        Receipt.from_dict(e.body["receipt"])
        for e in journal.entries(session.opened.db, kinds=(EntryKind.RECEIPT,))
    ]


async def test_sign_on_with_a_wrong_pin_is_refused_and_the_right_one_opens_the_sale(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SignOnScreen)
        await sign_on(pilot, "7", "9999")
        assert isinstance(app.screen, SignOnScreen)
        assert "falsch" in str(app.screen.query_one("#message").render())
        await sign_on(pilot, "7", "1234")
        assert isinstance(app.screen, SaleScreen)
        assert session.staff.name == "Anna"
        assert app.focused is app.screen.query_one("#entry")
    kinds = [e.kind for e in journal.entries(session.opened.db)]
    assert kinds == [EntryKind.STAFF_SIGN_ON]


async def test_a_scanned_sale_paid_in_cash_is_journaled_printed_and_shows_the_change(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"4006381001014", "enter")  # Landbrot, as a scanner types it
        await pilot.press(*"3*2001", "enter")  # three milk, by PLU with a multiplier
        await pilot.pause()
        screen = app.screen
        assert [line.text for line in session.basket_lines] == [
            "Landbrot 1000 g",
            "Frischmilch 3,5 % 1 l",
        ]
        assert screen.query_one("#total").value == "7,77"
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press(*"20", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert app.screen.query_one("#total").value == "12,23"  # the change, very large
        assert session.basket_lines == ()
        assert app.focused is app.screen.query_one("#entry")
    (sold,) = receipts(session)
    assert sold.total == 777 and sold.staff.name == "Anna" and sold.change == 1223
    printed = session.opened.config.printer.path.read_bytes()
    assert b"Landbrot" in printed and b"Anna" in printed
