"""Snapshots of the main screens at 80×24, compared as SVG.

After an intended change of a screen: TOURKASSE_UPDATE_SNAPSHOTS=1 scripts/test -k snapshot,
then look at the new files (rsvg-convert makes PNGs of them) before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Input

from .conftest import scan, sign_on

SNAPSHOTS = Path(__file__).parent / "snapshots"


def matches_snapshot(app, name: str) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False  # a blinking cursor would make every picture different
    svg = app.export_screenshot(title="Tourkasse")
    path = SNAPSHOTS / f"{name}.svg"
    if os.environ.get("TOURKASSE_UPDATE_SNAPSHOTS") or not path.exists():
        assert os.environ.get("TOURKASSE_UPDATE_SNAPSHOTS"), f"no snapshot {path} yet"
        path.write_text(svg, encoding="utf-8")
    assert svg == path.read_text(encoding="utf-8"), f"{name} looks different from {path}"


async def test_the_main_screens_look_as_they_did(app, session, scale):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        matches_snapshot(app, "sign_on")
        await sign_on(pilot)
        await scan(pilot, "4006381001014")
        await pilot.press(*"3*2001", "enter")
        scale.place(347)
        await pilot.press(*"2101", "enter")
        await scan(pilot, "4006385001010")
        await pilot.pause()
        matches_snapshot(app, "sale")
        await pilot.press("f10")
        await pilot.pause()
        matches_snapshot(app, "payment")
        await pilot.press("f8")
        await pilot.pause()
        matches_snapshot(app, "change")


async def test_the_scale_refusing_looks_as_it_did(app, session, scale):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        scale.place(20_000)  # more than the scale may weigh
        await pilot.press(*"2101", "enter")
        await pilot.pause()
        matches_snapshot(app, "weigh_again")
