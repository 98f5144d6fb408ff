"""Fixtures for the hub: a store on SQLite and the same store on PostgreSQL.

``hub_url`` (and ``store``, opened on it) runs each test twice: on an SQLite file in the test's
folder, and on a fresh database of the session's own PostgreSQL cluster
(tests/support/postgres.py), dropped after the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hub.store import HubStore, open_store
from tests.support.postgres import postgres_cluster  # noqa: F401  (the session's cluster)

STORES = ("sqlite", "postgresql")


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def new_hub_url(
    request: pytest.FixtureRequest, store_kind: str, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """Makes empty stores of this test's kind: a new SQLite file or a new PostgreSQL database."""
    made: list[str] = []  # PostgreSQL databases to drop
    numbers = itertools.count(1)
    cluster = request.getfixturevalue("postgres_cluster") if store_kind == "postgresql" else None

    def make() -> str:
        if cluster is None:
            return f"sqlite:///{tmp_path / f'hub-{next(numbers)}.sqlite'}"
        name = cluster.create_database()
        made.append(name)
        return cluster.url(name)

    yield make
    for name in made:
        cluster.drop_database(name)


@pytest.fixture
def hub_url(new_hub_url: Callable[[], str]) -> str:
    """The URL of an empty hub store (SQLite file, or PostgreSQL database), for this test."""
    return new_hub_url()


@pytest.fixture
def store(hub_url: str) -> Iterator[HubStore]:
    opened = open_store(hub_url)
    try:
        yield opened
    finally:
        opened.close()
