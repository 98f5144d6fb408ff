"""Putting a truck's backup in place on a (replacement) Pi.

Nothing that holds sales is ever overwritten: a journal already at the target is taken only
when it is the beginning of the backup's journal (the same entries, fewer of them), or when
the spare Pi wrote it on its own before anyone sold on it (only what till and agent note
unattended: a device missing, the clock, a TSE set up — and never confirmed by the hub); even
then it is moved aside, not deleted — as is any TSE state or track found there. The backup is
checked completely before anything is touched, and the journal is put in place last, so a
restore cut short leaves either the old state or a journal with its TSE.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tourkasse.durable import fsync_path
from tourkasse.journal import EntryKind
from truck.store import backup_folder
from truck.store.backup_folder import (
    JOURNAL_FILE,
    STAMP,
    TRACK_FILE,
    TSE_DIR,
    BackupError,
    Manifest,
)
from truck.store.lock import TillBusy, TillLock

SIDE_FILES = ("-wal", "-shm")
# What a freshly installed spare Pi journals by itself (install-truck starts till and agent with
# the example config): no sale, no cash, nothing a person did at the till.
UNATTENDED = frozenset(
    {
        EntryKind.DEVICE_FAILURE_START,
        EntryKind.DEVICE_FAILURE_END,
        EntryKind.TSE_STARTED,
        EntryKind.TSE_FAILURE_START,
        EntryKind.TSE_FAILURE_END,
        EntryKind.CLOCK_CORRECTION,
        EntryKind.STOP_ARRIVAL,
        EntryKind.STOP_DEPARTURE,
    }
)
ASIDE = ".vor-wiederherstellung-"


@dataclass(frozen=True)
class Target:
    """Where the configured truck keeps its data on this Pi."""

    truck: str
    journal: Path
    tse: Path
    track: Path


@dataclass(frozen=True)
class Restored:
    folder: Path
    manifest: Manifest
    kept_before: int  # entries the target had already (a beginning of the backup's journal)
    moved_aside: tuple[Path, ...]
    already: bool = False  # the target had this journal already: nothing was touched


def find_backup(source: Path, truck: str) -> Path:
    """The backup to restore: ``source`` itself when it is one, else the latest of ``truck``
    on the stick ``source`` (or in its folder ``source/tourkasse/<truck>``).

    The latest is the one with the most journal entries (a truck's journal only grows), the
    newest of those: not simply the newest folder. The spare Pi backs itself up the moment
    the stick is plugged in (udev), its few entries of its own under a newer name; and a
    clock that was wrong names a backup after its wrong time."""
    if not source.is_dir():
        raise BackupError(f"Ordner {source} gibt es nicht – ist der USB-Stick eingesteckt?")
    if (source / backup_folder.MANIFEST).exists() or STAMP.fullmatch(source.name):
        return source
    for truck_dir in (source / "tourkasse" / truck, source / truck, source):
        found = backup_folder.backups_of(truck_dir)
        if found:
            Manifest.read(found[-1])  # the newest unreadable: refused, it may be the latest
            return max(reversed(found), key=_last_seq)
    others = backup_folder.trucks_on(source)
    if others:
        raise BackupError(
            f"Auf {source} gibt es keine Sicherung von Wagen {truck}, nur von: {', '.join(others)}"
        )
    raise BackupError(f"Auf {source} gibt es keine Tourkasse-Sicherung")


def _last_seq(folder: Path) -> int:
    try:
        return Manifest.read(folder).last_seq
    except BackupError:
        return -1


def in_use(journal: Path) -> str | None:
    """Who still has the journal open, in words; None when nobody does."""
    lock = TillLock(journal)
    if lock.path.exists():  # a till makes it; none there: no till has ever run here
        try:
            lock.acquire().release()
        except TillBusy:
            return "Die Kasse läuft noch"
    names = {str(journal.resolve()), *(str(journal.resolve()) + s for s in SIDE_FILES)}
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        if fd_dir.parent.name == str(os.getpid()):
            continue
        try:
            for fd in fd_dir.iterdir():
                if os.readlink(fd) in names:
                    return (
                        f"Ein anderes Programm (Prozess {fd_dir.parent.name}) hat das Journal offen"
                    )
        except OSError:
            continue  # gone meanwhile, or another user's process (root sees all)
    return None


def restore(
    folder: Path, target: Target, *, owner: str = "tourkasse", checked: Manifest | None = None
) -> Restored:
    """Check the backup in ``folder`` and put it in place at ``target``; raises BackupError.
    ``checked``: the manifest of a check of ``folder`` just made (reading a year's backup off a
    stick twice costs half a minute on a Pi)."""
    manifest = checked or backup_folder.check(folder)
    if manifest.truck != target.truck:
        raise BackupError(
            f"Die Sicherung ist von Wagen {manifest.truck}, konfiguriert ist Wagen {target.truck}"
            " – nichts geändert"
        )
    busy = in_use(target.journal)
    if busy:
        raise BackupError(
            f"{busy} – erst beenden: sudo systemctl stop tourkasse-till tourkasse-agent"
        )
    ids = _owner_ids(owner)
    kept = _existing_beginning(target.journal, folder / JOURNAL_FILE)
    if kept and kept == manifest.entries:
        # Putting the backup's TSE state over this one could set its counters back.
        return Restored(folder, manifest, kept, (), already=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    parts = [(TSE_DIR, target.tse), (TRACK_FILE, target.track), (JOURNAL_FILE, target.journal)]
    parts = [(name, place) for name, place in parts if (folder / name).exists()]
    staged: list[tuple[Path, Path]] = []
    try:
        for name, place in parts:
            staged.append((_stage(folder / name, place, manifest, name, ids), place))
    except OSError as exc:
        for copy, _ in staged:
            _remove(copy)
        raise BackupError(
            f"{exc.filename or target.journal.parent} lässt sich nicht beschreiben "
            f"({exc.strerror or exc}) – nichts geändert"
        ) from exc
    moved: list[Path] = []
    for copy, place in staged:  # the journal last
        moved += _swap_in(copy, place, stamp)
    _check_in_place(target.journal, manifest)
    return Restored(folder, manifest, kept, tuple(moved))


def _owner_ids(owner: str) -> tuple[int, int] | None:
    """As root: the user the till and agent run as; otherwise files stay the caller's own."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(owner)
    except KeyError:
        raise BackupError(
            f"Benutzer {owner} gibt es auf diesem Pi nicht – erst scripts/install-truck ausführen"
        ) from None
    return entry.pw_uid, entry.pw_gid


def _existing_beginning(journal: Path, backup_journal: Path) -> int:
    """How many entries the target's journal has; refuses unless they begin the backup's."""
    if not journal.exists():
        return 0
    try:
        here = _hashes(journal)
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"Auf diesem Pi liegt schon ein Journal ({journal}), das nicht lesbar ist ({exc}) – "
            "nichts geändert; bitte die Disposition anrufen"
        ) from exc
    if not here:
        return 0
    there = _hashes(backup_journal)
    if len(here) <= len(there) and there[: len(here)] == here:
        return len(here)
    if _spare_made_it(journal):
        return 0  # moved aside like any journal found there, and not counted as kept
    if there[: len(here)] == here[: len(there)]:
        raise BackupError(
            f"Das Journal auf diesem Pi ist weiter als die Sicherung ({len(here)} statt "
            f"{len(there)} Einträge) – es würden Einträge überschrieben; nichts geändert. "
            "Eine neuere Sicherung nehmen, oder dieses Journal ist schon das richtige."
        )
    raise BackupError(
        f"Auf diesem Pi liegt schon ein Journal ({len(here)} Einträge, darin Verkäufe oder "
        "andere Kasseneinträge), das nicht mit der Sicherung beginnt – es würde überschrieben; "
        "nichts geändert. Bitte die Disposition anrufen"
    )


def _spare_made_it(journal: Path) -> bool:
    """Only entries a spare Pi writes unattended, none of them confirmed by the hub."""
    kinds = {row[0] for row in _read(journal, "SELECT DISTINCT kind FROM journal")}
    try:
        acked = _read(journal, "SELECT value FROM sync_state WHERE key = 'journal_acked'")
    except sqlite3.OperationalError:
        acked = []
    return kinds <= UNATTENDED and int(acked[0][0] if acked else 0) == 0


def _hashes(path: Path) -> list[str]:
    try:
        return [row[0] for row in _read(path, "SELECT hash FROM journal ORDER BY seq")]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise


def _read(path: Path, sql: str) -> list[tuple]:
    """Rows from a journal file, the target's (with its WAL) or the backup's."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        # Read-only but with the WAL: committed sales may still be only there. Without a WAL
        # the file alone is the journal, read without leaving anything beside it.
        owner = path.stat()
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
            _give_back(path, owner.st_uid, owner.st_gid)
    conn = backup_folder.open_copy(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _give_back(journal: Path, uid: int, gid: int) -> None:
    """Side files SQLite made while root read the journal belong to the journal's owner."""
    if os.geteuid() != 0:
        return
    for suffix in SIDE_FILES:
        side = journal.with_name(journal.name + suffix)
        if side.exists():
            os.chown(side, uid, gid)


def _stage(
    source: Path,
    destination: Path,
    manifest: Manifest,
    prefix: str,
    ids: tuple[int, int] | None,
) -> Path:
    """A checked copy of ``source`` beside ``destination``, with its owner and mode."""
    parent = destination.parent
    _make_dir(parent, ids)
    staged = parent / f".{destination.name}.wiederherstellung"
    _remove(staged)
    if source.is_dir():
        shutil.copytree(source, staged)
    else:
        shutil.copyfile(source, staged)
    for path in [staged, *(staged.rglob("*") if staged.is_dir() else ())]:
        relative = path.relative_to(staged).as_posix()
        name = prefix if relative == "." else f"{prefix}/{relative}"
        if path.is_file() and backup_folder.sha256_of(path) != manifest.files[name]["sha256"]:
            raise OSError(f"{name} kam nicht unverändert an")
        os.chmod(path, 0o700 if path.is_dir() else manifest.files[name].get("mode", 0o640))
        if ids is not None:
            os.chown(path, *ids)
        fsync_path(path)
    return staged


def _swap_in(staged: Path, destination: Path, stamp: str) -> list[Path]:
    """Rename the staged copy into place; what was there (with its WAL) moves aside."""
    moved = []
    for suffix in ("", *SIDE_FILES):
        old = destination.with_name(destination.name + suffix)
        if old.exists():
            aside = old.with_name(f"{destination.name}{ASIDE}{stamp}{suffix}")
            os.rename(old, aside)
            moved.append(aside)
    os.rename(staged, destination)
    fsync_path(destination.parent)
    return moved


def _make_dir(path: Path, ids: tuple[int, int] | None) -> None:
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for made in missing:
        os.chmod(made, 0o750)
        if ids is not None:
            os.chown(made, *ids)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _check_in_place(journal: Path, manifest: Manifest) -> None:
    if backup_folder.sha256_of(journal) != manifest.files[JOURNAL_FILE]["sha256"]:
        raise BackupError(f"Das zurückgespielte Journal {journal} weicht von der Sicherung ab")
