"""What a backup of the hub store holds, written down beside it, so a restore can be checked.

The manifest (``hub-<time>.json`` beside ``hub-<time>.sqlite.gz`` or ``hub-<time>.pgdump``)
is read from the very state the backup holds (SQLite: the copy; PostgreSQL: the snapshot
pg_dump reads), never from the live store, which moves on meanwhile. It names the backup
file with its size and SHA-256 (a file damaged on its way to the off-site copy is found
before anything is restored), and per truck the number of journal entries, the last one's
number and hash, the gross turnover per business day and truck, and the rows per table.

:func:`check_restored` compares a restored store with it and walks every truck's hash chain
from the first entry to the last: a restore counts only when all of it is the same.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hub.store.dialect import Database, StoreError
from hub.store.moving import TABLES, Snapshot, _heads
from hub.store.schema import schema_version, setting
from hub.store.store import TIMEZONE_SETTING
from tourkasse.digest import sha256_of
from tourkasse.journal import ChainBroken, check_chain

FORMAT = 1
CHUNK = 1024 * 1024


@dataclass
class Manifest:
    """The contents of one backup, as far as a restore is checked against them."""

    kind: str  # "sqlite" or "postgresql"
    file: str  # the backup file's name (in the same folder as the manifest)
    taken_at: str  # UTC, ISO 8601
    source: str  # the store backed up (a PostgreSQL URL without its password)
    schema_version: int
    timezone: str
    size: int = 0  # bytes of the backup file
    sha256: str = ""
    tool: str = ""  # pg_dump's version, for PostgreSQL
    server: str = ""  # the PostgreSQL server's version
    trucks: dict[str, dict[str, Any]] = field(default_factory=dict)  # entries, last_seq, last_hash
    days: dict[str, dict[str, int]] = field(default_factory=dict)  # day → truck → gross (cents)
    rows: dict[str, int] = field(default_factory=dict)  # table → rows
    format: int = FORMAT

    @property
    def entries(self) -> int:
        return sum(int(truck["entries"]) for truck in self.trucks.values())

    @property
    def turnover(self) -> int:
        return sum(sum(trucks.values()) for trucks in self.days.values())

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1, sort_keys=True) + "\n", "utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise StoreError(
                    f"Prüfliste {path} hat Format {data.get('format')!r}, diese Tourkasse "
                    f"kennt {FORMAT}: bitte Tourkasse aktualisieren"
                )
            return cls(**data)
        except FileNotFoundError:
            raise StoreError(
                f"Zur Sicherung fehlt die Prüfliste {path}: ohne sie lässt sich das Zurückspielen "
                "nicht prüfen (sie wird mit jeder Sicherung geschrieben; beim Kopieren vergessen?)"
            ) from None
        except (OSError, ValueError, TypeError) as exc:
            raise StoreError(f"Prüfliste {path} nicht lesbar: {exc}") from exc


def read_contents(db: Database) -> dict[str, Any]:
    """Journals, turnover and rows of the store as ``db`` sees it now (call it inside the
    snapshot that is backed up)."""
    trucks = {
        truck: {"entries": entries, "last_seq": last, "last_hash": last_hash}
        for truck, (entries, last, last_hash) in sorted(_heads(db).items())
    }
    days: dict[str, dict[str, int]] = {}
    for day, truck, gross in db.rows(
        "SELECT day, truck, sum(gross) FROM turnover_rates GROUP BY day, truck ORDER BY day, truck"
    ):
        days.setdefault(day, {})[truck] = int(gross)
    rows = {
        table: _count(db, table) for table in (*TABLES, "schema_version") if db.has_table(table)
    }
    return {
        "schema_version": schema_version(db),
        "timezone": setting(db, TIMEZONE_SETTING) or "Europe/Berlin",
        "trucks": trucks,
        "days": days,
        "rows": rows,
    }


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file."""
    return path.stat().st_size, sha256_of(path)


def check_file(manifest: Manifest, path: Path) -> None:
    """StoreError when the backup file is not the one the manifest describes."""
    try:
        size, digest = file_digest(path)
    except OSError as exc:
        raise StoreError(f"Sicherung {path} nicht lesbar: {exc.strerror or exc}") from exc
    if (size, digest) != (manifest.size, manifest.sha256):
        raise StoreError(
            f"Sicherung {path} ist beschädigt oder unvollständig: {size} statt {manifest.size} "
            f"Bytes, SHA-256 {digest[:16]}… statt {manifest.sha256[:16]}… – nichts "
            "zurückgespielt. Eine andere Kopie dieser Sicherung oder eine ältere nehmen."
        )


@dataclass
class Checked:
    """What the check of a restored store found: nothing in ``problems`` is a match."""

    problems: list[str] = field(default_factory=list)
    chains: int = 0  # trucks whose chain was walked from the first entry to the last


def check_restored(db: Database, manifest: Manifest) -> Checked:
    """Compare the restored store with the manifest, and walk every journal's hash chain."""
    checked = Checked()
    found = read_contents(db)
    if found["trucks"] != manifest.trucks:
        differ = sorted(
            truck
            for truck in found["trucks"].keys() | manifest.trucks.keys()
            if found["trucks"].get(truck) != manifest.trucks.get(truck)
        )
        checked.problems.append(f"Journale verschieden bei Wagen {', '.join(differ)}")
    if found["days"] != manifest.days:
        differ = sorted(
            day
            for day in found["days"].keys() | manifest.days.keys()
            if found["days"].get(day) != manifest.days.get(day)
        )
        shown = ", ".join(differ[:5]) + (" …" if len(differ) > 5 else "")
        checked.problems.append(f"Umsatz je Tag verschieden: {shown}")
    if found["rows"] != manifest.rows:
        differ = sorted(
            f"{table} ({found['rows'].get(table, 0)} statt {manifest.rows.get(table, 0)})"
            for table in found["rows"].keys() | manifest.rows.keys()
            if found["rows"].get(table) != manifest.rows.get(table)
        )
        checked.problems.append(f"Zeilen je Tabelle verschieden: {', '.join(differ)}")
    for truck, problem in _walk_chains(db, manifest):
        if problem:
            checked.problems.append(f"Journal von Wagen {truck}: {problem}")
        else:
            checked.chains += 1
    return checked


def _walk_chains(db: Database, manifest: Manifest) -> Iterator[tuple[str, str]]:
    """Each truck's chain from its first entry: (truck, "" or what is wrong)."""
    columns = ("truck", "seq", "data", "hash")
    with Snapshot(db) as snapshot:
        rows = snapshot.pages("journal", columns, ("truck", "seq"))
        for truck, group in itertools.groupby(rows, key=lambda row: row[0]):
            try:
                summary = check_chain(
                    ((seq, bytes(data), stored) for _, seq, data, stored in group), truck=truck
                )
            except ChainBroken as exc:
                yield truck, f"Hash-Kette bricht bei Eintrag {exc.seq}: {exc.reason}"
                continue
            expected = manifest.trucks.get(truck, {}).get("last_hash")
            yield truck, "" if summary.last_hash == expected else "letzter Hash verschieden"


def _count(db: Database, table: str) -> int:
    row = db.one(f"SELECT count(*) FROM {table}")
    return int(row[0]) if row else 0
