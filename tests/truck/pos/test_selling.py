"""The till's main flows through Textual's pilot, on real files and a real TSE."""

from __future__ import annotations

from tourkasse.journal import EntryKind
from tourkasse.receipt import BonType, Receipt
from truck.pos.screens.sale import SaleScreen
from truck.pos.screens.signon import SignOnScreen
from truck.store import journal

from .conftest import scan, sign_on, type_slowly


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


async def test_card_and_mixed_payment_with_the_terminals_confirmation(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"5006", "enter")  # coffee 6,49
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("f10", "j")  # card, confirmed on the terminal
        await pilot.pause()
        await pilot.press(*"4006381001014", "enter")  # bread 4,20
        await pilot.press(*"5006", "enter")  # coffee 6,49: 10,69 in all
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press(*"5", "f11", "j")  # five euros by card ...
        await pilot.pause()
        await pilot.press(*"10", "enter")  # ... the rest, 5,69, in cash from ten
        await pilot.pause()
        assert app.screen.query_one("#total").value == "4,31"
    card, mixed = receipts(session)
    assert [(p.method.value, p.amount) for p in card.payments] == [("card", 649)]
    assert [(p.method.value, p.amount, p.tendered) for p in mixed.payments] == [
        ("card", 500, None),
        ("cash", 569, 1000),
    ]


async def test_a_receipt_is_parked_and_resumed_while_a_scan_arrives(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"4006381001014", "enter")  # first customer: bread
        await pilot.press("f8")  # park it
        await pilot.pause()
        assert session.basket_lines == () and len(session.parked) == 1
        await pilot.press(*"5006", "enter")  # second customer: coffee
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("f9")  # exact cash
        await pilot.pause()
        await pilot.press("f8")  # the list of parked receipts
        await pilot.pause()
        await scan(pilot, "4006382001013")  # a scan while the list is open: milk
        await pilot.pause()
        await pilot.press("enter")  # resume the first customer's receipt
        await pilot.pause()
        await pilot.pause()
        texts = [line.text for line in session.basket_lines]
        assert texts == ["Landbrot 1000 g", "Frischmilch 3,5 % 1 l"]
        assert session.parked == []


async def test_a_scan_during_a_dialog_is_not_typed_into_its_field(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"4006381001014", "enter")
        await pilot.press("f5")  # price change dialog for the bread
        await pilot.pause()
        await scan(pilot, "4006382001013")  # the scanner fires: milk
        await pilot.pause()
        field = app.screen.query_one("#field-0")
        assert field.value == ""  # not typed into the price field
        await type_slowly(pilot, "3,50")
        await pilot.press("enter")
        await type_slowly(pilot, "vom Vortag")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        lines = session.basket_lines
        assert [line.text for line in lines] == ["Landbrot 1000 g", "Frischmilch 3,5 % 1 l"]
        assert lines[0].unit_price == 350 and lines[0].override.reason == "vom Vortag"


async def test_loose_goods_are_weighed_and_an_age_limit_is_asked(app, session, scale):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        scale.place(347)
        await pilot.press(*"2101", "enter")  # Gouda by PLU goes on the scale
        await pilot.pause()
        (cheese,) = session.basket_lines
        assert (cheese.quantity, cheese.total) == (347, 586)  # the scale's price
        await pilot.press(*"5005", "enter")  # Korn, 18+
        await pilot.pause()
        await pilot.press("n")  # the buyer is not old enough
        await pilot.pause()
        assert [line.text for line in session.basket_lines] == [cheese.text]
        assert "Altersgrenze" in str(app.screen.query_one("#message").render())


async def test_training_receipts_are_marked_and_never_turnover(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")  # training on
        await sign_on(pilot, "9", "4321")
        assert "TRAINING" in str(app.screen.query_one("#header").render())
        await pilot.press(*"1002", "enter", "f10")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
    (training,) = receipts(session)
    assert training.bon_type is BonType.TRAINING
    assert session.opened.till.figures().turnover == 0
    assert b"TRAININGSBON" in session.opened.config.printer.path.read_bytes()


async def test_abort_keeps_the_lines_as_an_aborted_receipt(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"1002", "enter", "f9", "j")
        await pilot.pause()
        assert session.basket_lines == ()
    (aborted,) = receipts(session)
    assert aborted.bon_type is BonType.ABORTED and aborted.lines[0].text == "Brötchen"


async def test_codes_scanned_in_quick_succession_each_become_a_line(app, session):
    """A scanner sends a code and Enter in one go; the next code may follow at once."""
    from textual import events

    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        driver = app._driver
        for code in ("4006381001014", "4006385001010", "4006382001013"):
            for character in code:
                driver.send_message(events.Key(character, character))
            driver.send_message(events.Key("enter", "\r"))
        await pilot.pause()
        await pilot.pause()
        texts = [line.text for line in session.basket_lines]
        assert texts == [
            "Landbrot 1000 g",
            "Mineralwasser 1,0 l",
            "Pfand Einweg",
            "Frischmilch 3,5 % 1 l",
        ]


async def test_a_reflex_enter_answers_no_question(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"5005", "enter")  # Korn, 18+: the till asks
        await pilot.pause()
        asked = app.screen
        await pilot.press("enter")  # the next customer's habit, not an answer
        await pilot.pause()
        assert app.screen is asked  # still asking: spirits are not sold by a reflex
        await pilot.press("n")
        await pilot.pause()
        assert not session.basket_lines
        await pilot.press(*"1002", "enter", "f9")  # abort the receipt? asked
        await pilot.pause()
        asked = app.screen
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is asked and len(session.basket_lines) == 1  # not aborted
