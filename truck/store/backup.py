"""Making a backup of a truck onto a USB stick while the till and the agent go on.

SQLite files are copied with SQLite's online backup API in one step: it reads one consistent
snapshot even while the till appends (WAL lets the writer go on), where a file copy could
catch half a transaction. The journal is copied before the TSE: a TSE a little ahead of the
journal is what a crash between signing and journaling leaves, and the till resolves that on
start; a TSE behind the journal would repeat its counters.

Everything goes into a ``.unfertig-…`` folder first, is fsync'ed, read back and checked, and
only then renamed to its final name; older backups are deleted only after that.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tourkasse.durable import fsync_path
from truck.store import backup_folder
from truck.store.backup_folder import (
    CONFIG_DIR,
    JOURNAL_FILE,
    MANIFEST,
    SQLITE_SUFFIXES,
    TRACK_FILE,
    TSE_DIR,
    UNFINISHED_PREFIX,
    BackupError,
    Manifest,
)

KEEP = 5
# Beside a SQLite file while it is open, or the till's lock: never part of a backup.
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal", "-lock", ".lock", ".tmp")


@dataclass(frozen=True)
class TruckFiles:
    """What of a truck is backed up, where it lives on the truck."""

    truck: str
    journal: Path
    tse: Path
    track: Path | None
    config: Path
    config_refs: tuple[Path, ...] = ()  # files the config names: tour, broker CA, …


@dataclass(frozen=True)
class Made:
    folder: Path
    manifest: Manifest
    size: int
    deleted: tuple[Path, ...]


def make_backup(
    files: TruckFiles,
    stick: Path,
    *,
    keep: int = KEEP,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Made:
    """Back ``files`` up into ``stick/tourkasse/<truck>/<UTC time>/``; raises BackupError."""
    if not stick.is_dir():
        raise BackupError(
            f"Ordner {stick} gibt es nicht – ist der USB-Stick eingesteckt und eingebunden?"
        )
    if not files.journal.exists():
        raise BackupError(f"Journal {files.journal} gibt es nicht – hier gibt es nichts zu sichern")
    now = clock().astimezone(UTC)
    truck_dir = stick / "tourkasse" / files.truck
    unfinished: Path | None = None
    try:
        truck_dir.mkdir(parents=True, exist_ok=True)
        _remove_unfinished(truck_dir)
        unfinished = truck_dir / f"{UNFINISHED_PREFIX}{now:%Y%m%dT%H%M%SZ}-{os.getpid()}"
        unfinished.mkdir(mode=0o700)  # the TSE's key is in it: on a Linux stick too
        manifest = _write(files, unfinished, now)
        _fsync_tree(unfinished)
        backup_folder.check(unfinished, manifest)
        final = _free_name(truck_dir, f"{now:%Y%m%dT%H%M%SZ}")
        os.rename(unfinished, final)
        unfinished = None
        fsync_path(truck_dir)
    except OSError as exc:
        raise BackupError(_stick_problem(stick, exc)) from exc
    except sqlite3.Error as exc:
        raise BackupError(_sqlite_problem(stick, exc)) from exc
    finally:
        if unfinished is not None:
            shutil.rmtree(unfinished, ignore_errors=True)
    size = sum(entry["size"] for entry in manifest.files.values())
    deleted = _keep_newest(truck_dir, keep, final)
    return Made(final, manifest, size, deleted)


def _write(files: TruckFiles, folder: Path, now: datetime) -> Manifest:
    config_files: dict[str, str] = {}
    _copy_sqlite(files.journal, folder / JOURNAL_FILE)
    if files.tse.is_dir():
        for source in sorted(files.tse.rglob("*")):
            if source.is_file() and not source.name.endswith(SKIPPED_SUFFIXES):
                target = folder / TSE_DIR / source.relative_to(files.tse)
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.name.endswith(SQLITE_SUFFIXES):
                    _copy_sqlite(source, target)
                else:
                    shutil.copyfile(source, target)
    if files.track is not None and files.track.exists():
        _copy_sqlite(files.track, folder / TRACK_FILE)
    (folder / CONFIG_DIR).mkdir()
    for source in (files.config, *files.config_refs):
        name = f"{CONFIG_DIR}/{source.name}"
        if name in config_files or not source.is_file():
            continue
        shutil.copyfile(source, folder / name)
        config_files[name] = str(source.resolve())
    entries, last_seq, last_hash, acked = _journal_end(folder / JOURNAL_FILE)
    listed = {
        path.relative_to(folder).as_posix(): {
            "sha256": backup_folder.sha256_of(path),
            "size": path.stat().st_size,
            "mode": _mode_on_truck(path, folder, files),
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    manifest = Manifest(
        truck=files.truck,
        made_at=now.isoformat(timespec="seconds"),
        version=_version(),
        entries=entries,
        last_seq=last_seq,
        last_hash=last_hash,
        acked=acked,
        files=listed,
        config_files=config_files,
    )
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def _copy_sqlite(source: Path, target: Path) -> None:
    """One consistent snapshot of ``source`` as a single file (no WAL beside it)."""
    # mode=ro: the backup never writes to the truck's files (it may run as another user).
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        src.execute("PRAGMA busy_timeout = 15000")
        dst = sqlite3.connect(target, isolation_level=None)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, one snapshot
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _journal_end(path: Path) -> tuple[int, int, str, int]:
    conn = backup_folder.open_copy(path)
    try:
        count, last = conn.execute("SELECT count(*), coalesce(max(seq), 0) FROM journal").fetchone()
        row = conn.execute("SELECT hash FROM journal WHERE seq = ?", [last]).fetchone()
        acked = conn.execute("SELECT value FROM sync_state WHERE key = 'journal_acked'").fetchone()
    finally:
        conn.close()
    return count, last, row[0] if row else "", int(acked[0] if acked else 0)


def _mode_on_truck(path: Path, folder: Path, files: TruckFiles) -> int:
    """The file's mode on the truck, so a restore gives the TSE's key back its 0600."""
    relative = path.relative_to(folder)
    if relative.parts[0] == TSE_DIR:
        original = files.tse.joinpath(*relative.parts[1:])
        if original.exists():
            return original.stat().st_mode & 0o777
    return 0o640


def _version() -> str:
    try:
        return version("tourkasse")
    except PackageNotFoundError:
        return "unbekannt"


def _free_name(truck_dir: Path, stamp: str) -> Path:
    candidate, number = truck_dir / stamp, 1
    while candidate.exists():
        number += 1
        candidate = truck_dir / f"{stamp}-{number}"
    return candidate


def _remove_unfinished(truck_dir: Path) -> None:
    """What an aborted backup left (pulled stick, power cut): never a backup, so it goes."""
    for leftover in truck_dir.glob(f"{UNFINISHED_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _keep_newest(truck_dir: Path, keep: int, made: Path) -> tuple[Path, ...]:
    """Delete the oldest backups beyond ``keep``; never the one just made."""
    older = [p for p in backup_folder.backups_of(truck_dir) if p != made]
    doomed = older[: max(0, len(older) - (keep - 1))]
    for folder in doomed:
        # The manifest first: a deletion cut short leaves a folder no restore takes.
        (folder / MANIFEST).unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
    return tuple(doomed)


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: -len(p.parts)):
        fsync_path(path)
    fsync_path(folder)


def _stick_problem(stick: Path, exc: OSError) -> str:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return f"Der USB-Stick {stick} ist voll – Sicherung abgebrochen, nichts halb Geschriebenes bleibt"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"Auf {stick} darf nicht geschrieben werden (schreibgeschützt oder keine Rechte)"
    if exc.errno in (errno.EIO, errno.ENODEV, errno.ENOENT):
        return f"Der USB-Stick {stick} ist nicht mehr erreichbar oder defekt ({exc.strerror})"
    return f"Sicherung auf {stick} fehlgeschlagen: {exc.strerror or exc}"


def _sqlite_problem(stick: Path, exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "full" in text:
        return _stick_problem(stick, OSError(errno.ENOSPC, "voll"))
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return _stick_problem(stick, OSError(errno.EROFS, "schreibgeschützt"))
    if "locked" in text or "busy" in text:
        return "Das Journal war zu lange belegt – bitte gleich noch einmal"
    return f"Sicherung fehlgeschlagen: {exc}"
