"""More of the sale screen's flows: keys, search, discounts, empties, allergens, English."""

from __future__ import annotations

from tourkasse.journal import EntryKind
from tourkasse.receipt import LineKind, Receipt
from truck.pos.app import TillApp
from truck.store import journal

from .conftest import sign_on, type_slowly


def last_receipt(session) -> Receipt:
    entry = journal.last_of(session.opened.db, EntryKind.RECEIPT)
    return Receipt.from_dict(entry.body["receipt"])


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def test_department_key_search_discount_and_allergens(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"F7=2,50", "enter")  # a department key with its price
        await pilot.pause()
        await type_slowly(pilot, "kaffee")  # a word searches
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # the search field, as typed
        await pilot.pause()
        await pilot.press("enter")  # the first hit
        await pilot.pause()
        texts = [line.text for line in session.basket_lines]
        assert texts[0] == "Lebensmittel 7 %" and "Kaffee" in texts[1]
        await pilot.press("f6")  # discount on the selected (last) line
        await pilot.pause()
        await type_slowly(pilot, "10%")
        await pilot.press("enter")
        await pilot.pause()
        coffee = session.basket_lines[1]
        assert coffee.discount == (coffee.unit_price * 10 + 50) // 100
        await pilot.press("f11")  # allergens of the selected line
        assert "Kaffee" in message(app)
        await pilot.press("up", "f4")  # the arrows choose a line: void the department line
        await pilot.pause()
        assert [line.text for line in session.basket_lines] == [coffee.text]


async def test_empties_on_their_own_are_paid_out(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press("f7")
        await pilot.pause()
        await type_slowly(pilot, "2x9010")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        await type_slowly(pilot, "2002")  # a butter brought back
        await pilot.press("enter")
        await pilot.pause()
        assert session.total == -(2 * 150 + 249)
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("j")  # pay out in cash
        await pilot.pause()
    receipt = last_receipt(session)
    assert [line.kind for line in receipt.lines] == [LineKind.DEPOSIT_RETURN, LineKind.RETURN]
    assert receipt.payments[0].amount == -549


async def test_the_till_speaks_english_by_configuration(session):
    app = TillApp(session, language="en")
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Staff number" in str(app.screen.query_one("Label").render())
        await sign_on(pilot)
        keys = " ".join(str(cell.render()) for cell in app.screen.query(".key"))
        assert "Pay" in keys and "Search" in keys and "Bezahlen" not in keys
    app_de = TillApp(session, language="de")
    async with app_de.run_test(size=(80, 24)):
        assert "Personalnummer" in str(app_de.screen.query_one("Label").render())


async def test_a_clock_behind_the_journal_stops_selling_with_a_message_not_a_crash(
    app, session, pos_clock
):
    from datetime import timedelta

    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        pos_clock.set(pos_clock.now - timedelta(hours=5))  # the Pi's clock lost its time
        await pilot.press(*"1002", "enter")
        await pilot.pause()
        assert "Die Uhr der Kasse geht nach" in message(app)
        assert app.is_running
        assert session.basket_lines == ()


async def test_a_tap_on_a_key_cell_does_what_the_key_does(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"1002", "enter")
        cell = next(c for c in app.screen.query(".key") if "Bezahlen" in str(c.render()))
        await pilot.click(cell)
        await pilot.pause()
        assert app.screen.__class__.__name__ == "PaymentScreen"


async def test_department_key_by_f1_and_a_crate_deposit_on_its_own(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press("f1")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.__class__.__name__ == "Choose"
        await pilot.press("enter")  # the first key in the list: F19, Non-Food 19 %
        await pilot.pause()
        await type_slowly(pilot, "2*3,99")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"9010", "enter")  # a crate's deposit (Kastenpfand) on its own
        await pilot.pause()
        lines = session.basket_lines
        assert (lines[0].text, lines[0].quantity, lines[0].total) == ("Non-Food 19 %", 2, 798)
        assert (lines[1].kind, lines[1].total) == (LineKind.DEPOSIT, 150)
