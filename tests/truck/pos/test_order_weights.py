"""An ordered line by weight at the till: a weight far off the one ordered is asked about
(J takes it, N weighs again, Enter does not answer); each weighing dialog names the resident
and the article, in the order's line order across residents."""

from __future__ import annotations

import pytest

from tests.truck.orders_sample import VISIT, line, orders_download
from tourkasse.orders import VisitOrder
from truck.core.order_basket import weight_far_off
from truck.pos.screens.dialogs import Question
from truck.pos.screens.order_flow import WeighOrdered
from truck.pos.screens.sale import SaleScreen
from truck.store import downloads

from .conftest import sign_on
from .test_orders_pilot import arrive, message, open_orders, shown

GOUDA_500 = VisitOrder(
    "B-30",
    "gimte",
    VISIT,
    "heim-gimte",
    "",
    (line(1, "2101", "Gouda mittelalt", 500, 1690, "Frau Kühn", kg=True),),
)

TWO_RESIDENTS = VisitOrder(
    "B-31",
    "gimte",
    VISIT,
    "heim-gimte",
    "",
    (
        line(1, "2101", "Gouda mittelalt", 400, 1690, "Frau Kühn", kg=True),
        line(2, "1002", "Brötchen", 2, 45, "Herr Wiegand"),
        line(3, "2103", "Emmentaler", 200, 1990, "Herr Wiegand", kg=True),
        line(4, "2104", "Butterkäse", 300, 1390, "Frau Kühn", kg=True),
    ),
)


@pytest.mark.parametrize(
    ("weighed", "asked"),
    [(437, False), (250, False), (249, True), (750, False), (751, True), (1480, True)],
)
def test_more_than_half_off_the_ordered_weight_is_far_off(weighed, asked):
    ordered = 400 if weighed == 437 else 500
    assert weight_far_off(ordered, weighed) is asked


async def open_order(pilot, app, session, order: VisitOrder) -> None:
    downloads.receive(session.opened.db, orders_download(1, (order,)), clock=session.clock)
    arrive(session)
    await sign_on(pilot)
    await open_orders(pilot, app)
    await pilot.press("enter")
    await pilot.pause()


def lines(session) -> list[tuple[str, int, int]]:
    return [(line.text, line.quantity, line.total) for line in session.basket_lines]


async def test_a_weight_far_off_is_asked_and_n_weighs_the_line_again(app, session, scale):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_order(pilot, app, session, GOUDA_500)
        assert isinstance(app.screen, WeighOrdered)
        scale.place(1480)  # the wrong cheese on the scale
        await pilot.press("enter")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, Question)
        assert shown(question.query_one(".question")) == (
            "1480 g statt ca. 500 g bestellt – so übernehmen? J/N"
        )
        await pilot.press("enter")  # a reflex Enter does not answer
        await pilot.pause()
        assert app.screen is question
        await pilot.press("n")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, WeighOrdered)  # weigh this line again, nothing taken
        assert shown(again.query_one("#problem")) == (
            "1480 g nicht übernommen – bitte die bestellte Ware auflegen"
        )
        assert session.basket_lines == ()
        scale.place(512)  # the right cheese: within the band, no question
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert lines(session) == [("Gouda mittelalt", 512, 865)]
        assert message(app) == "Bestellung B-30 als Bon geöffnet"


async def test_j_takes_a_weight_far_off_as_weighed(app, session, scale):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_order(pilot, app, session, GOUDA_500)
        scale.place(1480)  # the resident really wants the whole piece
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Question)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, SaleScreen)
        assert lines(session) == [("Gouda mittelalt", 1480, 2501)]


async def test_each_weighing_names_the_resident_and_the_article(app, session, scale):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_order(pilot, app, session, TWO_RESIDENTS)
        seen = []
        for grams in (437, 205, 290):  # all within the band: nothing asked
            dialog = app.screen
            assert isinstance(dialog, WeighOrdered)
            seen.append((shown(dialog.query_one(".title")), shown(dialog.query_one("#ordered"))))
            scale.place(grams)
            await pilot.press("enter")
            await pilot.pause()
        assert seen == [
            (
                "Bestellung B-31: Gouda mittelalt",
                "für Frau Kühn: bestellt 400 g – bitte auf die Waage legen",
            ),
            (
                "Bestellung B-31: Emmentaler",
                "für Herr Wiegand: bestellt 200 g – bitte auf die Waage legen",
            ),
            (
                "Bestellung B-31: Butterkäse",
                "für Frau Kühn: bestellt 300 g – bitte auf die Waage legen",
            ),
        ]
        assert isinstance(app.screen, SaleScreen)
        assert [(text, grams) for text, grams, _ in lines(session)][1:] == [
            ("Gouda mittelalt", 437),
            ("Emmentaler", 205),
            ("Butterkäse", 290),
        ]
