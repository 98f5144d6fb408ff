"""``tourkasse truck export dsfinvk``: the fiscal export of the truck's own journal.

For an unannounced Kassen-Nachschau: the tax auditor may ask for the DSFinV-K export on the
spot, so the truck makes it from its own journal, without the hub and without the network,
e.g. straight onto a USB stick. It only reads the journal (no lock, no TSE).
"""

from __future__ import annotations

import argparse

from tourkasse.dsfinvk import ExportRefused, MasterData, make_export, read_journal
from tourkasse.dsfinvk.command import export_name, os_problem, selection_of, summary
from tourkasse.dsfinvk.export import write_directory, write_zip
from truck.cli_support import Refused, journal_db
from truck.config import load_truck_config


def export_dsfinvk(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    try:
        selection = selection_of(args)
    except ExportRefused as exc:
        raise Refused(str(exc)) from None
    db = journal_db(config)
    try:
        rows = db.execute("SELECT data FROM journal ORDER BY seq")
        data = [bytes(row[0]) for row in rows]
    finally:
        db.close()
    fallback = MasterData.of_shop(config.shop, config.truck.till_serial)
    try:
        entries = read_journal(data, truck=config.truck.id)
        export = make_export(
            entries,
            selection,
            fallback=fallback,
            fallback_source=f"der Konfiguration {args.config}",
        )
    except ExportRefused as exc:
        raise Refused(str(exc)) from None
    name = export_name(export)
    out = args.out
    if out.exists() and not out.is_dir():
        raise Refused(f"{out} ist eine Datei, kein Ordner")
    if not out.is_dir():
        # never made here: a USB stick that is not mounted would leave the export on the SD card
        raise Refused(
            f"Ordner {out} gibt es nicht – ist der USB-Stick eingesteckt und eingebunden?"
        )
    try:
        write_directory(export, out / name)
        zipped = write_zip(export, out / f"{name}.zip")
    except OSError as exc:
        raise Refused(f"{out}: nicht beschreibbar ({os_problem(exc)})") from None
    for line in summary(export):
        print(line)
    print(f"Geschrieben: {out / name}/ ({len(export.files)} Dateien) und {zipped}")
    return 0
