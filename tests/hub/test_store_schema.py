"""Opening the hub store: its tables come up to date once, and a bad place is named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.store import StoreError, open_store
from hub.store.schema import MIGRATIONS
from tests.support.journals import JournalWriter, sales_day
from tourkasse.journal import EntryKind
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


def test_large_entries_are_stored_whole_and_read_back_unchanged(hub_url):
    # PostgreSQL would compress each entry over 2 kB (a real receipt with its TSE data is
    # about 2.2 kB) and move it to a table of its own, which cost the ingest most of its time
    # per entry: the journal keeps entries whole in their row
    writer = JournalWriter("T01")
    entries = [
        writer.add(EntryKind.STAFF_SIGN_ON, {"staff": "7", "note": "Einräumen " * 300}),
        writer.add(EntryKind.STAFF_SIGN_OFF, {"staff": "7"}),
    ]
    assert len(entries[0].data) > 3000
    with open_store(hub_url) as store:
        store.accept_batch(
            JournalBatch("T01", tuple(e.data for e in entries), 1), received_at=datetime.now(UTC)
        )
        assert list(store.journal("T01")) == [e.data for e in entries]
        if store.db.name == "postgresql":
            ((size, length),) = store.db.rows(
                "SELECT pg_column_size(data), length(data) FROM journal WHERE seq = 1"
            )
            assert size >= length  # as it came: not compressed


@pytest.mark.parametrize("store_kind", ["postgresql"])
def test_postgresql_notes_when_it_stored_each_entry(hub_url):
    # the column's volatile default is also what lets the server store a batch's rows as they
    # arrive (schema.py, migration 6); each entry gets the server's time as it was stored
    writer = JournalWriter("T01")
    entries = [writer.add(EntryKind.STAFF_SIGN_ON, {"staff": str(n)}) for n in range(1, 4)]
    with open_store(hub_url) as store:
        before = datetime.now(UTC)
        store.accept_batch(
            JournalBatch("T01", tuple(e.data for e in entries), 1), received_at=before
        )
        after = datetime.now(UTC)
        stored = store.db.rows("SELECT seq, stored_at FROM journal ORDER BY seq")
    assert [seq for seq, _ in stored] == [1, 2, 3]
    assert all(before <= at <= after for _, at in stored), stored


def test_a_new_sqlite_store_gets_8_kib_pages_and_an_existing_one_keeps_its_own(tmp_path):
    """Journal entries are 1 to 2 kB: larger pages store them faster (scripts/bench_sync.py).
    A store made before keeps its pages and works on."""
    import sqlite3

    with open_store(f"sqlite:///{tmp_path / 'new.sqlite'}") as new:
        assert new.db.one("PRAGMA page_size") == (8192,)
    older = tmp_path / "older.sqlite"
    made = sqlite3.connect(older)
    made.execute("PRAGMA page_size = 4096")
    made.execute("CREATE TABLE made_before (x)")
    made.close()
    entries = sales_day().entries
    with open_store(f"sqlite:///{older}") as store:
        assert store.db.one("PRAGMA page_size") == (4096,)
        batch = JournalBatch("T01", tuple(e.data for e in entries), 1)
        assert store.accept_batch(batch, received_at=datetime.now(UTC)).through == len(entries)
