"""Backing up the hub store while ingest and web go on writing.

SQLite: SQLite's online backup API copies the store as one read transaction sees it (in WAL
mode the ingest keeps writing meanwhile), the copy is checked (``PRAGMA integrity_check``),
its manifest is read from the copy itself, and the copy is gzipped. PostgreSQL: a read-only
REPEATABLE READ transaction exports its snapshot; the manifest is read in it and ``pg_dump
--format=custom --snapshot=…`` dumps exactly that state, which ``pg_restore --list`` then
reads back once. See backup_folder.py for names, partial files and which backups are kept,
and backup_manifest.py for what the manifest holds.
"""

from __future__ import annotations

import errno
import gzip
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hub.store import backup_folder as folders
from hub.store import pg_tools
from hub.store.backup_manifest import CHUNK, Manifest, file_digest, read_contents
from hub.store.dialect import SQLITE_PREFIX, PostgresDatabase, StoreError, connect
from hub.store.moving import _check_sqlite_source, _shown

GZIP_LEVEL = 6
ROOM = 1.3  # the plain copy, and the packed one beside it for a moment


class BackupFailed(StoreError):
    """The backup began and could not be finished; nothing of it is kept."""


@dataclass
class Taken:
    """A finished backup: its files, what it holds, and what was deleted for it."""

    data: Path
    manifest_path: Path
    manifest: Manifest
    kept: int = 0
    deleted: list[str] = field(default_factory=list)


def take_backup(url: str, folder: Path, *, keep: int, now: datetime | None = None) -> Taken:
    """A complete backup of the store at ``url`` into ``folder``, and the ``keep`` newest
    kept there. StoreError when it cannot begin, BackupFailed when it broke off."""
    now = now or datetime.now(UTC)
    with folders.locked(folder):
        folders.clear_partials(folder)
        stem = folders.new_stem(folder, now)
        final: Path | None = None
        try:
            if url.startswith(SQLITE_PREFIX):
                written, suffix, manifest = _sqlite(url, folder, stem, now)
            else:
                written, suffix, manifest = _postgresql(url, folder, stem, now)
            manifest.size, manifest.sha256 = file_digest(written)
            final = folder / f"{stem.name}.{suffix}"
            folders.finish(written, final)
            listed = folders.partial(folder, f"{stem.name}.json")
            manifest.write(listed)
            manifest_path = folder / f"{stem.name}.json"
            folders.finish(listed, manifest_path)  # from here on the backup is complete
        except BaseException as exc:
            folders.clear_partials(folder)
            if final is not None:
                final.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise BackupFailed(folders.said(exc, folder)) from exc
            if isinstance(exc, sqlite3.Error):
                name = getattr(exc, "sqlite_errorname", "")
                if name == "SQLITE_FULL":
                    raise BackupFailed(folders.said(OSError(errno.ENOSPC, ""), folder)) from exc
                if name.startswith("SQLITE_IOERR"):
                    raise BackupFailed(folders.said(None, folder, str(exc))) from exc
                raise BackupFailed(f"SQLite meldet beim Sichern: {exc}") from exc
            if isinstance(exc, pg_tools.ToolFailed):
                if _no_space(exc.said):
                    raise BackupFailed(folders.said(OSError(errno.ENOSPC, ""), folder)) from exc
                raise BackupFailed(str(exc)) from exc
            raise
        deleted = folders.prune(folder, keep, stem)
        kept = len(folders.backups(folder))
    return Taken(final, manifest_path, manifest, kept, deleted)


def _no_space(said: str) -> bool:
    return "No space left" in said or "File too large" in said or "Disk quota" in said


# --- SQLite --------------------------------------------------------------------------------


def _sqlite(
    url: str, folder: Path, stem: folders.Stem, now: datetime
) -> tuple[Path, str, Manifest]:
    source = Path(url[len(SQLITE_PREFIX) :])
    _check_sqlite_source(source)
    wal = source.with_name(source.name + "-wal")
    needed = int(ROOM * (source.stat().st_size + (wal.stat().st_size if wal.exists() else 0)))
    if folders.free(folder) < needed:
        raise BackupFailed(folders.no_room(folder, needed))
    copy = folders.partial(folder, f"{stem.name}.sqlite")
    # read-only: the backup writes nothing into the hub's file; one step: one snapshot
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=15)) as hub,
        closing(sqlite3.connect(copy)) as target,
    ):
        hub.backup(target)
    with closing(sqlite3.connect(copy)) as target:
        found = target.execute("PRAGMA integrity_check").fetchall()
    if found != [("ok",)]:
        raise BackupFailed(
            f"Die Kopie von {source} ist nicht in Ordnung (integrity_check: "
            f"{'; '.join(str(row[0]) for row in found[:5])}) – nichts aufgehoben. Ist der "
            "Speicher der Zentrale selbst beschädigt? `sqlite3 DATEI 'PRAGMA integrity_check'`"
        )
    db = connect(f"{SQLITE_PREFIX}{copy}")
    try:
        contents = read_contents(db)
    finally:
        db.close()
    packed = folders.partial(folder, f"{stem.name}.sqlite.gz")
    with (
        copy.open("rb") as plain,
        packed.open("wb") as raw,
        gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0
        ) as out,
    ):
        shutil.copyfileobj(plain, out, CHUNK)
    copy.unlink()
    manifest = Manifest(
        kind="sqlite",
        file=f"{stem.name}.sqlite.gz",
        taken_at=now.isoformat(timespec="seconds"),
        source=str(source),
        **contents,
    )
    return packed, "sqlite.gz", manifest


# --- PostgreSQL ----------------------------------------------------------------------------


def server_version(db: PostgresDatabase) -> tuple[int, str]:
    row = db.one("SELECT current_setting('server_version_num'), current_setting('server_version')")
    assert row is not None
    return int(row[0]) // 10000, str(row[1]).split()[0]


def _postgresql(
    url: str, folder: Path, stem: folders.Stem, now: datetime
) -> tuple[Path, str, Manifest]:
    db = connect(url)
    try:
        if not (db.has_table("schema_version") and db.has_table("journal")):
            raise StoreError(f"{_shown(url)} ist kein Speicher einer Zentrale")
        assert isinstance(db, PostgresDatabase)
        major, server = server_version(db)
        dump = pg_tools.choose("pg_dump", major, f"der Server hat PostgreSQL {server}")
        dumped = folders.partial(folder, f"{stem.name}.pgdump")
        address, env = pg_tools.connection(url)
        with _exported_snapshot(db) as snapshot:
            contents = read_contents(db)  # in the snapshot pg_dump reads
            pg_tools.run(
                dump,
                [
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--lock-wait-timeout=60s",
                    f"--file={dumped}",
                    f"--dbname={address}",
                ],
                env,
            )
    finally:
        db.close()
    reader = pg_tools.choose(
        "pg_restore", dump.major, f"die Sicherung ist von pg_dump {dump.version}"
    )
    pg_tools.run(reader, ["--list", str(dumped)], env)  # the archive reads back
    manifest = Manifest(
        kind="postgresql",
        file=f"{stem.name}.pgdump",
        taken_at=now.isoformat(timespec="seconds"),
        source=_shown(url),
        tool=dump.version,
        server=server,
        **contents,
    )
    return dumped, "pgdump", manifest


@contextmanager
def _exported_snapshot(db: PostgresDatabase) -> Iterator[str]:
    """A read-only transaction whose snapshot pg_dump takes over (``--snapshot``); it stays
    open until pg_dump is done."""
    db.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        row = db.one("SELECT pg_export_snapshot()")
        assert row is not None
        yield str(row[0])
    finally:
        if not db.conn.closed:
            db.run("ROLLBACK")
