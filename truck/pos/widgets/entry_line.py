"""An input field that takes Enter in the order the keys came.

Textual's Input handles Enter as a key binding, which runs when the key is dispatched, while
the characters before it are still waiting in the field's queue. A scanner sends a whole code
and Enter in one go, so the field would submit before it holds the code. Here Enter is handled
by the field itself, after every character before it.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class EntryLine(Input):
    _inherit_bindings = False
    BINDINGS = [binding for binding in Input.BINDINGS if binding.key != "enter"]

    def __init__(self, *args, clear_on_submit: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The sale screen's line empties itself at once, before the next scan's keys arrive.
        self.clear_on_submit = clear_on_submit

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self.clear_on_submit:
                value, self.value = self.value, ""
                self.post_message(self.Submitted(self, value))
            else:
                await self.action_submit()
            return
        await super()._on_key(event)
