"""Opening the hub store: its tables come up to date once, and a bad place is named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.store import StoreError, open_store
from hub.store.schema import MIGRATIONS
from tests.support.journals import sales_day
from tourkasse.protocol import JournalBatch


def test_migrations_are_recorded_and_applied_once(hub_url):
    with open_store(hub_url) as first:
        versions = first.db.rows("SELECT version FROM schema_version ORDER BY version")
        assert [v for (v,) in versions] == list(range(1, len(MIGRATIONS) + 1))
        entries = sales_day().entries
        batch = JournalBatch("T01", tuple(e.data for e in entries), 1)
        first.accept_batch(batch, received_at=datetime.now(UTC))
    with open_store(hub_url) as again:  # opening again keeps everything
        assert len(again.db.rows("SELECT version FROM schema_version")) == len(MIGRATIONS)
        assert again.committed_through("T01") == len(entries)


def test_two_stores_on_one_database_see_each_others_writes(hub_url):
    entries = sales_day().entries
    with open_store(hub_url) as ingest, open_store(hub_url) as web:
        batch = JournalBatch("T01", tuple(e.data for e in entries[:10]), 1)
        ingest.accept_batch(batch, received_at=datetime.now(UTC))
        assert web.committed_through("T01") == 10


def test_a_store_newer_than_the_software_is_refused(hub_url):
    with open_store(hub_url) as store:
        store.db.run(
            "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
            [len(MIGRATIONS) + 1, "2099-01-01T00:00:00.000000+00:00"],
        )
    with pytest.raises(
        StoreError,
        match=f"Version {len(MIGRATIONS) + 1}, diese Software kennt nur bis {len(MIGRATIONS)}",
    ):
        open_store(hub_url)


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'hub.sqlite'}") as store:
        assert store.db.one("PRAGMA journal_mode")[0] == "wal"
        assert store.db.one("PRAGMA synchronous")[0] == 2  # FULL
        assert store.db.one("PRAGMA busy_timeout")[0] >= 5000


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://somewhere/db", "unbekannte Speicher-URL"),
        ("sqlite:///relative/hub.sqlite", "absolut"),
        ("postgresql://nobody:secret@127.0.0.1:1/none", "nicht erreichbar"),
    ],
)
def test_an_unusable_store_is_named_in_german(url, message):
    with pytest.raises(StoreError, match=message) as caught:
        open_store(url)
    assert "secret" not in str(caught.value)


def test_an_unknown_time_zone_is_refused(tmp_path):
    with pytest.raises(StoreError, match="Zeitzone"):
        open_store(f"sqlite:///{tmp_path / 'hub.sqlite'}", timezone="Europe/Nirgendwo")
