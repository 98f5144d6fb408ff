"""``tourkasse truck tse init|export``: setting up the TSE named in the config, and its own
export (TAR) for a tax auditor, e.g. onto a USB stick at an unannounced Kassen-Nachschau."""

from __future__ import annotations

import argparse

from tourkasse.dsfinvk.command import os_problem
from truck.cli_support import Refused
from truck.config import load_truck_config
from truck.fiscal.software_tse import STATE_FILE, SoftwareTse
from truck.fiscal.tse import TseError, TseUnavailable


def tse_init(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    if config.tse.kind == "fiskaly":
        return _fiskaly_init(config)
    directory = config.paths.tse
    if (directory / STATE_FILE).exists():
        raise Refused(f"In {directory} ist bereits eine Software-TSE eingerichtet")
    with SoftwareTse(directory, curve=config.tse.curve, create=True) as tse:
        info = tse.info()
    print(f"Software-TSE eingerichtet in {directory}")
    print(f"Seriennummer: {info.serial_number}")
    print(
        "Hinweis: nicht zertifiziert – zum Ausprobieren. Wer wirklich verkauft, braucht eine "
        "zertifizierte TSE, gemeldet beim Finanzamt (ELSTER)."
    )
    return 0


def _fiskaly_init(config) -> int:
    from truck.till.tse_setup import set_up_fiskaly

    try:
        done = set_up_fiskaly(config)
    except TseUnavailable as exc:
        raise Refused(f"fiskaly nicht erreichbar – später noch einmal versuchen: {exc}") from None
    except TseError as exc:
        raise Refused(f"fiskaly lehnt die Einrichtung ab: {exc}") from None
    print(f"fiskaly-TSS {done.tss_id} eingerichtet, Kasse {config.truck.till_serial} angemeldet")
    print(f"Seriennummer der TSE: {done.serial_number}")
    if done.admin_puk:
        print(f"PUK (nur jetzt sichtbar – sicher aufbewahren!): {done.admin_puk}")
    return 0


def tse_export(args: argparse.Namespace) -> int:
    from truck.till.tse_export import export_tse_tar

    config = load_truck_config(args.config)
    if not args.out.is_dir():
        # never made here: a USB stick that is not mounted would leave the export on the SD card
        raise Refused(
            f"Ordner {args.out} gibt es nicht – ist der USB-Stick eingesteckt und eingebunden?"
        )
    try:
        written = export_tse_tar(config, args.out)
    except TseUnavailable as exc:
        raise Refused(f"TSE nicht erreichbar, kein Export: {exc}") from None
    except TseError as exc:
        raise Refused(str(exc)) from None
    except OSError as exc:
        raise Refused(f"{args.out}: nicht beschreibbar ({os_problem(exc)})") from None
    print(f"TSE-Export geschrieben: {written} ({written.stat().st_size} Bytes)")
    return 0
