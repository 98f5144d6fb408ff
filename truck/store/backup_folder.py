"""One backup of a truck on a USB stick: its layout, its manifest, and the check of both.

A backup is a folder ``<stick>/tourkasse/<truck id>/<UTC time>/`` holding

- ``journal.sqlite`` — the journal (a single file, no WAL beside it),
- ``tse/…`` — the TSE's state: the software TSE's key and counters, or fiskaly.sqlite,
- ``track.sqlite`` — the GPS track, when the truck has one,
- ``config/…`` — the truck's config file and the files it names (tour, CA, scale handshake),
- ``manifest.json`` — written last: truck, entries, last hash, every file's SHA-256.

A folder is only ever given its final name once all of it is on the stick and checked;
until then it is ``.unfertig-…``, which nothing here takes for a backup.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from tourkasse.digest import sha256_of
from tourkasse.journal import ChainBroken
from truck.store import journal

MANIFEST = "manifest.json"
FORMAT = 1
JOURNAL_FILE = "journal.sqlite"
TRACK_FILE = "track.sqlite"
TSE_DIR = "tse"
CONFIG_DIR = "config"
UNFINISHED_PREFIX = ".unfertig-"
STAMP = re.compile(r"\d{8}T\d{6}Z(-\d+)?")  # 20261204T183012Z, -2 for a second one that second
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


class BackupError(RuntimeError):
    """A backup cannot be made or used; str() says why in the words of the people at the truck."""


@dataclass(frozen=True)
class Manifest:
    truck: str
    made_at: str  # ISO 8601, UTC
    version: str
    entries: int
    last_seq: int
    last_hash: str
    acked: int  # the hub had confirmed the journal through this entry when the backup was made
    files: dict[str, dict[str, Any]]  # path in the backup → sha256, size, mode
    config_files: dict[str, str]  # path in the backup → where the file was on the truck

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=2, ensure_ascii=False)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if data.pop("format") != FORMAT:
                raise BackupError(f"Sicherung {folder}: unbekanntes Format")
            return cls(**data)
        except FileNotFoundError:
            raise BackupError(
                f"{folder} ist keine vollständige Sicherung (manifest.json fehlt)"
            ) from None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise BackupError(
                f"Sicherung {folder}: manifest.json ist nicht lesbar ({exc})"
            ) from exc


def open_copy(path: Path) -> sqlite3.Connection:
    """A backup's SQLite file, read without writing anything beside it (works on a read-only stick)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None)


def integrity(path: Path) -> str:
    """ "ok", or what SQLite's integrity check found wrong."""
    try:
        conn = open_copy(path)
        try:
            found = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)
    return "ok" if found == ["ok"] else "; ".join(found[:3])


def check(folder: Path, manifest: Manifest | None = None) -> Manifest:
    """Check a backup folder completely: every file against the manifest, every SQLite file's
    integrity, the journal's hash chain and its end against the manifest. Raises BackupError."""
    manifest = manifest or Manifest.read(folder)
    for name, expected in manifest.files.items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"Sicherung {folder}: {name} fehlt")
        if path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            raise BackupError(f"Sicherung {folder}: {name} ist verändert oder unvollständig")
        if name.endswith(SQLITE_SUFFIXES):
            found = integrity(path)
            if found != "ok":
                raise BackupError(f"Sicherung {folder}: {name} ist beschädigt ({found})")
    if JOURNAL_FILE not in manifest.files:
        raise BackupError(f"Sicherung {folder}: das Journal fehlt im Verzeichnis der Dateien")
    db = Database(open_copy(folder / JOURNAL_FILE))
    try:
        summary = journal.verify(db, truck=manifest.truck)
    except ChainBroken as exc:
        raise BackupError(
            f"Sicherung {folder}: Journal fehlerhaft bei Eintrag {exc.seq}: {exc.reason}"
        ) from exc
    finally:
        db.close()
    if (summary.entries, summary.last_seq, summary.last_hash if summary.entries else "") != (
        manifest.entries,
        manifest.last_seq,
        manifest.last_hash,
    ):
        raise BackupError(f"Sicherung {folder}: das Journal passt nicht zu manifest.json")
    return manifest


def backups_of(truck_dir: Path) -> list[Path]:
    """The finished backup folders of one truck, oldest first (their names sort by time)."""
    if not truck_dir.is_dir():
        return []
    return sorted(
        (p for p in truck_dir.iterdir() if p.is_dir() and STAMP.fullmatch(p.name)),
        key=_stamp_key,
    )


def _stamp_key(path: Path) -> tuple[str, int]:
    stamp, _, again = path.name.partition("-")
    return stamp, int(again or 1)


def trucks_on(stick: Path) -> list[str]:
    """The trucks that have backups under ``stick/tourkasse``."""
    base = stick / "tourkasse"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and backups_of(p))


def describe(folder: Path) -> str:
    """One line about a backup for a list: when, how many entries; or why it is no use."""
    try:
        manifest = Manifest.read(folder)
    except BackupError:
        return f"{folder.name}: unvollständig (manifest.json fehlt oder ist nicht lesbar)"
    return f"{folder.name}: {entries_text(manifest.entries, manifest.last_seq)}"


def entries_text(entries: int, last_seq: int) -> str:
    if entries == 0:
        return "Journal leer"
    return f"Eintrag 1–{last_seq}" if entries > 1 else "Eintrag 1"


def first_entry(folder: Path) -> bytes:
    """The canonical bytes of the backup's first journal entry."""
    conn = open_copy(folder / JOURNAL_FILE)
    try:
        return bytes(conn.execute("SELECT data FROM journal ORDER BY seq LIMIT 1").fetchone()[0])
    finally:
        conn.close()
