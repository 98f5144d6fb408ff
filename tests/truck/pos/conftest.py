"""A till on real files: config, journal, software TSE, article list, a printer writing to a
file, and the simulated scale. The app is the real Textual app, driven by its pilot."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_ARTICLES, TickingClock, example_config_text
from truck.config import load_truck_config
from truck.devices.scale.simulated import SimulatedScale
from truck.fiscal.software_tse import SoftwareTse
from truck.pos.app import TillApp
from truck.pos.start import start_session
from truck.store.articles import replace_articles


def write_config(tmp_path: Path, *, printer: str | None = None) -> Path:
    text = example_config_text()
    if printer is not None:
        text = text.replace('kind = "file"\npath = "receipts.bin"', printer)
    path = tmp_path / "truck.toml"
    path.write_text(text, encoding="utf-8")
    return path


def make_session(config_path: Path, clock, scale=None, *, scale_from_config: bool = False):
    from tourkasse.article_list import load_article_list

    config = load_truck_config(config_path)
    SoftwareTse(config.paths.tse, create=True).close()
    if not scale_from_config:
        scale = scale or SimulatedScale()
    session = start_session(config, clock=clock, scale=scale)
    catalogue = load_article_list(EXAMPLE_ARTICLES)
    replace_articles(session.opened.db, catalogue.articles, catalogue.departments)
    return session


@pytest.fixture
def pos_clock() -> TickingClock:
    return TickingClock(datetime(2026, 11, 24, 8, 15, tzinfo=UTC))


@pytest.fixture
def scale() -> SimulatedScale:
    return SimulatedScale()


@pytest.fixture
def session(tmp_path, pos_clock, scale):
    session = make_session(write_config(tmp_path), pos_clock, scale)
    yield session
    session.opened.close()


@pytest.fixture
def app(session) -> TillApp:
    return TillApp(session)


async def sign_on(pilot, number: str = "7", pin: str = "1234") -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def type_slowly(pilot, text: str) -> None:
    """As a person types: slower than a scanner, so it is not taken for a scan."""
    for key in text:
        await pilot.press(key)
        await pilot.pause(0.06)


async def scan(pilot, code: str) -> None:
    """As a keyboard-wedge scanner sends a code: all its keys at once, then Enter."""
    from textual import events

    driver = pilot.app._driver
    for character in code:
        driver.send_message(events.Key(character, character))
    driver.send_message(events.Key("enter", "\r"))
    await pilot.pause()
