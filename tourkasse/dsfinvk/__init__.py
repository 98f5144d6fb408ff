"""The DSFinV-K export (Digitale Schnittstelle der Finanzverwaltung für Kassensysteme).

From a truck's journal alone: :func:`make_export` picks closings and makes the twenty CSV
files with index.xml and the GDPdU DTD; :func:`write_directory` and :func:`write_zip` put
them on disk. The truck and the hub both call it, on the same journal bytes. See
docs/dsfinvk.md for which journal event becomes which rows.
"""

from tourkasse.dsfinvk.closings import ExportRefused, Selection, read_journal
from tourkasse.dsfinvk.export import Export, make_export, write_directory, write_zip, zip_bytes
from tourkasse.dsfinvk.master import Company, MasterData, TillMaster, master_from_truck_config

__all__ = [
    "Company",
    "Export",
    "ExportRefused",
    "MasterData",
    "Selection",
    "TillMaster",
    "make_export",
    "master_from_truck_config",
    "read_journal",
    "write_directory",
    "write_zip",
    "zip_bytes",
]
