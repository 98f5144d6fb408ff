"""``tourkasse hub backup`` and ``tourkasse hub restore``: the hub store saved while the hub
runs, and put back into an empty store, checked. See hub/store/backup.py and restore.py."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from hub.commands import config_argument, err, guarded, write
from hub.commands.migrate import _euro, shown

KEEP = 14


def register(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser(
        "backup",
        help="den Speicher der Zentrale sichern, während sie läuft",
        description="Sichert den Speicher der Zentrale in einen Ordner, während Empfang und Web "
        "weiterlaufen: SQLite über SQLites Online-Backup (geprüft, gzip-gepackt), PostgreSQL "
        "mit pg_dump (Paket postgresql-client). Daneben eine Prüfliste (.json): je Wagen Zahl "
        "der Journaleinträge und letzter Hash, Umsatz je Tag und Wagen, Zeilen je Tabelle. "
        "Danach bleiben die neuesten --keep Sicherungen, ältere werden gelöscht – erst, wenn "
        "die neue vollständig ist. Exit 0: gesichert; 1: abgebrochen (etwa Platte voll), "
        "nichts aufgehoben; 2: nicht begonnen (Ordner fehlt, Datenbank nicht erreichbar, "
        "pg_dump fehlt oder zu alt).",
    )
    config_argument(backup)
    backup.add_argument(
        "--to", required=True, type=Path, metavar="ORDNER", help="Ordner für die Sicherungen"
    )
    backup.add_argument(
        "--keep",
        type=_at_least_one,
        default=KEEP,
        metavar="N",
        help=f"so viele Sicherungen aufheben, die neueste mitgezählt (Vorgabe {KEEP})",
    )
    backup.set_defaults(func=guarded(run_backup))

    restore = sub.add_parser(
        "restore",
        help="eine Sicherung in einen leeren Speicher zurückspielen und prüfen",
        description="Spielt eine Sicherung (hub-….sqlite.gz oder hub-….pgdump, die Prüfliste "
        "hub-….json daneben) in einen leeren Speicher zurück: --to oder [store] url der "
        "Konfiguration. Die Zentrale muss dabei angehalten sein. Ein Speicher, der nicht leer "
        "ist, bleibt unberührt. Danach Prüfung gegen die Prüfliste: je Wagen Zahl der "
        "Einträge, letzter Hash und die ganze Hash-Kette, Umsatz je Tag, Zeilen je Tabelle. "
        "Exit 0 nur, wenn alles gleich ist; 1: Prüfung fehlgeschlagen (das Ziel bleibt leer); "
        "2: abgelehnt, nichts geschrieben.",
    )
    config_argument(restore)
    restore.add_argument(
        "--from",
        dest="source",
        required=True,
        type=Path,
        metavar="DATEI",
        help="die Sicherung (oder ihre Prüfliste .json)",
    )
    restore.add_argument(
        "--to",
        metavar="URL",
        help="leerer Speicher (sqlite:///PFAD oder postgresql://…); Vorgabe: [store] url",
    )
    restore.set_defaults(func=guarded(run_restore))


def _at_least_one(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"mindestens 1, nicht {text!r}")
    return number


def run_backup(args: argparse.Namespace) -> int:
    from hub.config import load_hub_config
    from hub.store.backup import BackupFailed, take_backup
    from hub.store.backup_folder import free, size_text

    url = load_hub_config(args.config).store.url
    began = time.monotonic()
    try:
        taken = take_backup(url, args.to.absolute(), keep=args.keep)
    except BackupFailed as exc:
        err(f"Sicherung abgebrochen: {exc}")
        return 1
    took = time.monotonic() - began
    manifest = taken.manifest
    lines = [
        f"Gesichert: {taken.data} ({size_text(manifest.size)}) in {_seconds(took)}",
        f"  Prüfliste: {taken.manifest_path.name}",
        f"  {len(manifest.trucks)} Wagen, {_number(manifest.entries)} Journaleinträge, Umsatz "
        f"an {_counted(len(manifest.days), 'Geschäftstag', 'Geschäftstagen')} zusammen "
        f"{_euro(manifest.turnover)}",
    ]
    if manifest.kind == "postgresql":
        lines.append(f"  pg_dump {manifest.tool}, Server PostgreSQL {manifest.server}")
    lines.append(
        f"  Aufgehoben: {_counted(taken.kept, 'Sicherung', 'Sicherungen')} (--keep {args.keep}), "
        "noch frei: "
        f"{size_text(free(args.to))}"
    )
    if taken.deleted:
        lines.append(f"  Gelöscht: {', '.join(taken.deleted)}")
    write("\n".join(lines) + "\n")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from hub.config import load_hub_config
    from hub.store.restore import restore_backup

    configured = load_hub_config(args.config).store.url
    url = args.to or configured
    if url == configured:
        hint = (
            "die Zentrale starten (systemctl start tourkasse-hub, oder tourkasse-hub-web und "
            "die tourkasse-hub-ingest@…)"
        )
    else:
        written = url if url.startswith("sqlite:") else shown(url)  # as it goes into the file
        hint = (
            f'in {args.config} unter [store] url = "{written}" eintragen und die Zentrale starten'
        )
    restored = restore_backup(args.source, url)
    manifest = restored.manifest
    lines = [
        f"Sicherung vom {_when(manifest.taken_at)} ({manifest.file}) nach {restored.target}:",
        "Prüfung gegen die Prüfliste:",
    ]
    for truck, head in sorted(manifest.trucks.items()):
        lines.append(
            f"  Wagen {truck}: {_counted(head['entries'], 'Eintrag', 'Einträge')} bis Nr. "
            f"{head['last_seq']}, letzter Hash {str(head['last_hash'])[:16]}…"
        )
    if manifest.days:
        lines.append(
            f"  Umsatz an {_counted(len(manifest.days), 'Geschäftstag', 'Geschäftstagen')} "
            f"({min(manifest.days)} bis {max(manifest.days)}), zusammen "
            f"{_euro(manifest.turnover)}"
        )
    problems = restored.checked.problems
    if problems:
        lines += [f"  FEHLER: {problem}" for problem in problems]
        lines.append(
            "Nicht zurückgespielt: das Ziel ist unverändert leer. Eine andere Sicherung nehmen."
        )
        write("\n".join(lines) + "\n")
        return 1
    lines += [
        f"  Je Wagen gleiche Zahl Einträge, gleicher letzter Hash und die Hash-Kette vom ersten "
        f"Eintrag an geprüft ({restored.checked.chains} Wagen), gleicher Umsatz je Tag und "
        "Wagen, gleich viele Zeilen je Tabelle: in Ordnung.",
        f"Jetzt {hint}.",
        f"Was die Wagen nach der Sicherung ({_when(manifest.taken_at)}) gesendet haben, fehlt der "
        "Zentrale jetzt; die Wagen haben es in ihren Journalen und senden es, wenn die "
        "Zentrale die Lücke bemerkt (mit dem nächsten Eintrag des Wagens). Prüfen: je Wagen "
        "tourkasse_truck_unstored_entries in /api/metrics muss auf 0 gehen (docs/operations.md, "
        "»Backing up the hub«).",
    ]
    write("\n".join(lines) + "\n")
    return 0


def _when(taken_at: str) -> str:
    """2026-12-04T02:30:12+00:00 as 2026-12-04 02:30 UTC."""
    return f"{taken_at[:10]} {taken_at[11:16]} UTC"


def _seconds(seconds: float) -> str:
    return f"{seconds:.1f} s".replace(".", ",")


def _counted(number: int, one: str, more: str) -> str:
    return f"{_number(number)} {one if number == 1 else more}"


def _number(number: int) -> str:
    return f"{number:,}".replace(",", ".")
