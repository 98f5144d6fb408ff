"""The truck database's schema, one migration per change, applied in order and recorded."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("tourkasse-truck")


@MIGRATIONS()
def m001_journal(db: Database) -> None:
    # The journal: canonical bytes are the truth; seq, kind and at are copies for lookups.
    db.execute(
        """
        CREATE TABLE journal (
            seq INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            hash TEXT NOT NULL,
            data BLOB NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX journal_kind ON journal(kind, seq)")
    # Nothing in the journal is ever changed or removed (GoBD): the database refuses it.
    db.execute(
        "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal "
        "BEGIN SELECT RAISE(ABORT, 'journal entries cannot be changed'); END"
    )
    db.execute(
        "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal "
        "BEGIN SELECT RAISE(ABORT, 'journal entries cannot be deleted'); END"
    )
    # Receipts by number, for reprints and voids; a projection of the journal, written in the
    # receipt entry's transaction. The next receipt number is one more than the highest here.
    db.execute(
        """
        CREATE TABLE receipts (
            number INTEGER PRIMARY KEY,
            seq INTEGER NOT NULL REFERENCES journal(seq),
            at TEXT NOT NULL,
            bon_type TEXT NOT NULL,
            total INTEGER NOT NULL,
            void_of INTEGER
        )
        """
    )
    # TSE transactions started but not yet journaled as finished: what a restart must resolve.
    db.execute(
        """
        CREATE TABLE open_transactions (
            tse_number INTEGER PRIMARY KEY,
            started_seq INTEGER NOT NULL REFERENCES journal(seq),
            purpose TEXT NOT NULL,
            draft TEXT
        )
        """
    )


@MIGRATIONS()
def m002_articles(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE articles (
            number TEXT PRIMARY KEY,
            data TEXT NOT NULL
        )
        """
    )
    db.execute(
        "CREATE TABLE article_codes (gtin TEXT PRIMARY KEY, number TEXT NOT NULL REFERENCES articles(number))"
    )
    db.execute("CREATE TABLE departments (key TEXT PRIMARY KEY, data TEXT NOT NULL)")


@MIGRATIONS()
def m003_one_void_and_late_signatures(db: Database) -> None:
    # A receipt can be voided once; the database says no to a second void, whoever asks.
    db.execute(
        "CREATE UNIQUE INDEX receipts_one_void ON receipts(void_of) WHERE void_of IS NOT NULL"
    )
    # A transaction whose receipt was journaled in failure mode: the TSE still owes its answer.
    db.execute("ALTER TABLE open_transactions ADD COLUMN journaled_number INTEGER")


@MIGRATIONS()
def m004_device_status(db: Database) -> None:
    # The till's devices as they are now, for the status line and for the agent to report.
    db.execute(
        """
        CREATE TABLE device_status (
            device TEXT PRIMARY KEY,
            ok INTEGER NOT NULL,
            message TEXT NOT NULL,
            since TEXT NOT NULL
        )
        """
    )


@MIGRATIONS()
def m005_downloads(db: Database) -> None:
    # Article lists and tour plans the hub sent down, one row per kind and version: kept as
    # they arrived, applied only between receipts; a refused one keeps its reason (problem).
    db.execute(
        """
        CREATE TABLE downloads (
            kind TEXT NOT NULL,
            version INTEGER NOT NULL,
            published_at TEXT NOT NULL,
            content TEXT NOT NULL,
            received_at TEXT NOT NULL,
            applied_at TEXT,
            problem TEXT,
            PRIMARY KEY (kind, version)
        )
        """
    )


@MIGRATIONS()
def m006_sync_state(db: Database) -> None:
    # The agent's pointers: how far the hub has acknowledged the journal and the track.
    db.execute("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
