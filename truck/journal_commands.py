"""``tourkasse truck journal …`` and ``receipt``: reading the journal, never writing it."""

from __future__ import annotations

import argparse
import sys

from tourkasse.journal import ChainBroken, EntryKind
from tourkasse.receipt import Receipt
from tourkasse.receipt_text import LOCAL, receipt_lines
from tourkasse.signature import TseFields
from truck.cli_support import Refused, journal_db, summary
from truck.config import load_truck_config
from truck.store import journal
from truck.till.opening import shop_header


def receipt(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    db = journal_db(config)
    try:
        entry = journal.numbered_entry(db, args.number)
    finally:
        db.close()
    if entry is None:
        raise Refused(f"Bon {args.number} gibt es nicht")
    if entry.kind is not EntryKind.RECEIPT:
        raise Refused(f"Beleg {args.number} ist kein Verkaufsbon: {summary(entry.body)}")
    found = Receipt.from_dict(entry.body["receipt"])
    header = shop_header(config)
    lines = receipt_lines(
        header,
        args.number,
        found,
        TseFields.from_dict(entry.body["tse"]),
        entry.at,
        columns=config.printer.columns,
        copy=True,
    )
    print("\n".join(lines))
    return 0


def journal_verify(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    db = journal_db(config)
    try:
        summary = journal.verify(db, truck=config.truck.id)
    except ChainBroken as exc:
        print(f"Journal FEHLERHAFT: Eintrag {exc.seq}: {exc.reason}")
        return 1
    finally:
        db.close()
    if summary.entries == 0:
        print(f"Journal in Ordnung: leer ({config.paths.journal})")
    else:
        entries = "1 Eintrag" if summary.entries == 1 else f"{summary.entries} Einträge"
        print(
            f"Journal in Ordnung: {entries}, {summary.first_seq}–{summary.last_seq}, "
            f"lückenlos, Hash-Kette gültig, letzter Hash {summary.last_hash[:16]}"
        )
    return 0


def journal_show(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    db = journal_db(config)
    try:
        kind = EntryKind(args.kind) if args.kind else None
        rows = list(journal.entries(db, kinds=(kind,) if kind else ()))
    except ValueError as exc:
        raise Refused(
            f"unbekannte Art „{args.kind}“ (z. B. {', '.join(k.value for k in EntryKind)})"
        ) from exc
    finally:
        db.close()
    if args.last is not None:
        if args.last < 1:
            raise Refused("--last braucht eine Zahl ab 1")
        rows = rows[-args.last :]
    for entry in rows:
        print(
            f"{entry.seq:>6}  {entry.at.astimezone(LOCAL):%d.%m.%Y %H:%M:%S}  {entry.kind.value:<18} {summary(entry.body)}"
        )
    return 0


def journal_export(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    db = journal_db(config)
    if args.out is not None and args.out.is_dir():
        raise Refused(f"{args.out} ist ein Ordner – bitte einen Dateinamen angeben")
    out = open(args.out, "wb") if args.out else sys.stdout.buffer  # noqa: SIM115
    try:
        count = 0
        for (data,) in db.execute("SELECT data FROM journal ORDER BY seq"):
            out.write(bytes(data) + b"\n")
            count += 1
    finally:
        db.close()
        if args.out:
            out.close()
    if args.out:
        print(f"{'1 Eintrag' if count == 1 else f'{count} Einträge'} nach {args.out} geschrieben.")
    return 0
