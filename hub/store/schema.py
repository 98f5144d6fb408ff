"""The hub store's tables, as numbered migrations applied when the store is opened.

Each migration runs in its own transaction together with the row in ``schema_version`` that
records it, so a store is always at exactly one version. Only append to ``MIGRATIONS``; never
change one that has shipped. The SQL is portable between SQLite and PostgreSQL: ``{blob}`` and
``{id_pk}`` are filled in by the dialect, and so is the odd statement that only one of them
needs. Money is integer cents (BIGINT); times are UTC text
with microseconds and an explicit offset (``2026-11-24T08:00:00.000000+00:00``), which sorts
as time does; business days are ``YYYY-MM-DD`` in the store's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hub.store.dialect import Database, StoreError
from tourkasse.journal import format_time

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the journals, what was refused, the trucks' telemetry, the turnover projections
    (
        """CREATE TABLE trucks (
            truck TEXT PRIMARY KEY,
            last_seq BIGINT NOT NULL,
            last_hash TEXT NOT NULL,
            next_number BIGINT,
            next_closing_number BIGINT,
            last_at TEXT,
            first_seen TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE journal (
            truck TEXT NOT NULL,
            seq BIGINT NOT NULL,
            hash TEXT NOT NULL,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            data {blob} NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (truck, seq)
        )""",
        """CREATE TABLE forks (
            id {id_pk},
            truck TEXT NOT NULL,
            seq BIGINT NOT NULL,
            stored_hash TEXT NOT NULL,
            arriving_hash TEXT NOT NULL,
            data {blob} NOT NULL,
            received_at TEXT NOT NULL,
            UNIQUE (truck, seq, arriving_hash)
        )""",
        """CREATE TABLE rejected (
            id {id_pk},
            received_at TEXT NOT NULL,
            topic TEXT NOT NULL,
            truck TEXT,
            reason TEXT NOT NULL,
            payload {blob} NOT NULL
        )""",
        "CREATE INDEX rejected_by_truck ON rejected (truck, reason)",
        """CREATE TABLE statuses (
            truck TEXT PRIMARY KEY,
            online BOOLEAN NOT NULL,
            at TEXT NOT NULL,
            version TEXT NOT NULL,
            journal_seq BIGINT NOT NULL,
            backlog BIGINT NOT NULL,
            devices TEXT NOT NULL,
            received_at TEXT NOT NULL
        )""",
        """CREATE TABLE track (
            truck TEXT NOT NULL,
            time TEXT NOT NULL,
            sent TEXT NOT NULL,
            lat BIGINT NOT NULL,
            lon BIGINT NOT NULL,
            speed_cm_s BIGINT NOT NULL,
            PRIMARY KEY (truck, time)
        )""",
        """CREATE TABLE positions (
            truck TEXT PRIMARY KEY,
            time TEXT NOT NULL,
            sent TEXT NOT NULL,
            lat BIGINT NOT NULL,
            lon BIGINT NOT NULL,
            speed_cm_s BIGINT NOT NULL,
            received_at TEXT NOT NULL
        )""",
        # projections: rebuilt from the journal at any time (stop '' = sold without a stop)
        """CREATE TABLE turnover_rates (
            day TEXT NOT NULL,
            truck TEXT NOT NULL,
            stop TEXT NOT NULL,
            rate TEXT NOT NULL,
            gross BIGINT NOT NULL,
            vat BIGINT NOT NULL,
            PRIMARY KEY (day, truck, stop, rate)
        )""",
        """CREATE TABLE turnover_payments (
            day TEXT NOT NULL,
            truck TEXT NOT NULL,
            stop TEXT NOT NULL,
            method TEXT NOT NULL,
            amount BIGINT NOT NULL,
            PRIMARY KEY (day, truck, stop, method)
        )""",
        """CREATE TABLE turnover_counts (
            day TEXT NOT NULL,
            truck TEXT NOT NULL,
            stop TEXT NOT NULL,
            receipts BIGINT NOT NULL,
            voids BIGINT NOT NULL,
            training BIGINT NOT NULL,
            training_total BIGINT NOT NULL,
            aborted BIGINT NOT NULL,
            PRIMARY KEY (day, truck, stop)
        )""",
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ),
    # 2: who may use the hub's web: users with roles, their sessions, failed logins
    (
        """CREATE TABLE users (
            name TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            roles TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_name TEXT NOT NULL,
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )""",
        "CREATE INDEX sessions_by_user ON sessions (user_name)",
        """CREATE TABLE login_failures (
            id {id_pk},
            name TEXT NOT NULL,
            address TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX login_failures_by_at ON login_failures (at)",
        # the live page, the loading list and the stop evaluation read entries by kind and time
        "CREATE INDEX journal_by_kind ON journal (kind, at)",
    ),
    # 3: the office's article list: articles, department keys, price changes, history, pushes
    (
        """CREATE TABLE catalogue_articles (
            number TEXT PRIMARY KEY,
            fields TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        )""",
        """CREATE TABLE catalogue_departments (
            key TEXT PRIMARY KEY,
            fields TEXT NOT NULL
        )""",
        """CREATE TABLE price_changes (
            id {id_pk},
            number TEXT NOT NULL,
            price TEXT NOT NULL,
            valid_from TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        )""",
        "CREATE INDEX price_changes_by_number ON price_changes (number, valid_from)",
        """CREATE TABLE catalogue_history (
            id {id_pk},
            at TEXT NOT NULL,
            by_user TEXT NOT NULL,
            number TEXT NOT NULL,
            what TEXT NOT NULL,
            before TEXT,
            after TEXT
        )""",
        "CREATE INDEX catalogue_history_by_number ON catalogue_history (number)",
        """CREATE TABLE pushes (
            id {id_pk},
            kind TEXT NOT NULL,
            version BIGINT NOT NULL,
            at TEXT NOT NULL,
            by_user TEXT NOT NULL,
            summary TEXT NOT NULL,
            prices_as_of TEXT
        )""",
        """CREATE TABLE pending_imports (
            token TEXT PRIMARY KEY,
            by_user TEXT NOT NULL,
            at TEXT NOT NULL,
            name TEXT NOT NULL,
            content {blob} NOT NULL
        )""",
    ),
    # 4: the tour plan as the office edits it on the web, every version kept
    (
        """CREATE TABLE tour_plans (
            version BIGINT PRIMARY KEY,
            text TEXT NOT NULL,
            at TEXT NOT NULL,
            by_user TEXT NOT NULL,
            what TEXT NOT NULL
        )""",
    ),
    # 5: journal entries kept whole in their row (PostgreSQL would compress every entry over
    # 2 kB, every receipt, and move it to a table of its own: most of its time per entry)
    ("{keep_entries_inline}",),
    # 6: PostgreSQL: when the server stored each entry (empty for entries stored before). The
    # default is volatile, and that also makes the server store each row of the ingest's COPY
    # as it arrives: with only constant defaults it holds back up to a thousand rows of a
    # binary COPY and stores them all at its end, while the hub waits. So the server stores a
    # batch while the hub still reads the batch's later entries. A default set apart from
    # adding the column rewrites no existing row. SQLite stores as the ingest writes anyway.
    ("{journal_stored_at}", "{journal_stored_at_default}"),
    # 7: PostgreSQL: the check that opens a batch the ingest sends as one script (see
    # pipelined.py): the truck's journal still ends where the ingest last saw it end
    ("{expect_chain}",),
    # 8: the backlog a truck reported before its last status: a backlog that does not shrink
    # while the truck is online is an alert, one that drains after a dead zone is not
    ("ALTER TABLE statuses ADD COLUMN previous_backlog BIGINT",),
    # 9: API tokens for an accountant's tools (kept as SHA-256, like sessions), per user
    (
        """CREATE TABLE api_tokens (
            token_hash TEXT PRIMARY KEY,
            user_name TEXT NOT NULL,
            label TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            UNIQUE (user_name, label)
        )""",
    ),
    # 10: the public arrival boards: one unguessable link per stop, replaced when renewed
    (
        """CREATE TABLE board_links (
            stop TEXT PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        )""",
    ),
    # 11: orders for a stop's next visit (issue 11): the orders with their lines and the
    # operator's decisions, each stop's order deadline, what each truck was last sent, and
    # who decided, changed or cancelled what and when; the web's users may belong to a stop
    # (role "home": a seniors' home's staff order for their own stop only)
    (
        """CREATE TABLE orders (
            number TEXT PRIMARY KEY,
            seq BIGINT NOT NULL UNIQUE,
            stop TEXT NOT NULL,
            visit TEXT NOT NULL,
            truck TEXT NOT NULL,
            channel TEXT NOT NULL,
            orderer TEXT NOT NULL,
            note TEXT NOT NULL,
            state TEXT NOT NULL,
            placed_at TEXT NOT NULL,
            changed_at TEXT NOT NULL
        )""",
        "CREATE INDEX orders_by_stop ON orders (stop, visit)",
        "CREATE INDEX orders_by_visit ON orders (visit, state)",
        """CREATE TABLE order_lines (
            number TEXT NOT NULL,
            line BIGINT NOT NULL,
            article TEXT NOT NULL,
            text TEXT NOT NULL,
            unit TEXT NOT NULL,
            quantity BIGINT NOT NULL,
            unit_price BIGINT NOT NULL,
            deposit BIGINT NOT NULL,
            for_whom TEXT NOT NULL,
            decision TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (number, line)
        )""",
        """CREATE TABLE order_deadlines (
            stop TEXT PRIMARY KEY,
            hours BIGINT NOT NULL,
            changed_at TEXT NOT NULL,
            changed_by TEXT NOT NULL
        )""",
        """CREATE TABLE order_publications (
            truck TEXT PRIMARY KEY,
            version BIGINT NOT NULL,
            text TEXT NOT NULL,
            published_at TEXT NOT NULL
        )""",
        """CREATE TABLE order_log (
            id {id_pk},
            number TEXT NOT NULL,
            at TEXT NOT NULL,
            by_user TEXT NOT NULL,
            what TEXT NOT NULL
        )""",
        "CREATE INDEX order_log_by_number ON order_log (number, at)",
        "ALTER TABLE users ADD COLUMN stop TEXT",
    ),
    # 12: an order placed through a board link belongs to the browser that placed it: the
    # SHA-256 of that browser's random key (a cookie of the board's ordering page); NULL for
    # a home's orders and for board orders placed before (nobody's browser sees those again)
    ("ALTER TABLE orders ADD COLUMN owner_key TEXT",),
)

PROJECTION_TABLES = ("turnover_rates", "turnover_payments", "turnover_counts")


def schema_version(db: Database) -> int:
    row = db.one("SELECT max(version) FROM schema_version")
    return int(row[0]) if row and row[0] is not None else 0


def migrate(db: Database) -> int:
    """Bring the store's tables up to date; returns the version it is at."""
    # up to date already (every open but the first after an update): no write lock, so that
    # pages and boards opening the store do not queue behind each other and the ingest
    if db.has_table("schema_version") and schema_version(db) == len(MIGRATIONS):
        return len(MIGRATIONS)
    with db.transaction():
        db.lock("tourkasse-hub-schema")  # two processes opening a new store at once
        db.run(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
    current = schema_version(db)
    if current > len(MIGRATIONS):
        raise StoreError(
            f"Der Speicher hat Version {current}, diese Software kennt nur bis "
            f"{len(MIGRATIONS)}: bitte Tourkasse aktualisieren"
        )
    for version, statements in enumerate(MIGRATIONS, start=1):
        if version <= current:
            continue
        with db.transaction():
            db.lock("tourkasse-hub-schema")
            if schema_version(db) >= version:  # another process was quicker
                continue
            for statement in statements:
                if sql := db.ddl(statement):  # empty where a dialect has nothing to do
                    db.run(sql)
            db.run(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                [version, format_time(datetime.now(UTC))],
            )
    return len(MIGRATIONS)


def setting(db: Database, key: str) -> str | None:
    row = db.one("SELECT value FROM settings WHERE key = ?", [key])
    return row[0] if row else None


def set_setting(db: Database, key: str, value: str) -> None:
    db.run(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
