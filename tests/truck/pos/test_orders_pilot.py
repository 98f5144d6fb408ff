"""Orders at the till (the real app, driven by its pilot, on real files): the stop's orders,
an order opened as the receipt with its cheese weighed on a Dialog 06 scale over a pty, paid
like any sale; "nicht abgeholt"; an article gone from the list; an aborted receipt; names with
markup shown as typed."""

from __future__ import annotations

from tests.truck.orders_sample import BROKEN_MARKUP, MARKUP_NAME, orders_download
from tourkasse.journal import EntryKind
from tourkasse.receipt import Receipt
from truck.devices.scale.dialog06_simulator import Dialog06Simulator
from truck.pos.app import TillApp
from truck.pos.screens.dialogs import Question
from truck.pos.screens.order_flow import WeighOrdered
from truck.pos.screens.orders import OrdersScreen
from truck.pos.screens.sale import SaleScreen
from truck.store import downloads, journal, stops
from truck.store import orders as order_store

from .conftest import make_session, sign_on
from .test_dialog06_scale import scale_config


def deliver(session) -> None:
    """What the agent does when the hub's orders come in."""
    downloads.receive(session.opened.db, orders_download(1), clock=session.clock)


def arrive(session, stop: str = "gimte", name: str = "Gimte, Dorfgemeinschaftshaus") -> None:
    stops.record(
        session.opened.db,
        truck="T01",
        kind=EntryKind.STOP_ARRIVAL,
        body={"stop": stop, "name": name},
        clock=session.clock,
    )


def shown(widget) -> str:
    return str(widget.render())


def message(app) -> str:
    sale = next(screen for screen in app.screen_stack if isinstance(screen, SaleScreen))
    return shown(sale.query_one("#message"))


def header(app) -> str:
    sale = next(screen for screen in app.screen_stack if isinstance(screen, SaleScreen))
    return shown(sale.query_one("#header"))


def state(session, number: str) -> str:
    return order_store.find(session.opened.db, number).state.value


async def open_orders(pilot, app) -> OrdersScreen:
    await pilot.press("ctrl+b")
    await pilot.pause()
    assert isinstance(app.screen, OrdersScreen), message(app)
    return app.screen


async def test_an_order_opened_weighed_on_the_scale_and_paid_is_collected(tmp_path, pos_clock):
    with Dialog06Simulator() as scale:
        session = make_session(
            scale_config(tmp_path, "dialog06", scale.device), pos_clock, scale_from_config=True
        )
        app = TillApp(session)
        try:
            deliver(session)
            arrive(session)
            async with app.run_test(size=(100, 30)) as pilot:
                await sign_on(pilot)
                await pilot.pause()
                app.screen.refresh_header()
                assert "2 Bestellung(en) offen: Strg+B" in header(app)

                view = await open_orders(pilot, app)
                title = shown(view.query_one("#orders-title"))
                assert title == "Bestellungen – Gimte, Dorfgemeinschaftshaus, 24.11.2026"
                detail = shown(view.query_one("#order-detail"))
                # names and notes exactly as the customers typed them, markup and all
                assert f"{MARKUP_NAME}:" in detail and f"{BROKEN_MARKUP}:" in detail
                assert "Notiz: Bitte [klingeln]" in detail
                assert "ca. 350 g  Gouda mittelalt" in detail
                await pilot.press("enter")  # B-17, the first: open it as the receipt
                await pilot.pause()

                weigh = app.screen
                assert isinstance(weigh, WeighOrdered)
                ordered = shown(weigh.query_one("#ordered"))
                assert ordered == f"für {MARKUP_NAME}: bestellt 350 g – bitte auf die Waage legen"
                scale.weight = 372  # a little more than ordered: the scale's weight counts
                scale.statuses.append("32")  # but first the scale says overload
                await pilot.press("enter")
                await pilot.pause()
                again = app.screen
                assert isinstance(again, WeighOrdered)  # asked again, nothing entered yet
                assert "Überlast" in shown(again.query_one("#problem"))
                assert [line.text for line in session.basket_lines][-1] == "Pfand Einweg"
                await pilot.press("enter")
                await pilot.pause()
                assert isinstance(app.screen, SaleScreen)
                lines = [(line.text, line.quantity, line.total) for line in session.basket_lines]
                assert lines == [
                    ("Brötchen", 4, 180),
                    ("Mineralwasser 1,0 l", 2, 138),
                    ("Pfand Einweg", 2, 50),
                    ("Gouda mittelalt", 372, 629),  # 16,90 €/kg × 0,372 kg, by the scale
                ]
                assert message(app) == "Bestellung B-17 als Bon geöffnet"
                assert "Bestellung B-17" in header(app)

                await pilot.press("f10")
                await pilot.pause()
                await pilot.press("f9")  # paid exactly, cash
                await pilot.pause()
                assert message(app).startswith("Bon 1 bezahlt")

                view = await open_orders(pilot, app)
                assert "abgeholt" in shown(view.query_one("#order-detail"))
                await pilot.press("enter")  # try to hand B-17 over a second time
                await pilot.pause()
                assert "Bestellung B-17 ist schon abgeholt (Bon 1)" in message(app)
                assert session.basket_lines == ()
            entry = journal.last_of(session.opened.db, EntryKind.RECEIPT)
            receipt = Receipt.from_dict(entry.body["receipt"])
            assert receipt.order == "B-17" and receipt.stop == "gimte"
            assert receipt.total == 180 + 138 + 50 + 629
            assert receipt.lines[-1].weighing is not None
            assert state(session, "B-17") == "abgeholt"
        finally:
            session.opened.close()


async def test_not_collected_writes_its_entry_and_the_order_cannot_be_opened(app, session):
    deliver(session)
    arrive(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_on(pilot)
        await open_orders(pilot, app)
        await pilot.press("down")  # B-18
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, Question)
        await pilot.press("j")
        await pilot.pause()
        assert message(app) == "Bestellung B-18: nicht abgeholt – im Journal vermerkt"
        await open_orders(pilot, app)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert "schon als „nicht abgeholt“ vermerkt" in message(app)
    entry = journal.last_of(session.opened.db, EntryKind.ORDER_NOT_COLLECTED)
    assert entry.body == {"order": "B-18", "stop": "gimte", "visit": "2026-11-24"}
    assert state(session, "B-18") == "nicht abgeholt"
    assert state(session, "B-17") == "offen"


async def test_an_article_gone_from_the_list_is_left_out_and_named(app, session):
    deliver(session)
    arrive(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_on(pilot)
        await open_orders(pilot, app)
        await pilot.press("down", "enter")  # B-18: its first article is no longer sold
        await pilot.pause()
        assert [line.text for line in session.basket_lines] == ["Landbrot 1000 g"]
        assert message(app) == (
            "Bestellung B-18 als Bon geöffnet  –  nicht im Bon: "
            "Sonderbrot vom Vorjahr: nicht mehr in der Artikelliste"
        )
        await pilot.press("f9", "j")  # the customer leaves: aborted, not collected
        await pilot.pause()
        assert session.basket_lines == ()
    assert state(session, "B-18") == "offen"
    aborted = Receipt.from_dict(
        journal.last_of(session.opened.db, EntryKind.RECEIPT).body["receipt"]
    )
    assert aborted.order is None


async def test_on_the_road_the_whole_days_picking_list_per_stop(app, session, scale):
    deliver(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_on(pilot)
        await pilot.press("f12")  # also in the menu, as its last item
        await pilot.pause()
        await pilot.press(*(["down"] * 11), "enter")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, OrdersScreen), message(app)
        assert shown(view.query_one("#orders-title")) == "Packliste 24.11.2026 – alle Halte"
        listing = view.query_one("#orders-list")
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert [p.split()[0] for p in prompts] == ["—", "B-17", "B-18", "—", "B-19"]
        assert "Gimte" in prompts[0] and "Hemeln" in prompts[3]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)


async def test_a_parked_order_is_not_opened_twice_and_paid_later_names_its_order(app, session):
    deliver(session)
    arrive(session, "hemeln", "Hemeln, Dorfplatz an der Weser")
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_on(pilot)
        await open_orders(pilot, app)
        await pilot.press("enter")  # B-19: two loaves
        await pilot.pause()
        assert [line.quantity for line in session.basket_lines] == [2]
        await pilot.press("f8")  # parked: Herr Wiegand fetches his purse
        await pilot.pause()
        await open_orders(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        assert message(app) == "Bestellung B-19 ist schon als Bon offen (oder geparkt)"
        await pilot.press("f8", "enter")  # resumed
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
    receipt = Receipt.from_dict(
        journal.last_of(session.opened.db, EntryKind.RECEIPT).body["receipt"]
    )
    assert (receipt.order, receipt.stop, receipt.total) == ("B-19", "hemeln", 840)
    assert state(session, "B-19") == "abgeholt"
