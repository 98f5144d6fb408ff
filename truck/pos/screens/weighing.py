"""Weighing on the sale screen: F3, the loose-goods buttons, and weighing again.

A mixin of the sale screen (it uses its session, input line, message line and ``added``).
Nothing enters the basket until the scale reports a settled weighing.
"""

from __future__ import annotations

from textual import work

from truck.pos.screens.dialogs import WeighAgain
from truck.pos.screens.one_dialog import one_dialog
from truck.pos.session import WeighingRefused
from truck.pos.texts import t
from truck.pos.widgets.entry_line import EntryLine
from truck.pos.widgets.guard import guarded


class Weighing:
    """F3 and the loose-goods buttons of the sale screen."""

    @guarded
    def action_weigh(self) -> None:
        if self.in_dialog:
            return
        entry = self.query_one("#entry", EntryLine)
        number, entry.value = entry.value.strip(), ""
        if not number:
            self.say(t("sale.input"), error=True)
            return
        self.weigh(number)

    @guarded
    def weigh(self, number: str) -> None:
        try:
            line = self.session.weigh(number)
        except WeighingRefused as refused:
            self.offer_weighing_again(refused)
            return
        self.added(line)

    @work
    @guarded
    @one_dialog()
    async def offer_weighing_again(self, refused: WeighingRefused) -> None:
        """The scale weighed nothing: say what it said and weigh again when asked to.

        Nothing enters the basket until the scale reports a settled weighing.
        """
        self.say(str(refused), error=True)
        while True:
            if not await self.app.push_screen_wait(WeighAgain(str(refused))):
                self.say(t("weigh.cancelled"), error=True)
                return
            try:
                line = self.session.weigh(refused.number)
            except WeighingRefused as again:
                refused = again
                self.say(str(refused), error=True)
                continue
            # after this dialog has ended: an age question may need a dialog of its own
            self.call_later(self.added, line)
            return
