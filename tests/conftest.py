"""Fixtures shared by the suite: a till on real SQLite files and a real software TSE."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tourkasse.article_list import ArticleList, load_article_list

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO / "config" / "truck.example.toml"
EXAMPLE_ARTICLES = REPO / "config" / "articles.example.toml"
EXAMPLE_TOUR = REPO / "config" / "tour.example.toml"


def example_config_text() -> str:
    """The example config for a copy in another folder: data beside it, the example tour file."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace('"../var/', '"')
    return text.replace('file = "tour.example.toml"', f'file = "{EXAMPLE_TOUR}"')


class TickingClock:
    """An injected clock: each reading is a millisecond after the one before; can be set."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))


@pytest.fixture(scope="session")
def catalogue() -> ArticleList:
    return load_article_list(EXAMPLE_ARTICLES)


@pytest.fixture
def till_parts(tmp_path: Path, clock: TickingClock, catalogue: ArticleList) -> Iterator[tuple]:
    from truck.fiscal.software_tse import SoftwareTse
    from truck.store.articles import replace_articles
    from truck.store.database import open_database

    db = open_database(tmp_path / "journal.sqlite")
    replace_articles(db, catalogue.articles, catalogue.departments)
    tse = SoftwareTse(tmp_path / "tse", clock=clock, create=True)
    yield db, tse
    tse.close()
    db.close()


@pytest.fixture
def till(till_parts, clock):
    from truck.till.till import Till

    db, tse = till_parts
    return Till(db, tse, truck="T01", client_id="TK-T01-0001", clock=clock)
