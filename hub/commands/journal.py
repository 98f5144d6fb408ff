"""``tourkasse hub journal check``: checking a journal a truck exported (a USB stick)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tourkasse.journal import ChainBroken, check_chain, entry_hash


def register(sub: argparse._SubParsersAction) -> None:
    jour = sub.add_parser("journal", help="Journale der Wagen", description="Journale der Wagen")
    jour_sub = jour.add_subparsers(dest="action", metavar="AKTION", required=True)
    check = jour_sub.add_parser(
        "check",
        help="Ein exportiertes Journal (tourkasse truck journal export) prüfen",
        description="Prüft Lückenlosigkeit und Hash-Kette eines exportierten Journals.",
    )
    check.add_argument("file", type=Path, metavar="DATEI", help="Exportdatei, ein Eintrag je Zeile")
    check.add_argument("--truck", metavar="WAGEN", help="Wagen-ID, die jeder Eintrag tragen muss")
    check.add_argument(
        "--last-hash",
        metavar="HASH",
        help="Hash des letzten Eintrags, wie ihn der Wagen nennt (mind. 16 Zeichen): "
        "nur so fällt auch eine Änderung am letzten Eintrag auf",
    )
    check.set_defaults(func=journal_check)


def journal_check(args: argparse.Namespace) -> int:
    try:
        lines = args.file.read_bytes().splitlines()
    except OSError as exc:
        print(f"Datei {args.file} nicht lesbar: {exc.strerror}", file=sys.stderr)
        return 2
    rows = ((seq, data, entry_hash(data)) for seq, data in enumerate(lines, start=1))
    try:
        summary = check_chain(rows, truck=args.truck)
    except ChainBroken as exc:
        print(f"Journal FEHLERHAFT: Eintrag {exc.seq}: {exc.reason}")
        return 1
    if args.last_hash is not None:
        # as `journal verify` prints it, possibly with an ellipsis behind
        expected = args.last_hash.strip().rstrip("….").lower()
        if len(expected) < 16 or not summary.last_hash.startswith(expected):
            print(
                f"Journal FEHLERHAFT: letzter Hash {summary.last_hash[:16]}… statt "
                f"{expected[:16]}… – der letzte Eintrag wurde verändert oder fehlt"
            )
            return 1
    print(f"Journal in Ordnung: {summary.entries} Einträge, Hash-Kette gültig.")
    return 0
