"""What the truck's and the hub's export commands share: choosing closings, naming, telling."""

from __future__ import annotations

import argparse
import errno
import re
from datetime import date

from tourkasse.dsfinvk.closings import ExportRefused, Selection
from tourkasse.dsfinvk.export import Export


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="first_day", metavar="JJJJ-MM-TT", help="erster Geschäftstag (einschl.)"
    )
    parser.add_argument(
        "--to", dest="last_day", metavar="JJJJ-MM-TT", help="letzter Geschäftstag (einschl.)"
    )
    parser.add_argument(
        "--z-from", dest="first_z", metavar="NR", help="erster Tagesabschluss (Z-Nummer)"
    )
    parser.add_argument(
        "--z-to", dest="last_z", metavar="NR", help="letzter Tagesabschluss (Z-Nummer)"
    )


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ExportRefused(
            f"{what}: „{text}“ ist kein Datum (erwartet JJJJ-MM-TT, z. B. 2026-11-24)"
        ) from None


def _number(text: str | None, what: str) -> int | None:
    if text is None:
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise ExportRefused(f"{what}: „{text}“ ist keine Abschlussnummer (1, 2, 3, …)")
    return int(text)


def selection_of(args: argparse.Namespace) -> Selection:
    """The closings the arguments ask for; ExportRefused (German) for what cannot be meant."""
    selection = Selection(
        first_z=_number(args.first_z, "--z-from"),
        last_z=_number(args.last_z, "--z-to"),
        first_day=_day(args.first_day, "--from"),
        last_day=_day(args.last_day, "--to"),
    )
    if selection.first_day and selection.last_day and selection.first_day > selection.last_day:
        raise ExportRefused("--from liegt nach --to")
    if selection.first_z and selection.last_z and selection.first_z > selection.last_z:
        raise ExportRefused("--z-from ist größer als --z-to")
    return selection


def export_name(export: Export) -> str:
    """e.g. ``dsfinvk_TK-T01-0001_Z1-3``: the till and the closings, safe as a file name."""
    till = re.sub(r"[^A-Za-z0-9_-]+", "-", "+".join(export.kasse_ids)) or "kasse"
    first, last = export.closings[0], export.closings[-1]
    return f"dsfinvk_{till}_Z{first}" + (f"-{last}" if last != first else "")


def summary(export: Export) -> list[str]:
    closings = len(export.closings)
    first, last = export.closings[0], export.closings[-1]
    days = (
        export.days[0]
        if export.days[0] == export.days[-1]
        else f"{export.days[0]} bis {export.days[-1]}"
    )
    what = (
        f"Tagesabschluss {first}" if closings == 1 else f"{closings} Tagesabschlüsse {first}–{last}"
    )
    lines = [f"DSFinV-K: {what} ({days}), Kasse {', '.join(export.kasse_ids)}"]
    lines += [f"Hinweis: {note}" for note in export.notes]
    return lines


def os_problem(exc: OSError) -> str:
    """Why a file could not be written, in German (the system's own text is English)."""
    reasons = {
        errno.EACCES: "keine Schreibrechte",
        errno.EPERM: "keine Schreibrechte",
        errno.ENOENT: "Ordner nicht gefunden",
        errno.ENOTDIR: "ein Teil des Pfads ist kein Ordner",
        errno.EISDIR: "ist ein Ordner",
        errno.ENOSPC: "kein Platz mehr auf dem Datenträger",
        errno.EROFS: "Datenträger ist schreibgeschützt",
        errno.EEXIST: "dort ist schon etwas, das keine Datei ist",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))
