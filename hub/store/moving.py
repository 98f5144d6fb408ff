"""Moving a hub store to another database (SQLite → PostgreSQL): every table, checked after.

The source is only read, inside one snapshot (SQLite: a read transaction on its WAL;
PostgreSQL: ``REPEATABLE READ READ ONLY``), so the target gets one consistent state even if
something writes meanwhile; that something is noticed at the end (:func:`fingerprint`), and
then the target is emptied again and the move is refused. The target must be an empty hub
store (or an empty database): nothing is written to one that holds anything.

The journals go through the store's own accept path (:meth:`HubStore.submit_batch`), one
batch per run of entries the hub received at the same time, with that time: each chain is
checked again and the turnover figures are computed as the ingest computes them; the entries'
bytes are stored as they were. Every other table is copied row by row (ids kept). Sessions,
failed logins and article lists uploaded but not yet confirmed are not moved (:data:`DROPPED`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.store.dialect import SQLITE_PREFIX, Database, PostgresDatabase, StoreError, connect
from hub.store.schema import MIGRATIONS, PROJECTION_TABLES, schema_version
from hub.store.store import TIMEZONE_SETTING, HubStore
from tourkasse.protocol import JournalBatch

PAGE = 1000  # rows read from the source at a time
BATCH = 500  # at most this many entries in one batch through the accept path

# table → (its columns, the columns of its key): copied as they are, in key order
COPIED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "settings": (("key", "value"), ("key",)),
    "forks": (
        ("id", "truck", "seq", "stored_hash", "arriving_hash", "data", "received_at"),
        ("id",),
    ),
    "rejected": (("id", "received_at", "topic", "truck", "reason", "payload"), ("id",)),
    "statuses": (
        (
            "truck",
            "online",
            "at",
            "version",
            "journal_seq",
            "backlog",
            "devices",
            "received_at",
            "previous_backlog",
        ),
        ("truck",),
    ),
    "track": (("truck", "time", "sent", "lat", "lon", "speed_cm_s"), ("truck", "time")),
    "positions": (
        ("truck", "time", "sent", "lat", "lon", "speed_cm_s", "received_at"),
        ("truck",),
    ),
    "users": (("name", "password_hash", "roles", "created_at", "updated_at", "stop"), ("name",)),
    "api_tokens": (
        ("token_hash", "user_name", "label", "created_at", "last_used_at"),
        ("token_hash",),
    ),
    "catalogue_articles": (("number", "fields", "updated_at", "updated_by"), ("number",)),
    "catalogue_departments": (("key", "fields"), ("key",)),
    "price_changes": (
        ("id", "number", "price", "valid_from", "created_at", "created_by"),
        ("id",),
    ),
    "catalogue_history": (
        ("id", "at", "by_user", "number", "what", "before", "after"),
        ("id",),
    ),
    "pushes": (("id", "kind", "version", "at", "by_user", "summary", "prices_as_of"), ("id",)),
    "tour_plans": (("version", "text", "at", "by_user", "what"), ("version",)),
    "board_links": (("stop", "token", "created_at", "created_by"), ("stop",)),
    "orders": (
        (
            "number",
            "seq",
            "stop",
            "visit",
            "truck",
            "channel",
            "orderer",
            "note",
            "state",
            "placed_at",
            "changed_at",
            "owner_key",
        ),
        ("number",),
    ),
    "order_lines": (
        (
            "number",
            "line",
            "article",
            "text",
            "unit",
            "quantity",
            "unit_price",
            "deposit",
            "for_whom",
            "decision",
            "reason",
        ),
        ("number", "line"),
    ),
    "order_deadlines": (("stop", "hours", "changed_at", "changed_by"), ("stop",)),
    "order_publications": (("truck", "version", "text", "published_at"), ("truck",)),
    "order_log": (("id", "number", "at", "by_user", "what"), ("id",)),
}
# written by the accept path from the journals (trucks: each journal's head)
REPLAYED = ("journal", "trucks", *PROJECTION_TABLES)
# not moved: everyone logs in again; failed logins only slow down guessing for a while; an
# uploaded article list waits for its confirmation only minutes
DROPPED = ("sessions", "login_failures", "pending_imports")
TABLES = (*REPLAYED, *COPIED, *DROPPED)
ID_TABLES = tuple(name for name, (columns, _) in COPIED.items() if columns[0] == "id")
BLOBS = {"data", "payload", "content"}


@dataclass
class Moved:
    """What the move took along and what it found when it checked."""

    rows: dict[str, int] = field(default_factory=dict)  # per table, in the target
    dropped: dict[str, int] = field(default_factory=dict)  # per table, not moved
    heads: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # entries, last, hash
    days: dict[str, int] = field(default_factory=dict)  # business day → gross turnover (cents)
    problems: list[str] = field(default_factory=list)  # what the check found; empty: all same
    fingerprint: tuple[Any, ...] = ()  # the source's, as the move read it


def open_source(url: str) -> Database:
    """The hub store to move, opened to read; StoreError when it is none."""
    if url.startswith(SQLITE_PREFIX):
        _check_sqlite_source(Path(url[len(SQLITE_PREFIX) :]))
    db = connect(url)
    try:
        if not (db.has_table("schema_version") and db.has_table("journal")):
            raise StoreError(f"Quelle {_shown(url)} ist kein Speicher einer Zentrale")
        version = schema_version(db)
        if version != len(MIGRATIONS):
            raise StoreError(
                f"Quelle hat Speicher-Version {version}, diese Software {len(MIGRATIONS)}: "
                "erst die Zentrale mit dieser Tourkasse-Version einmal starten, dann umziehen"
                if version < len(MIGRATIONS)
                else f"Quelle hat Speicher-Version {version}, diese Software kennt nur bis "
                f"{len(MIGRATIONS)}: bitte Tourkasse aktualisieren"
            )
    except BaseException:
        db.close()
        raise
    return db


def _check_sqlite_source(path: Path) -> None:
    """An SQLite file that is no hub store is not even opened to write (connect() would
    switch it to WAL)."""
    if not path.is_file():
        raise StoreError(f"Quelle {path} gibt es nicht")
    if not {"schema_version", "journal"} <= _sqlite_tables(path, "Quelle"):
        raise StoreError(f"Quelle {path} ist kein Speicher einer Zentrale")


def _sqlite_tables(path: Path, which: str) -> set[str]:
    """The tables of an SQLite file, read without writing anything."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.Error as exc:
        raise StoreError(f"{which} {path} ist keine SQLite-Datenbank ({exc})") from exc
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def target_contents(url: str) -> dict[str, int]:
    """What the target holds already (table → rows, tables of others included); empty when
    it may be moved into. Only reads: a database that is not empty must stay as it is."""
    known = {*TABLES, "schema_version"}
    path = Path(url[len(SQLITE_PREFIX) :]) if url.startswith(SQLITE_PREFIX) else None
    if path and path.is_file() and (others := sorted(_sqlite_tables(path, "Ziel") - known)):
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            # not a hub's file: not even opened to write
            return {
                name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in others
            }
    db = connect(url)
    try:
        if isinstance(db, PostgresDatabase):
            rows = db.rows(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
            if others := sorted({name for (name,) in rows} - known):
                return {name: _count(db, f'"{name}"') for name in others}
        if not db.has_table("schema_version"):
            return {}
        if schema_version(db) > len(MIGRATIONS):
            return {"schema_version": schema_version(db)}
        held = {}
        for table in TABLES:
            if db.has_table(table) and (count := _count(db, table)):
                held[table] = count
        if held.get("settings") == 1 and db.one(
            "SELECT 1 FROM settings WHERE key = ?", [TIMEZONE_SETTING]
        ):
            del held["settings"]  # what opening a store writes
        return held
    finally:
        db.close()


def fingerprint(db: Database) -> tuple[Any, ...]:
    """What changes when a hub writes: rows per table, heads of the journals, last changes."""
    counts = tuple(_count(db, table) for table in (*REPLAYED, *COPIED))
    heads = tuple(db.rows("SELECT truck, last_seq, last_hash FROM trucks ORDER BY truck"))
    latest = db.one(
        "SELECT (SELECT max(received_at) FROM statuses), (SELECT max(received_at) FROM positions),"
        " (SELECT max(updated_at) FROM users), (SELECT max(last_used_at) FROM api_tokens),"
        " (SELECT max(updated_at) FROM catalogue_articles), (SELECT max(created_at) FROM "
        "board_links), (SELECT max(value) FROM settings), (SELECT max(changed_at) FROM orders), "
        "(SELECT max(changed_at) FROM order_deadlines)"
    )
    return counts, heads, latest


@dataclass
class Snapshot:
    """The source, read inside one transaction: one consistent state of the hub."""

    db: Database

    def __enter__(self) -> Snapshot:
        if isinstance(self.db, PostgresDatabase):
            self.db.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        else:
            self.db.run("BEGIN")  # deferred: the first read fixes what it sees (WAL)
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.run("ROLLBACK")  # nothing was written

    def pages(self, table: str, columns: Sequence[str], key: Sequence[str]) -> Iterator[tuple]:
        """The table's rows in key order, a page at a time."""
        listed = ", ".join(columns)
        order = ", ".join(key)
        positions = [columns.index(name) for name in key]
        last: list[Any] | None = None
        while True:
            where = f"WHERE ({order}) > ({', '.join('?' * len(key))}) " if last else ""
            page = self.db.rows(
                f"SELECT {listed} FROM {table} {where}ORDER BY {order} LIMIT ?",
                [*(last or ()), PAGE],
            )
            yield from page
            if len(page) < PAGE:
                return
            last = [page[-1][i] for i in positions]


def move(source: Database, target: HubStore) -> Moved:
    """Everything of ``source`` into the empty ``target``; returns what was moved and what
    the check found. The caller compares :func:`fingerprint` of the source afterwards."""
    moved = Moved()
    with Snapshot(source) as snapshot:
        moved.fingerprint = fingerprint(source)
        _copy_tables(snapshot, target.db, moved)
        _replay_journals(snapshot, target, moved)
        _copy_truck_times(source, target.db)
        for table in DROPPED:
            moved.dropped[table] = _count(source, table)
        _check(source, target.db, moved)
    return moved


def moved_meanwhile(source: Database, moved: Moved) -> bool:
    """Whether the source changed since the move read it (a hub still running)."""
    return fingerprint(source) != moved.fingerprint


def _copy_tables(snapshot: Snapshot, target: Database, moved: Moved) -> None:
    with target.transaction():
        for table, (columns, key) in COPIED.items():
            rows = (_fit(columns, row) for row in snapshot.pages(table, columns, key))
            if table == "settings":  # the target has its time zone already: same key
                target.run_many(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    list(rows),
                )
            else:
                with target.appending(table, columns) as append:
                    for row in rows:
                        append(row)
        if isinstance(target, PostgresDatabase):
            for table in ID_TABLES:  # new rows continue after the ids brought along
                highest = target.one(f"SELECT max(id) FROM {table}")
                if highest and highest[0] is not None:
                    target.rows(
                        "SELECT setval(pg_get_serial_sequence(?, 'id'), ?)", [table, highest[0]]
                    )
    for table in COPIED:
        moved.rows[table] = _count(target, table)


def _fit(columns: Sequence[str], row: tuple) -> tuple:
    """A row as the target's types take it (SQLite's 0/1 for a boolean, buffers for bytes)."""
    return tuple(
        bool(value)
        if name == "online"
        else bytes(value)
        if name in BLOBS and value is not None
        else value
        for name, value in zip(columns, row, strict=True)
    )


def _replay_journals(snapshot: Snapshot, target: HubStore, moved: Moved) -> None:
    """Each truck's journal through the accept path, in the batches it arrived in."""
    columns = ("truck", "seq", "data", "received_at")
    run: list[bytes] = []
    first, truck, received = 0, "", ""

    def submit() -> None:
        if run:
            batch = JournalBatch(truck, tuple(run), first)
            target.submit_batch(batch, received_at=datetime.fromisoformat(received))
            _settle(target.settled(), moved)
            run.clear()

    for row_truck, seq, data, row_received in snapshot.pages("journal", columns, ("truck", "seq")):
        if (row_truck, row_received) != (truck, received) or len(run) >= BATCH:
            submit()
            first, truck, received = seq, row_truck, row_received
        run.append(bytes(data))
    submit()
    _settle(target.settled(wait=True), moved)
    for table in REPLAYED:
        moved.rows[table] = _count(target.db, table)


def _settle(outcomes: list[Any], moved: Moved) -> None:
    for outcome in outcomes:
        if outcome.reason is not None or outcome.forks or outcome.duplicates:
            raise StoreError(
                f"Journal von Wagen {outcome.truck} ließ sich nicht übernehmen: "
                f"{outcome.reason or 'Einträge doppelt oder abweichend'} (bis Eintrag "
                f"{outcome.through})"
            )


def _copy_truck_times(source: Database, target: Database) -> None:
    """When each truck was first seen and its journal last grew, as the source has it."""
    rows = source.rows("SELECT first_seen, updated_at, truck FROM trucks")
    with target.transaction():
        target.run_many("UPDATE trucks SET first_seen = ?, updated_at = ? WHERE truck = ?", rows)


def _check(source: Database, target: Database, moved: Moved) -> None:
    """Same journals (entries per truck, last hash), same figures, same rows elsewhere."""
    moved.heads = _heads(source)
    heads = _heads(target)
    if differ := sorted(
        t for t in heads.keys() | moved.heads.keys() if heads.get(t) != moved.heads.get(t)
    ):
        moved.problems.append(f"Journale verschieden bei Wagen {', '.join(differ)}")
    state = (
        "SELECT truck, last_seq, last_hash, next_number, next_closing_number, last_at, "
        "first_seen, updated_at FROM trucks ORDER BY truck"
    )
    if source.rows(state) != target.rows(state):
        moved.problems.append("Stand der Journale (Tabelle trucks) verschieden")
    days = "SELECT day, sum(gross) FROM turnover_rates GROUP BY day ORDER BY day"
    moved.days = {day: int(gross) for day, gross in source.rows(days)}
    if {day: int(gross) for day, gross in target.rows(days)} != moved.days:
        moved.problems.append("Umsatz je Tag verschieden")
    for table in PROJECTION_TABLES:
        if _all_rows(source, table) != _all_rows(target, table):
            moved.problems.append(f"Umsatzzahlen in {table} verschieden")
    for table in (*COPIED, "journal"):
        if (count := _count(source, table)) != moved.rows[table]:
            moved.problems.append(f"{table}: {moved.rows[table]} statt {count} Zeilen")


def _heads(db: Database) -> dict[str, tuple[int, int, str]]:
    rows = db.rows(
        "SELECT j.truck, count(*), max(j.seq), t.last_hash FROM journal j "
        "JOIN trucks t ON t.truck = j.truck GROUP BY j.truck, t.last_hash"
    )
    last = dict(
        db.rows(
            "SELECT j.truck, j.hash FROM journal j "
            "JOIN trucks t ON t.truck = j.truck AND j.seq = t.last_seq"
        )
    )
    return {
        truck: (int(n), int(seq), h if last.get(truck) == h else f"{h}≠{last.get(truck)}")
        for truck, n, seq, h in rows
    }


def _all_rows(db: Database, table: str) -> list[tuple[Any, ...]]:
    return sorted(db.rows(f"SELECT * FROM {table}"))


def empty_target(target: Database) -> None:
    """Take out again what a failed move wrote (the target was empty before it)."""
    with target.transaction():
        for table in TABLES:
            if table != "settings":
                target.run(f"DELETE FROM {table}")
        target.run("DELETE FROM settings WHERE key <> ?", [TIMEZONE_SETTING])


def _count(db: Database, table: str) -> int:
    row = db.one(f"SELECT count(*) FROM {table}")
    return int(row[0]) if row else 0


def _shown(url: str) -> str:
    return url[len(SQLITE_PREFIX) :] if url.startswith(SQLITE_PREFIX) else url.split("@")[-1]
