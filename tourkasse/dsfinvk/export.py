"""The DSFinV-K export of a truck's closings: twenty CSV files, index.xml and the DTD.

The same closings give the same bytes wherever they are exported (on the truck from its
SQLite journal, on the hub from its store): everything comes from the journal, rows are in
journal order, times in a fixed zone, and the zip has sorted members with fixed timestamps.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tourkasse.dsfinvk.closings import ExportRefused, Selection, chosen, split_journal
from tourkasse.dsfinvk.index import DTD_NAME, index_xml
from tourkasse.dsfinvk.master import MasterData
from tourkasse.dsfinvk.tables import tables
from tourkasse.dsfinvk.totals import closing_rows
from tourkasse.dsfinvk.transactions import single_records
from tourkasse.dsfinvk.values import csv_bytes
from tourkasse.journal import Entry

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: no build time leaks in


@dataclass(frozen=True)
class Export:
    files: dict[str, bytes]  # file name → content: 20 CSV files, index.xml, the DTD
    kasse_ids: tuple[str, ...]
    closings: tuple[int, ...]  # the Z numbers exported
    days: tuple[str, ...]  # their business days (ISO), in the same order
    notes: tuple[str, ...]  # German: fallback master data used, text cut to its length


def make_export(
    entries: Iterable[Entry],
    selection: Selection | None = None,
    *,
    fallback: MasterData | None = None,
    fallback_source: str = "der Konfiguration",
) -> Export:
    """Export the closings ``selection`` picks from a journal given from its first entry.

    ``fallback`` stands in for the master data of closings written before the till put them
    into the closing entry; each such closing is named in ``notes``. Raises ExportRefused
    (German) when no closing is picked, or one has no master data and no fallback is given.
    """
    journal = split_journal(entries)
    periods = chosen(journal, selection or Selection())
    without = {p.number for p in journal.periods if p.master is None}
    if fallback is not None:
        for period in journal.periods:  # also those a void refers back to
            period.master = period.master or fallback
    notes: list[str] = []
    per_file: dict[str, list[dict]] = {table.file: [] for table in tables()}
    kasse_ids: list[str] = []
    for period in periods:
        master = period.master
        if master is None:
            raise ExportRefused(
                f"Tagesabschluss {period.number} ({period.day}) enthält keine Stammdaten "
                "(Unternehmen, Kasse), und es wurden keine Ersatz-Stammdaten angegeben"
            )
        if period.number in without:
            notes.append(
                f"Tagesabschluss {period.number} ({period.day}) enthält keine Stammdaten: "
                f"Unternehmen und Kasse aus {fallback_source} übernommen"
            )
        kasse_id = master.till.serial
        if kasse_id not in kasse_ids:
            kasse_ids.append(kasse_id)
        rows = single_records(journal, period, kasse_id)
        closing_rows(journal, period, master, rows)
        keys = {"Z_KASSE_ID": kasse_id, "Z_ERSTELLUNG": period.created, "Z_NR": period.number}
        for file, found in rows.by_file.items():
            per_file[file].extend({**keys, **row} for row in found)
    files = {table.file: csv_bytes(table, per_file[table.file], notes) for table in tables()}
    last = periods[-1].master
    assert last is not None
    company = last.company
    files["index.xml"] = index_xml(
        company.name,
        f"{company.street}, {company.postcode} {company.city}",
        f"DSFinV-K-Export von {last.till.software} {last.till.version}: Kasse "
        f"{', '.join(kasse_ids)}, Tagesabschlüsse {periods[0].number} bis {periods[-1].number}",
    )
    files[DTD_NAME] = resources.files(__package__).joinpath(DTD_NAME).read_bytes()
    return Export(
        files,
        tuple(kasse_ids),
        tuple(p.number for p in periods),
        tuple(p.day for p in periods),
        tuple(notes),
    )


def write_directory(export: Export, directory: Path) -> list[Path]:
    """Write the files into ``directory`` (made if missing); OSError when it is not writable."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(export.files):
        path = directory / name
        path.write_bytes(export.files[name])
        written.append(path)
    return written


def zip_bytes(export: Export) -> bytes:
    """The files in one zip: sorted members, fixed times and modes, stored uncompressed.

    Stored, not deflated: compressed bytes may differ between zlib builds, and an export
    must be the same file wherever it is made.
    """
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(export.files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3  # Unix, so the mode below reads the same everywhere
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, export.files[name])
    return buffer.getvalue()


def write_zip(export: Export, path: Path) -> Path:
    """Write the zip at ``path`` whole or not at all; OSError when it cannot be written."""
    data = zip_bytes(export)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


__all__ = [
    "Export",
    "ExportRefused",
    "Selection",
    "make_export",
    "write_directory",
    "write_zip",
    "zip_bytes",
]
