"""Restoring a backup of the hub store into an empty store, checked against its manifest.

Before anything is written: the manifest is read, the backup file must be the one it
describes (size and SHA-256), it must be of the target's kind (SQLite into SQLite, PostgreSQL
into PostgreSQL: across, restore first and then ``migrate-store``), and the target must be
empty (a store with no rows, or no store yet), as for ``migrate-store``.

SQLite: the backup is unpacked beside the target under a hidden name, checked there
(integrity, manifest, every hash chain) and only then renamed into place, so a failed check
leaves the target as it was. PostgreSQL: ``pg_restore`` in one transaction into the empty
database, then the same check; if it fails, the restored tables are dropped again.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import zlib
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from hub.store import backup_folder as folders
from hub.store import pg_tools
from hub.store.backup import server_version
from hub.store.backup_manifest import CHUNK, Checked, Manifest, check_file, check_restored
from hub.store.dialect import (
    POSTGRES_PREFIXES,
    SQLITE_PREFIX,
    Database,
    PostgresDatabase,
    StoreError,
    connect,
)
from hub.store.moving import TABLES, _shown, target_contents
from hub.store.schema import MIGRATIONS
from tourkasse.durable import fsync_path

SUFFIXES = (".sqlite.gz", ".pgdump", ".json")


@dataclass
class Restored:
    manifest: Manifest
    checked: Checked
    target: str  # shown without a password


def paths(given: Path) -> tuple[Path, Manifest]:
    """The backup's data file and its manifest, from either of the two files' names."""
    name = given.name
    stem = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)), None)
    if stem is None:
        raise StoreError(
            f"{given} ist keine Sicherung der Zentrale (erwartet hub-….sqlite.gz, hub-….pgdump "
            "oder die Prüfliste hub-….json)"
        )
    if not given.is_file():
        raise StoreError(f"Die Sicherung {given} gibt es nicht")
    manifest = Manifest.read(given.with_name(f"{stem}.json"))
    data = given if not name.endswith(".json") else given.with_name(manifest.file)
    if not data.is_file():
        raise StoreError(f"Die Sicherung {data} (aus der Prüfliste {given}) gibt es nicht")
    return data, manifest


def restore_backup(given: Path, url: str) -> Restored:
    """Restore the backup into the empty store at ``url``; StoreError (German) when it is
    refused, and nothing is written then."""
    data, manifest = paths(given)
    check_file(manifest, data)
    if manifest.schema_version > len(MIGRATIONS):
        raise StoreError(
            f"Die Sicherung ist von einer neueren Tourkasse (Speicher-Version "
            f"{manifest.schema_version}, diese kennt bis {len(MIGRATIONS)}): bitte erst Tourkasse "
            "aktualisieren"
        )
    kind = _kind_of(url)
    if kind != manifest.kind:
        raise StoreError(
            f"Die Sicherung ist von {_kind(manifest.kind)}, das Ziel ist {_kind(kind)}: erst in "
            f"einen Speicher wie den gesicherten zurückspielen, dann mit `tourkasse hub "
            "migrate-store` umziehen"
        )
    if kind == "sqlite":
        checked = _into_sqlite(data, Path(url[len(SQLITE_PREFIX) :]), manifest)
    else:
        checked = _into_postgresql(data, url, manifest)
    return Restored(manifest, checked, _shown(url))


def _kind_of(url: str) -> str:
    if url.startswith(SQLITE_PREFIX):
        return "sqlite"
    if url.startswith(POSTGRES_PREFIXES):
        return "postgresql"
    raise StoreError(
        f"Das Ziel {url!r} ist keine Speicher-URL: erwartet sqlite:///ABSOLUTER/PFAD (also "
        "vier Schrägstriche, etwa sqlite:////var/lib/tourkasse/hub.sqlite) oder postgresql://…"
        " – nichts zurückgespielt"
    )


def _kind(kind: str) -> str:
    return "SQLite" if kind == "sqlite" else "PostgreSQL"


def refuse_unless_empty(url: str) -> bool:
    """StoreError when the target holds anything; True when it has the (empty) tables of a
    hub store already (a hub started on it once)."""
    if url.startswith(SQLITE_PREFIX) and not Path(url[len(SQLITE_PREFIX) :]).exists():
        return False
    held = target_contents(url)
    if held:
        listed = ", ".join(f"{table} ({rows})" for table, rows in held.items())
        raise StoreError(
            f"Das Ziel {_shown(url)} ist nicht leer: {listed}. Nichts zurückgespielt – eine "
            "Sicherung kommt nur in einen leeren Speicher (SQLite: eine Datei, die es noch nicht "
            "gibt; PostgreSQL: eine neue Datenbank, etwa createdb -O tourkasse tourkasse_neu)."
        )
    db = connect(url)
    try:
        return db.has_table("schema_version")
    finally:
        db.close()


# --- SQLite --------------------------------------------------------------------------------


def _into_sqlite(data: Path, target: Path, manifest: Manifest) -> Checked:
    if not target.is_absolute():
        raise StoreError(f"SQLite-Pfad muss absolut sein: {target}")
    refuse_unless_empty(f"{SQLITE_PREFIX}{target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(f".{target.name}.restore{folders.PARTIAL}")
    _remove_with_wal(work)
    try:
        try:
            with gzip.open(data, "rb") as packed, work.open("wb") as plain:
                shutil.copyfileobj(packed, plain, CHUNK)
        except (OSError, EOFError, zlib.error) as exc:
            if isinstance(exc, OSError) and exc.errno in folders.SPACE:
                raise StoreError(f"Kein Platz in {target.parent} für den Speicher") from exc
            raise StoreError(f"Sicherung {data} lässt sich nicht entpacken: {exc}") from exc
        with closing(sqlite3.connect(work)) as db:
            found = db.execute("PRAGMA integrity_check").fetchall()
        if found != [("ok",)]:
            return Checked(problems=[f"integrity_check: {found[0][0]}"])
        db = connect(f"{SQLITE_PREFIX}{work}")
        try:
            checked = check_restored(db, manifest)
        finally:
            db.close()
        if checked.problems:
            return checked  # the target stays as it was
        with work.open("rb") as file:
            os.fsync(file.fileno())
        _remove_with_wal(target)  # an empty store (checked above), or none
        os.rename(work, target)
        fsync_path(target.parent)
        _owned_like_folder(target)
        return checked
    finally:
        _remove_with_wal(work)


def _remove_with_wal(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def _owned_like_folder(path: Path) -> None:
    """Restored by root into the hub's folder: the file belongs to the hub's user, as the
    folder does, or the hub could not write to it."""
    if os.geteuid() != 0:
        return
    folder = path.parent.stat()
    if folder.st_uid != 0:
        os.chown(path, folder.st_uid, folder.st_gid)


# --- PostgreSQL ----------------------------------------------------------------------------


def _into_postgresql(data: Path, url: str, manifest: Manifest) -> Checked:
    has_tables = refuse_unless_empty(url)
    db = connect(url)
    try:
        assert isinstance(db, PostgresDatabase)
        major, server = server_version(db)
        written_by = int(manifest.tool.split(".")[0]) if manifest.tool else major
        reader = pg_tools.choose(
            "pg_restore",
            max(written_by, major),
            f"die Sicherung ist von pg_dump {manifest.tool}, der Server hat PostgreSQL {server}",
        )
        address, env = pg_tools.connection(url)
        args = [
            "--no-owner",  # the tables belong to the user restoring (the hub's)
            "--no-privileges",
            "--single-transaction",  # all or nothing
            "--exit-on-error",
            f"--dbname={address}",
        ]
        if has_tables:  # the empty tables of a hub started on it once
            args += ["--clean", "--if-exists"]
        pg_tools.run(reader, [*args, str(data)], env)
        checked = check_restored(db, manifest)
        if checked.problems:
            drop_restored(db)
        return checked
    finally:
        db.close()


def drop_restored(db: Database) -> None:
    """Take out again what the restore wrote (the database was empty before)."""
    with db.transaction():
        for table in (*TABLES, "schema_version"):
            db.run(f"DROP TABLE IF EXISTS {table} CASCADE")
        db.run("DROP FUNCTION IF EXISTS tourkasse_expect_chain(TEXT, BIGINT, TEXT)")
