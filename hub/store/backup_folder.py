"""The folder the hub's backups go to: their names, one backup at a time, and which are kept.

A backup is two files with the same stem: the data (``hub-20261204T023012Z.sqlite.gz`` or
``….pgdump``) and its manifest (``hub-20261204T023012Z.json``). Both are written under a
hidden partial name first and get their final name only when complete and on disk (fsync,
then rename, which is atomic): a final name never stands for half a file. The manifest is
renamed last, so a backup counts as complete once its manifest is there. Old backups are
deleted only after the new one is complete; whatever a crashed run left (partial files, a
data file without manifest older than the newest complete backup) is cleared up by the next.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hub.store.dialect import StoreError
from tourkasse.durable import fsync_path

PARTIAL = ".partial"
NAME = re.compile(r"hub-(\d{8}T\d{6}Z)(?:-(\d+))?\.(sqlite\.gz|pgdump|json)")
MODE = 0o640  # password hashes and every sale are in it: the owner and its group only
SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


@dataclass(frozen=True, order=True)
class Stem:
    """One backup's name without its suffix, in the order the backups were taken."""

    stamp: str
    number: int = 0

    @property
    def name(self) -> str:
        return f"hub-{self.stamp}" + (f"-{self.number}" if self.number else "")


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """The folder, checked and held for this backup alone; StoreError when it cannot be used."""
    if not folder.exists():
        raise StoreError(
            f"Den Ordner für die Sicherungen {folder} gibt es nicht (ist das Laufwerk "
            "eingehängt?): bitte anlegen, für den Benutzer der Zentrale beschreibbar"
        )
    if not folder.is_dir():
        raise StoreError(f"{folder} ist kein Ordner")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"In den Ordner {folder} darf die Sicherung nicht schreiben: er muss dem Benutzer "
            "der Zentrale gehören (z. B. tourkasse)"
        )
    # the folder itself is locked, not a file in it: a lock file made by root (a backup by
    # hand) could not be opened by the nightly run as tourkasse
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"In {folder} läuft gerade eine andere Sicherung") from None
        yield
    finally:
        os.close(handle)


def new_stem(folder: Path, now: datetime) -> Stem:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    same = [stem.number for stem in _stems(folder) if stem.stamp == stamp]
    return Stem(stamp, max(same) + 1 if same else 0)  # two backups in one second


def partial(folder: Path, name: str) -> Path:
    return folder / f".{name}{PARTIAL}"


def clear_partials(folder: Path) -> None:
    """Partial files of runs that died (under the lock, no other run is writing)."""
    for path in folder.glob(f".hub-*{PARTIAL}*"):
        path.unlink(missing_ok=True)


def finish(path: Path, final: Path) -> None:
    """Make the complete file durable under its final name."""
    os.chmod(path, MODE)
    owner = final.parent.stat()
    if os.geteuid() == 0 and owner.st_uid != 0:  # by hand as root: as the nightly run's
        os.chown(path, owner.st_uid, owner.st_gid)
    with path.open("rb") as file:
        os.fsync(file.fileno())
    os.rename(path, final)
    fsync_path(final.parent)


def _stems(folder: Path) -> dict[Stem, set[str]]:
    found: dict[Stem, set[str]] = {}
    for path in folder.iterdir():
        if match := NAME.fullmatch(path.name):
            stem = Stem(match.group(1), int(match.group(2) or 0))
            found.setdefault(stem, set()).add(match.group(3))
    return found


def backups(folder: Path) -> list[tuple[Stem, Path]]:
    """Complete backups (data and manifest), oldest first, with their data file."""
    complete = []
    for stem, suffixes in _stems(folder).items():
        data = suffixes - {"json"}
        if "json" in suffixes and len(data) == 1:
            complete.append((stem, folder / f"{stem.name}.{data.pop()}"))
    return sorted(complete)


def incomplete(folder: Path) -> list[Stem]:
    return sorted(stem for stem, suffixes in _stems(folder).items() if "json" not in suffixes)


def prune(folder: Path, keep: int, new: Stem) -> list[str]:
    """Delete all but the ``keep`` newest complete backups, the ``new`` one always kept (also
    when the clock went back), and data files without manifest older than it; returns the
    names deleted."""
    others = [stem for stem, _ in backups(folder) if stem != new]
    deleted = []
    doomed = others[: max(0, len(others) - (keep - 1))]
    doomed += [stem for stem in incomplete(folder) if stem < new]
    for stem in sorted(doomed):
        for suffix in ("json", "sqlite.gz", "pgdump"):  # the manifest first: then incomplete
            path = folder / f"{stem.name}.{suffix}"
            if path.exists():
                path.unlink()
                deleted.append(path.name)
    if deleted:
        fsync_path(folder)
    return deleted


def free(folder: Path) -> int:
    """Bytes free in the folder for this user."""
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


def size_text(size: float) -> str:
    """A size as people read it: 16,8 KB, 1,2 GB."""
    for unit in ("Bytes", "KB", "MB", "GB"):
        if size < 1000:
            return (
                f"{size:.0f} {unit}" if unit == "Bytes" else f"{size:.1f} {unit}".replace(".", ",")
            )
        size /= 1000
    return f"{size:.1f} TB".replace(".", ",")


def no_room(folder: Path, needed: int) -> str:
    return (
        f"Kein Platz für die Sicherung in {folder}: sie braucht etwa {size_text(needed)}, frei "
        f"sind {size_text(free(folder))}. Nichts begonnen, die älteren Sicherungen sind "
        "unverändert. Platz schaffen oder --keep kleiner wählen."
    )


def said(exc: OSError | None, folder: Path, detail: str = "") -> str:
    """An error of writing into the folder, in the operator's words (``None``: a write
    error whose cause the database did not say)."""
    unchanged = "nichts aufgehoben, die älteren Sicherungen sind unverändert"
    if exc is None:
        return f"Schreibfehler in {folder} – Datenträger voll oder defekt? ({detail}): {unchanged}."
    if exc.errno in SPACE:
        return (
            f"Kein Platz für die Sicherung in {folder} (Datenträger voll oder Datei zu groß): "
            f"{unchanged}. Platz schaffen oder --keep kleiner wählen."
        )
    return f"Sicherung nach {folder} fehlgeschlagen ({exc.strerror or exc}): {unchanged}."
