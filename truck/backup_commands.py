"""``tourkasse truck backup`` and ``restore``: the truck's data onto a USB stick and back.

For a broken Pi swapped in the morning: yesterday's backup (made when the stick was plugged
in, see systemd/tourkasse-truck-backup@.service) goes onto the new Pi, and the agent sends
the hub whatever it had not got yet.
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path

from truck.cli_support import Refused
from truck.config import TruckConfig, load_truck_config
from truck.restore_hub_check import HubNotReached, hub_committed
from truck.store import backup_folder
from truck.store.backup import KEEP, TruckFiles, make_backup
from truck.store.backup_folder import BackupError, Manifest, entries_text, first_entry
from truck.store.restore import Target, find_backup, restore

HUB_TIMEOUT_S = 15


def add_commands(sub, command, with_config) -> None:
    """Register ``backup`` and ``restore`` in the truck's parser (see truck/cli.py)."""
    backup = with_config(
        command(
            sub,
            "backup",
            "Journal, TSE und Konfiguration im laufenden Betrieb sichern, z. B. auf einen "
            "USB-Stick",
            run_backup,
        )
    )
    backup.add_argument(
        "--to", type=Path, required=True, metavar="ORDNER", help="Ordner, z. B. der USB-Stick"
    )
    backup.add_argument(
        "--keep",
        type=int,
        default=KEEP,
        metavar="N",
        help=f"so viele Sicherungen dieses Wagens bleiben auf dem Stick (Vorgabe {KEEP})",
    )
    back = with_config(
        command(
            sub,
            "restore",
            "Eine Sicherung auf diesen (Ersatz-)Pi zurückspielen; Kasse und Agent vorher beenden",
            run_restore,
        )
    )
    back.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="ORDNER",
        help="der USB-Stick (nimmt die neueste Sicherung dieses Wagens) oder ein Sicherungsordner",
    )
    back.add_argument(
        "--without-hub",
        action="store_true",
        help="die Zentrale nicht fragen, wie weit sie das Journal hat (kein Netz; nur nach "
        "Rücksprache mit der Disposition)",
    )
    back.add_argument(
        "--owner",
        default="tourkasse",
        metavar="BENUTZER",
        help="als root: Besitzer der Dateien (Vorgabe tourkasse, der Benutzer von Kasse und Agent)",
    )


def truck_files(config: TruckConfig, config_path: Path) -> TruckFiles:
    refs = [config.tour.file, config.hub.tls_ca, config.scale.handshake_file]
    return TruckFiles(
        truck=config.truck.id,
        journal=config.paths.journal,
        tse=config.paths.tse,
        track=config.paths.track,
        config=config_path,
        config_refs=tuple(ref for ref in refs if ref is not None),
    )


def run_backup(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    if args.keep < 1:
        raise Refused("--keep braucht eine Zahl ab 1")
    _refuse_root_on_others_journal(config.paths.journal)
    try:
        made = make_backup(truck_files(config, args.config), args.to, keep=args.keep)
    except BackupError as exc:
        raise Refused(f"Sicherung NICHT gemacht: {exc}") from exc
    manifest = made.manifest
    print(
        f"Sicherung fertig: {entries_text(manifest.entries, manifest.last_seq)}"
        f"{_last_hash(manifest)}, {_size(made.size)}, geprüft – {made.folder}"
    )
    if made.deleted:
        print(f"Ältere Sicherungen gelöscht: {', '.join(p.name for p in made.deleted)}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    target = Target(
        truck=config.truck.id,
        journal=config.paths.journal,
        tse=config.paths.tse,
        track=config.paths.track,
    )
    try:
        asked = ""
        folder = find_backup(args.source, config.truck.id)
        checked = backup_folder.check(folder)
        if checked.truck == config.truck.id:  # another truck's backup: restore says so
            asked = _ask_hub(config, folder, checked, skip=args.without_hub)
        done = restore(folder, target, owner=args.owner, checked=checked)
    except BackupError as exc:
        raise Refused(f"NICHT zurückgespielt: {exc}") from exc
    manifest = done.manifest
    if done.already:
        print(
            f"Nichts zu tun: das Journal hier enthält die Sicherung schon ganz "
            f"({entries_text(manifest.entries, manifest.last_seq)}; {done.folder})"
        )
        return 0
    print(
        f"Zurückgespielt: Wagen {manifest.truck}, "
        f"{entries_text(manifest.entries, manifest.last_seq)}{_last_hash(manifest)}"
    )
    print(f"  Sicherung vom {_local(manifest.made_at)} ({done.folder})")
    print(f"  Journal: {target.journal}; TSE: {target.tse}; Fahrtspur: {target.track}")
    if done.kept_before:
        print(f"  Die {done.kept_before} Einträge, die hier schon waren, sind darin enthalten.")
    for path in done.moved_aside:
        print(f"  Beiseitegelegt (nicht gelöscht): {path}")
    if manifest.config_files:
        print("  Konfiguration in der Sicherung (zum Vergleichen oder Kopieren):")
        for name, original in manifest.config_files.items():
            print(f"    {done.folder / name}  (war {original})")
    print()
    if asked:
        print(asked)
    print(_behind_hub_warning(manifest))
    return 0


def _ask_hub(config: TruckConfig, folder: Path, manifest: Manifest, *, skip: bool) -> str:
    """Refuse a backup behind the hub; what was found out, or plainly that it was not."""
    if not config.hub.enabled or manifest.entries == 0:
        return ""
    if skip:
        return "Zentrale nicht gefragt (--without-hub)."
    try:
        through = hub_committed(
            config.truck.id, config.hub, first_entry(folder), timeout=HUB_TIMEOUT_S
        )
    except HubNotReached as exc:
        return f"ACHTUNG: Zentrale nicht gefragt: {exc}."
    if through > manifest.last_seq:
        raise BackupError(
            f"Die Zentrale hat von Wagen {manifest.truck} schon Einträge bis {through}, die "
            f"Sicherung nur bis {manifest.last_seq}: der alte Pi hat nach der Sicherung noch "
            "verkauft. Mit dieser Sicherung bekämen neue Bons Nummern, die die Zentrale schon "
            "hat. Bitte die Disposition anrufen – die Zentrale hat alles bis "
            f"Eintrag {through}; nichts geändert"
        )
    return (
        f"Zentrale gefragt: sie hat Eintrag 1–{through}, die Sicherung "
        f"{entries_text(manifest.entries, manifest.last_seq)} – der Agent sendet den Rest."
    )


def _behind_hub_warning(manifest: Manifest) -> str:
    return (
        "WICHTIG vor dem ersten Verkauf: zuerst nur den Agenten starten "
        "(sudo systemctl start tourkasse-agent) und im Protokoll "
        "(journalctl -u tourkasse-agent) oder auf der Seite der Zentrale prüfen, dass die "
        f"Zentrale nicht MEHR als Eintrag {manifest.last_seq} von Wagen {manifest.truck} hat.\n"
        f"Beim Sichern hatte die Zentrale {_confirmed(manifest.acked)}. Hat der alte Pi "
        "nach der Sicherung noch verkauft oder abgeglichen, meldet der Agent: „Die Zentrale hat "
        "das Journal bis Eintrag …, dieser Wagen nur bis …“ – dann NICHT verkaufen und die "
        "Disposition anrufen: neue Bons bekämen Nummern, die die Zentrale schon hat."
    )


def _confirmed(acked: int) -> str:
    return f"Eintrag 1–{acked} bestätigt" if acked else "noch nichts bestätigt"


def _refuse_root_on_others_journal(journal: Path) -> None:
    """Root reading a WAL journal would leave root-owned side files the till cannot open."""
    if os.geteuid() == 0 and journal.exists() and journal.stat().st_uid != 0:
        raise Refused(
            "bitte als Benutzer der Kasse sichern: sudo -u tourkasse tourkasse truck backup …"
        )


def _last_hash(manifest: Manifest) -> str:
    return f", letzter Hash {manifest.last_hash[:16]}" if manifest.entries else ""


def _size(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB".replace(".", ",")
    return f"{max(1, size // 1024)} kB"


def _local(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%d.%m.%Y %H:%M")
