"""Keys and scans that arrive at awkward moments must not skip a check or book a sale."""

from __future__ import annotations

from datetime import timedelta

from textual import events

from tourkasse.journal import EntryKind
from truck.pos.screens.dialogs import Question
from truck.pos.screens.payment import PaymentScreen
from truck.store import journal

from .conftest import sign_on, type_slowly


def booked(session) -> int:
    return len(list(journal.entries(session.opened.db, kinds=(EntryKind.RECEIPT,))))


def burst(app, keys: list[str]) -> None:
    """Keys as they arrive from a fast device: all at once, nothing waits in between."""
    for key in keys:
        app._driver.send_message(events.Key(key, key if len(key) == 1 else None))


async def test_the_age_question_cannot_be_skipped_by_paying_at_once(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        burst(app, [*"5005", "enter", "f10"])  # Korn (18+), and F10 right after
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, Question)
        await pilot.press("n")
        await pilot.pause()
        assert session.basket_lines == ()
        assert not isinstance(app.screen, PaymentScreen)
    assert booked(session) == 0


async def test_pay_pressed_twice_opens_one_payment(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"1002", "enter")
        burst(app, ["f10", "f10"])
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        await pilot.press("f9")
        await pilot.pause()
        assert not isinstance(app.screen, PaymentScreen)
    assert booked(session) == 1


async def test_a_scan_that_straddles_opening_the_payment_books_nothing(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"5006", "enter")
        burst(app, ["f10", *"4006381001014", "enter"])  # the scanner fires as F10 is pressed
        await pilot.pause()
        await pilot.pause()
        assert booked(session) == 0
        assert isinstance(app.screen, PaymentScreen)
        assert app.screen.query_one("#tendered").value == ""
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        texts = [line.text for line in session.basket_lines]
        assert texts == ["Kaffee gemahlen 500 g", "Landbrot 1000 g"]  # the scan is not lost
        assert app.screen.query_one("#entry").value == ""


async def test_a_confirmed_card_part_cannot_be_walked_away_from(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"5006", "enter", "f10")  # 6,49
        await pilot.pause()
        await type_slowly(pilot, "5")
        await pilot.press("f11", "j")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        assert "schon bezahlt" in str(app.screen.query_one("#pay-message").render())
        await pilot.press("f9")  # the rest, exactly, in cash
        await pilot.pause()
    (entry,) = journal.entries(session.opened.db, kinds=(EntryKind.RECEIPT,))
    payments = entry.body["receipt"]["payments"]
    assert [(p["method"], p["amount"]) for p in payments] == [("card", 500), ("cash", 149)]


async def test_training_cannot_move_real_cash_and_a_wrong_clock_can_be_confirmed(
    app, session, pos_clock
):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await sign_on(pilot, "9", "4321")
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press("enter")  # opening float
        await pilot.pause()
        assert "Im Training nicht möglich" in str(app.screen.query_one("#message").render())
    assert session.opened.till.figures().opening_float == 0
    session.sign_off()

    pos_clock.set(pos_clock.now - timedelta(hours=2))
    app2 = type(app)(session)
    async with app2.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)  # signing on itself is refused: the clock is behind
        assert "Die Uhr der Kasse geht nach" in str(app2.screen.query_one("#message").render())
        await pilot.press("f9")  # Anna knows the time is right
        await pilot.pause()
        await type_slowly(pilot, "Funkuhr")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app2.screen.__class__.__name__ == "SaleScreen"
    kinds = [e.kind for e in journal.entries(session.opened.db)]
    assert kinds[-2:] == [EntryKind.CLOCK_OVERRIDE, EntryKind.STAFF_SIGN_ON]


async def test_a_refused_cash_amount_is_cleared_before_the_next_one(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"1003", "enter", "f10")  # Butterkuchen 1,80
        await pilot.pause()
        await type_slowly(pilot, "1")
        await pilot.press("enter")  # too little
        await pilot.pause()
        await type_slowly(pilot, "10")
        await pilot.press("enter")
        await pilot.pause()
    (entry,) = journal.entries(session.opened.db, kinds=(EntryKind.RECEIPT,))
    assert entry.body["receipt"]["payments"][0]["tendered"] == 1000  # not 110,00 €


async def test_quitting_with_an_open_receipt_asks_first(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"1003", "enter")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, Question)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and len(session.basket_lines) == 1


async def test_a_drink_brought_back_returns_its_deposit_too(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press("f7")
        await pilot.pause()
        await type_slowly(pilot, "2*4006385001010")
        await pilot.press("enter")
        await pilot.pause()
        assert session.total == -2 * (69 + 25)
