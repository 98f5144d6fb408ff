"""Every key of the current screen with what it does, in a grid so all fit at 80 columns."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static


class KeyCell(Static):
    """A key's cell: on a touchscreen, tapping it does what the key does."""

    def __init__(self, text: str, action: str) -> None:
        super().__init__(text, classes="key")
        self.action = action

    async def on_click(self) -> None:
        await self.screen.run_action(self.action)


class KeyBar(Grid):
    def compose(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        self.call_after_refresh(self.show_keys)

    def show_keys(self) -> None:
        cells = []
        for bindings in self.screen._bindings.key_to_bindings.values():
            for item in bindings:
                if item.show and item.description:
                    key = item.key_display or item.key.split(",")[0].upper()
                    key = "Esc" if key == "ESCAPE" else key
                    cells.append(KeyCell(f"[b reverse] {key} [/]{item.description}", item.action))
        self.mount_all(cells)
