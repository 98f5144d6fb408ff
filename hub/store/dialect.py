"""The thin layer between the hub store and its two databases: SQLite and PostgreSQL.

Everything above it writes portable SQL with ``?`` placeholders and ``ON CONFLICT`` upserts;
this layer connects, turns placeholders into psycopg's, runs transactions, fills in the few
column types that differ (``{blob}``, ``{id_pk}``) and takes the locks that SQLite does not need
(its write transactions are serialised by ``BEGIN IMMEDIATE`` already).

A :class:`Database` is one connection: use it from one thread at a time.
"""

from __future__ import annotations

import select
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, Protocol

from tourkasse.sqlite_wal import switch_to_wal

Params = Sequence[Any]

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
BUSY_TIMEOUT_MS = 15_000
PAGE_SIZE = 8192  # SQLite, for new stores
COPY_CHUNK = 256 * 1024  # bytes handed to libpq at a time


class StoreError(Exception):
    """The hub store cannot be used; str() says why, in German, for the operator."""


class Writes(Protocol):
    """What statements that only write need: a database, or a script of them (pipelined.py)."""

    def run(self, sql: str, params: Params = ()) -> int: ...

    def run_many(self, sql: str, params: Sequence[Params]) -> None: ...


class Database(ABC):
    """One connection to the hub's database, with the dialect's differences behind it."""

    name: str
    types: dict[str, str]

    @abstractmethod
    def rows(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Each dialect does this its own way."""

    def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    @abstractmethod
    def run(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns the number of rows it changed."""

    @abstractmethod
    def run_many(self, sql: str, params: Sequence[Params]) -> None:
        """Each dialect does this its own way."""

    @contextmanager
    def appending(self, table: str, columns: Sequence[str]) -> Iterator[Callable[[Params], Any]]:
        """Plain inserts of rows handed over one at a time (no conflicts expected), each
        dialect's fastest way; use the connection for nothing else inside the block. The rows
        go in when the block ends without an exception."""
        rows: list[Params] = []
        yield rows.append
        marks = ", ".join("?" * len(columns))
        self.run_many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """One transaction: committed when the block ends, rolled back on an exception."""

    def unanswered(self) -> AbstractContextManager[Any]:
        """Statements in this block go out without waiting for each answer (their results are
        not read); a database over a network saves the round trips."""
        return nullcontext()

    @abstractmethod
    def lock(self, key: str) -> None:
        """Serialise writers that touch ``key`` (e.g. one truck) until the transaction ends."""

    @abstractmethod
    def lock_tables(self, tables: Sequence[str]) -> None:
        """Keep other writers off these tables until the transaction ends."""

    def ddl(self, sql: str) -> str:
        return sql.format(**self.types)

    @abstractmethod
    def has_table(self, name: str) -> bool:
        """Whether the table exists (read without a lock)."""

    @abstractmethod
    def close(self) -> None:
        """Each dialect does this its own way."""


class SqliteDatabase(Database):
    name = "sqlite"
    types = {
        "blob": "BLOB",
        "id_pk": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "keep_entries_inline": "",  # SQLite neither compresses nor moves large values
        "journal_stored_at": "",  # see schema.py, migration 6: PostgreSQL only
        "journal_stored_at_default": "",
        "expect_chain": "",  # see schema.py, migration 7: PostgreSQL only
    }

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # a new store gets pages of 8 KiB (an existing one keeps its own): a journal
            # entry is 1 to 2 kB, and the ingest stores them about 7 % faster than in 4 KiB
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            mode = switch_to_wal(conn, wait_s=BUSY_TIMEOUT_MS / 1000)
            conn.execute("PRAGMA synchronous = FULL")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Datenbank {path} nicht nutzbar: {exc}") from exc
        if str(mode).lower() != "wal":
            conn.close()
            raise StoreError(f"Datenbank {path}: WAL-Modus nicht möglich ({mode})")
        self.conn = conn
        self.path = path

    def rows(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    def run(self, sql: str, params: Params = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def run_many(self, sql: str, params: Sequence[Params]) -> None:
        self.conn.executemany(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def lock(self, key: str) -> None:
        return None  # BEGIN IMMEDIATE already holds SQLite's one write lock

    def has_table(self, name: str) -> bool:
        return bool(
            self.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])
        )

    def lock_tables(self, tables: Sequence[str]) -> None:
        return None  # as above: one writer at a time for the whole file

    def close(self) -> None:
        self.conn.close()


class PostgresDatabase(Database):
    name = "postgresql"
    types = {
        "blob": "BYTEA",
        "id_pk": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        # rows up to a page's size stay whole and uncompressed: no TOAST for an entry's bytes
        "keep_entries_inline": "ALTER TABLE journal SET (toast_tuple_target = 8160)",
        "journal_stored_at": "ALTER TABLE journal ADD COLUMN stored_at TIMESTAMPTZ",
        "journal_stored_at_default": (
            "ALTER TABLE journal ALTER COLUMN stored_at SET DEFAULT clock_timestamp()"
        ),
        "expect_chain": """CREATE FUNCTION tourkasse_expect_chain(
                the_truck TEXT, expected_seq BIGINT, expected_hash TEXT) RETURNS VOID AS $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM trucks WHERE truck = the_truck
                        AND last_seq = expected_seq AND last_hash = expected_hash) THEN
                    RAISE EXCEPTION 'Journal von Wagen % steht nicht mehr bei Eintrag %',
                        the_truck, expected_seq USING ERRCODE = 'serialization_failure';
                END IF;
            END $$ LANGUAGE plpgsql""",
    }

    def __init__(self, url: str) -> None:
        try:
            import psycopg
            from psycopg.pq import TransactionStatus
        except ImportError as exc:  # the hub extra is not installed
            raise StoreError(
                "PostgreSQL braucht das Paket psycopg: pip install 'tourkasse[hub]'"
            ) from exc
        self._psycopg = psycopg
        self._pq = psycopg.pq
        self._idle = TransactionStatus.IDLE
        self._types: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        # Statements whose answers nobody reads (BEGIN, locks, those in unanswered()) wait
        # here and go out with the next one that needs an answer, in one round trip: a
        # batch of the ingest costs four round trips instead of seven.
        self._later: list[tuple[str, Any, bool]] = []  # (sql, params, many)
        self._quiet = False  # inside unanswered()
        self._in_transaction = False
        # a script sent by send_script whose results are not read yet; then what they said
        self._script_unread = False
        self._script_error: str | None = None
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=15)
        except psycopg.Error as exc:
            raise StoreError(
                f"PostgreSQL nicht erreichbar ({_without_password(url)}): {exc}"
            ) from exc
        self._escaping = psycopg.pq.Escaping(self.conn.pgconn)
        self._encoding = self.conn.info.encoding  # the client's: scripts are sent in it

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def _execute(self, sql: str, params: Any, many: bool) -> Any:
        if many:
            cursor = self.conn.cursor()
            cursor.executemany(sql, params)
            return cursor
        return self.conn.execute(sql, params or None)

    def _send(self, sql: str, params: Any = None, many: bool = False) -> Any:
        """Run the statement, after what waits to be sent, and return its cursor."""
        self.finish_script()
        sql = self._sql(sql)
        if not self._later:
            return self._execute(sql, params, many)
        with self.conn.pipeline():  # psycopg's pipeline mode: one round trip for them all
            self._execute_waiting()
            return self._execute(sql, params, many)

    def _flush(self) -> None:
        self.finish_script()
        if self._later:
            with self.conn.pipeline():
                self._execute_waiting()

    def _execute_waiting(self) -> None:
        waiting, self._later = self._later, []
        for statement in waiting:
            self._execute(*statement)

    def _later_or_now(self, sql: str, params: Any = None, many: bool = False) -> None:
        if self._in_transaction:
            self._later.append((self._sql(sql), params, many))
        else:
            self._send(sql, params, many)

    def rows(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        cursor = self._send(sql, params)
        return cursor.fetchall() if cursor.description is not None else []

    def run(self, sql: str, params: Params = ()) -> int:
        if self._quiet:
            self._later_or_now(sql, params)
            return -1  # not known before the answer, which nobody waits for here
        return self._send(sql, params).rowcount

    def run_many(self, sql: str, params: Sequence[Params]) -> None:
        if not params:
            return
        if self._quiet:
            self._later_or_now(sql, params, many=True)
        else:
            self._send(sql, params, many=True).close()

    @contextmanager
    def appending(self, table: str, columns: Sequence[str]) -> Iterator[Callable[[Params], Any]]:
        # COPY in binary: no statement per row, no text escaping of the entries' bytes on
        # either side, and the rows go out while the caller works out the next ones (whether
        # the server stores them at once or at the end depends on the table: schema.py, 6)
        types = self._column_types(table, columns)
        self._flush()  # a COPY cannot share a round trip
        with (
            self.conn.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(types)
            yield copy.write_row

    def _column_types(self, table: str, columns: Sequence[str]) -> list[str]:
        """The columns' types as the catalog has them (binary COPY must name them)."""
        key = (table, tuple(columns))
        if key not in self._types:
            found = dict(
                self.rows(
                    "SELECT column_name, udt_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = ?",
                    [table],
                )
            )
            self._types[key] = [found[column] for column in columns]
        return self._types[key]

    def has_table(self, name: str) -> bool:
        return bool(
            self.rows(
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_name = ?",
                [name],
            )
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_transaction:
            raise StoreError("Transaktionen lassen sich nicht verschachteln")
        self.finish_script()
        self._in_transaction = True
        self._later.append(("BEGIN", None, False))
        try:
            yield
            self._send("COMMIT")  # with whatever still waits: one round trip
        except BaseException:
            self._later = []
            if self.conn.info.transaction_status != self._idle and not self.conn.closed:
                # a connection that broke keeps the error that broke it, not this one's
                with suppress(self._psycopg.Error):
                    self.conn.execute("ROLLBACK")
            raise
        finally:
            self._in_transaction = False

    @contextmanager
    def unanswered(self) -> Iterator[None]:
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    # --- a script: a whole transaction around a COPY, its answers read later -------------
    # The ingest sends a batch that continues a truck's journal as one simple query (BEGIN,
    # checks, COPY FROM STDIN, updates, COMMIT) with the COPY's rows after it, and reads the
    # answers only when it has read the next batch: the server stores one batch while the hub
    # reads the next, and the hub waits for one answer per batch instead of four.

    def literal(self, value: str | int | None) -> str:
        """``value`` as an SQL literal, quoted by libpq, for a script."""
        if value is None:
            return "NULL"
        if type(value) is int:
            return str(value)
        if not isinstance(value, str):
            raise TypeError(f"kein Literal für {type(value).__name__}")
        if "\x00" in value:  # libpq would cut the text short there
            raise ValueError("Text mit NUL-Zeichen kann PostgreSQL nicht speichern")
        encoding = self._encoding
        return self._escaping.escape_literal(value.encode(encoding)).decode(encoding)

    def send_script(self, script: str, copy_data: bytes) -> None:
        """Send ``script`` (statements with literals only, one of them ``COPY … FROM STDIN``)
        and the COPY's data; the other answers are read by :meth:`finish_script`."""
        if self._in_transaction or self._later:
            raise StoreError("ein Skript läuft nur außerhalb einer Transaktion")
        self.finish_script()
        pgconn = self.conn.pgconn
        pgconn.send_query(script.encode(self._encoding))
        self._script_unread = True
        self._script_error = None
        for result in self._results(until_copy=True):
            if result.status == self._pq.ExecStatus.COPY_IN:
                self._put(copy_data)
                return
            self._note(result)
        # no COPY: a statement before it failed, and the server skips the rest

    @property
    def script_unread(self) -> bool:
        return self._script_unread

    def finish_script(self) -> str | None:
        """Read the answers of the script sent last; its error (German or the server's), or
        None when it committed. A script that did not commit is rolled back."""
        if not self._script_unread:
            return self._script_error
        for result in self._results(until_copy=False):
            if result.status == self._pq.ExecStatus.COPY_IN:  # cannot happen: data went out
                self.conn.pgconn.put_copy_end(b"Skript abgebrochen")
                continue
            self._note(result)
        self._script_unread = False
        if self.conn.pgconn.transaction_status != self._idle:
            self._script_error = self._script_error or "Skript endete ohne COMMIT"
            self.conn.execute("ROLLBACK")
        return self._script_error

    def _note(self, result: Any) -> None:
        if result.status == self._pq.ExecStatus.FATAL_ERROR and self._script_error is None:
            message = result.error_message.decode(errors="replace").strip()
            self._script_error = message or "Fehler ohne Meldung"

    def _results(self, *, until_copy: bool) -> Iterator[Any]:
        """The script's results as the server sends them (the connection is non-blocking)."""
        pgconn = self.conn.pgconn
        while True:
            while pgconn.flush():
                self._wait(write=True)
            pgconn.consume_input()
            while not pgconn.is_busy():
                result = pgconn.get_result()
                if result is None:
                    return
                yield result
                if until_copy and result.status == self._pq.ExecStatus.COPY_IN:
                    return
            self._wait(write=False)

    def _put(self, data: bytes) -> None:
        pgconn = self.conn.pgconn
        view = memoryview(data)
        for start in range(0, len(view), COPY_CHUNK):
            while not pgconn.put_copy_data(view[start : start + COPY_CHUNK]):
                self._wait(write=True)
        while not pgconn.put_copy_end():
            self._wait(write=True)
        while pgconn.flush():  # into the socket; the server stores while the hub reads on
            self._wait(write=True)

    def _wait(self, *, write: bool) -> None:
        # as long as psycopg itself would wait: a script may wait for a lock (a rebuild of
        # the figures); a connection that breaks ends the wait with an error from libpq
        socket = self.conn.pgconn.socket
        select.select([] if write else [socket], [socket] if write else [], [])

    def lock(self, key: str) -> None:
        self._later_or_now("SELECT pg_advisory_xact_lock(hashtext(?))", [key])

    def lock_tables(self, tables: Sequence[str]) -> None:
        self._later_or_now(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")

    def close(self) -> None:
        self.conn.close()


def _without_password(url: str) -> str:
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user_password = head.partition("//")
    return f"{scheme}//{user_password.split(':', 1)[0]}:***@{tail}"


def connect(url: str) -> Database:
    """A connection for ``sqlite:///ABSOLUTE/PATH`` or ``postgresql://…``."""
    if url.startswith(SQLITE_PREFIX):
        path = Path(url[len(SQLITE_PREFIX) :])
        if not path.is_absolute():
            raise StoreError(f"SQLite-Pfad muss absolut sein: {url}")
        return SqliteDatabase(path)
    if url.startswith(POSTGRES_PREFIXES):
        return PostgresDatabase(url)
    raise StoreError(f"unbekannte Speicher-URL {url!r} (erwartet sqlite:///… oder postgresql://…)")
