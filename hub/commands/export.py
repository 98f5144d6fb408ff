"""``tourkasse hub export dsfinvk``: a truck's DSFinV-K export from the journal the hub stores.

The same writer as on the truck (tourkasse.dsfinvk) reads the same journal bytes, so the
hub's export of some closings is byte for byte the truck's export of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hub.commands import Refused, config_argument, guarded, open_hub, write
from tourkasse.dsfinvk.command import add_selection_arguments


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser(
        "export",
        help="Exporte für Finanzamt und Steuerprüfung",
        description="Exporte für Finanzamt und Steuerprüfung",
    )
    export_sub = export.add_subparsers(dest="export", metavar="EXPORT", required=True)
    dsfinvk = export_sub.add_parser(
        "dsfinvk",
        help="DSFinV-K-Export eines Wagens als ZIP (Tagesabschlüsse nach Datum oder Z-Nummer)",
        description="Schreibt die DSFinV-K-Dateien der gewählten Tagesabschlüsse eines Wagens "
        "(20 CSV-Dateien, index.xml, DTD) in eine ZIP-Datei, aus dem Journal, das die Zentrale "
        "vom Wagen hat. Ohne Auswahl alle Abschlüsse.",
    )
    dsfinvk.add_argument("--truck", required=True, metavar="WAGEN", help="Wagen-ID, z. B. T01")
    dsfinvk.add_argument(
        "--out", type=Path, required=True, metavar="DATEI.zip", help="die ZIP-Datei"
    )
    add_selection_arguments(dsfinvk)
    dsfinvk.add_argument(
        "--stammdaten",
        type=Path,
        metavar="TRUCK.toml",
        help="Konfiguration des Wagens ([shop], [truck] till_serial): Unternehmen und Kasse "
        "für ältere Abschlüsse, die sie noch nicht enthalten",
    )
    config_argument(dsfinvk)
    dsfinvk.set_defaults(func=guarded(export_dsfinvk))


def export_dsfinvk(args: argparse.Namespace) -> int:
    from tourkasse.dsfinvk import (
        ExportRefused,
        make_export,
        master_from_truck_config,
        read_journal,
        write_zip,
    )
    from tourkasse.dsfinvk.command import os_problem, selection_of, summary

    out: Path = args.out
    try:
        selection = selection_of(args)
        fallback = master_from_truck_config(args.stammdaten) if args.stammdaten else None
    except ValueError as exc:  # ExportRefused too
        raise Refused(str(exc)) from None
    if out.is_dir():
        raise Refused(f"{out} ist ein Ordner; bitte eine Datei angeben, z. B. {out / 'export.zip'}")
    if not out.parent.is_dir():
        raise Refused(f"Ordner {out.parent} gibt es nicht")
    if out.is_symlink() or (out.exists() and not out.is_file()):
        # the zip is renamed into place: that would replace a device or a link, not write to it
        raise Refused(f"{out} ist keine gewöhnliche Datei; bitte eine neue Datei angeben")
    _, store = open_hub(args)
    with store:
        if args.truck not in store.trucks():
            known = ", ".join(store.trucks()) or "keine"
            raise Refused(f"Wagen {args.truck} ist der Zentrale unbekannt (bekannt: {known})")
        data = list(store.journal(args.truck))
    try:
        entries = read_journal(data, truck=args.truck)
        export = make_export(
            entries,
            selection,
            fallback=fallback,
            fallback_source=f"{args.stammdaten}" if args.stammdaten else "",
        )
    except ExportRefused as exc:
        hint = "" if args.stammdaten else " (Ersatz mit --stammdaten TRUCK.toml)"
        raise Refused(f"{exc}{hint if 'Stammdaten' in str(exc) else ''}") from None
    try:
        write_zip(export, out)
    except OSError as exc:
        raise Refused(f"{out}: nicht beschreibbar ({os_problem(exc)})") from None
    write("\n".join(summary(export)) + f"\nGeschrieben: {out} ({len(export.files)} Dateien)\n")
    return 0
