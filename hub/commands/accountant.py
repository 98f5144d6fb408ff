"""``tourkasse hub report daily|cashbook``: the accountant's sums, cash book and exports."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.commands import Refused, config_argument, err, guarded, open_hub, write
from tourkasse.dsfinvk.command import os_problem

FORMATS = ("text", "csv", "json", "datev", "pdf")
DAILY_HELP = (
    "csv: für Excel und LibreOffice (UTF-8 mit BOM, Semikolon, Dezimalkomma), eine Zeile je "
    "Tag, Wagen und Halt. datev: DATEV-Buchungsstapel (EXTF, Formatversion 13, Windows-1252) "
    "mit den Konten aus [accounting] der Konfiguration; je Wirtschaftsjahr eine Datei. pdf: "
    "Monatsübersicht. json: alles in Cent. datev und pdf brauchen --out."
)


def register_reports(report_sub: argparse._SubParsersAction) -> None:
    daily = report_sub.add_parser(
        "daily",
        help="Tagessummen, Abschlüsse und Kartenumsätze eines Zeitraums; DATEV, CSV, PDF",
        description="Tagessummen je Wagen, Halt, Steuersatz (netto, USt, brutto) und "
        "Zahlungsart für einen Zeitraum, mit den Tagesabschlüssen (Z) und den Kartenumsätzen "
        "je Tag zum Abgleich mit dem Kartenterminal.",
        epilog=DAILY_HELP,
    )
    _range_arguments(daily)
    daily.add_argument("--truck", metavar="WAGEN", help="nur dieser Wagen")
    daily.add_argument("--format", choices=FORMATS, default="text", help="Ausgabeformat")
    daily.add_argument(
        "--out", type=Path, metavar="PFAD", help="in diese Datei (datev: oder diesen Ordner)"
    )
    config_argument(daily)
    daily.set_defaults(func=guarded(daily_command))

    cashbook = report_sub.add_parser(
        "cashbook",
        help="Kassenbuch eines Wagens: Anfangsbestand, jede Barbewegung, laufender Bestand",
        description="Das Kassenbuch eines Wagens für einen Zeitraum: der Bestand zu Beginn, "
        "jede Bewegung von Bargeld (Barverkäufe, Stornos, Anfangsbestand, Einzahlungen, "
        "Entnahmen, Geldtransit, Differenzen beim Abschluss) und der Bestand danach.",
    )
    _range_arguments(cashbook)
    cashbook.add_argument("--truck", required=True, metavar="WAGEN", help="der Wagen")
    cashbook.add_argument("--format", choices=("text", "csv", "json"), default="text")
    cashbook.add_argument("--out", type=Path, metavar="PFAD", help="in diese Datei")
    config_argument(cashbook)
    cashbook.set_defaults(func=guarded(cashbook_command))


def _range_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="first", required=True, metavar="JJJJ-MM-TT", help="erster Tag"
    )
    parser.add_argument(
        "--to", dest="last", required=True, metavar="JJJJ-MM-TT", help="letzter Tag"
    )


def _period(args: argparse.Namespace, timezone: str):
    from hub.accounting.period import Period, PeriodError, parse_day

    try:
        return Period(parse_day(args.first), parse_day(args.last), ZoneInfo(timezone))
    except PeriodError as exc:
        raise Refused(str(exc)) from None


def _known_truck(store, truck: str | None) -> None:
    if truck is not None and truck not in store.trucks():
        known = ", ".join(store.trucks()) or "noch keiner"
        raise Refused(f"Wagen „{truck}“ ist der Zentrale nicht bekannt (bekannt: {known})")


def _emit(args: argparse.Namespace, data: bytes | str) -> None:
    """Write to --out, or to standard output."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if args.out is None:
        write(raw.decode("utf-8"))
        return
    try:
        args.out.write_bytes(raw)
    except OSError as exc:
        raise Refused(f"{args.out}: nicht schreibbar ({os_problem(exc)})") from None
    print(f"Geschrieben: {args.out}")


def daily_command(args: argparse.Namespace) -> int:
    from hub.accounting import reading
    from hub.accounting.daily import DailyReport, daily_text
    from hub.commands.figures import stop_names

    if args.format in ("datev", "pdf") and args.out is None:
        target = "eine Datei oder einen Ordner" if args.format == "datev" else "eine Datei"
        raise Refused(f"--format {args.format} braucht --out ({target})")
    config, store = open_hub(args)
    period = _period(args, config.timezone)
    with store:
        _known_truck(store, args.truck)
        names = stop_names(config, store)
        days = store.turnover_days(period.first, period.last, truck=args.truck)
        closings = reading.closings(store, period, args.truck)
        books = reading.books(store, period, args.truck) if args.format == "datev" else []
    report = DailyReport(period, days, closings, names)
    if args.format == "json":
        _emit(args, json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        from hub.accounting.spreadsheet import sums_csv

        _emit(args, sums_csv(days, names, bom=True))
    elif args.format == "datev":
        _datev(args, config, period, books)
    elif args.format == "pdf":
        from hub.accounting.summary_pdf import summary_pdf

        _emit(args, summary_pdf(report))
    else:
        _emit(args, daily_text(report))
    return 0


def _datev(args: argparse.Namespace, config, period, books) -> None:
    from hub.accounting import datev
    from hub.accounting.accounts import Accounts

    _say_if_placeholders(config.accounting)
    made = datev.bookings(books, Accounts.of(config.accounting))
    batches = datev.batches(made, period.first, period.last, config.accounting)
    created = datetime.now(UTC).astimezone(ZoneInfo(config.timezone))
    files = [
        (batch, datev.batch_bytes(batch, config.accounting, created=created)) for batch in batches
    ]
    if args.out.is_dir():
        for batch, data in files:
            target = args.out / batch.name
            try:
                target.write_bytes(data)
            except OSError as exc:
                raise Refused(f"{target}: nicht schreibbar ({os_problem(exc)})") from None
            print(f"Geschrieben: {target} ({len(batch.bookings)} Buchungen)")
        return
    if len(files) > 1:
        years = ", ".join(f"{batch.first:%d.%m.%Y}–{batch.last:%d.%m.%Y}" for batch, _ in files)
        raise Refused(
            f"Der Zeitraum reicht über {len(files)} Wirtschaftsjahre ({years}); DATEV nimmt "
            "je Stapel nur eines. Bitte einen Ordner als --out angeben."
        )
    _emit(args, files[0][1])


def _say_if_placeholders(settings) -> None:
    """DATEV imports a batch only into the adviser's and client's own numbers: a config without
    them gets the placeholders 1001 and 1, which the accountant should hear about now, not from
    DATEV's import."""
    from hub.config import AccountingSettings

    usual = AccountingSettings()
    if (settings.adviser, settings.client) == (usual.adviser, usual.client):
        err(
            f"Hinweis: [accounting] adviser und client sind nicht gesetzt; der Stapel trägt "
            f"die Platzhalter Beraternummer {usual.adviser} und Mandantennummer {usual.client}; "
            "so nimmt DATEV ihn nicht in Ihren Mandanten auf. Bitte die Nummern des "
            "Steuerbüros in die Konfiguration eintragen."
        )


def cashbook_command(args: argparse.Namespace) -> int:
    from hub.accounting import reading
    from hub.accounting.cashbook_text import cash_book_csv, cash_book_text

    config, store = open_hub(args)
    period = _period(args, config.timezone)
    with store:
        _known_truck(store, args.truck)
        book = reading.cash_book_of(store, args.truck, period)
    if args.format == "json":
        _emit(args, json.dumps(book.to_dict(), ensure_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        _emit(args, cash_book_csv(book, ZoneInfo(config.timezone)))
    else:
        _emit(args, cash_book_text(book, ZoneInfo(config.timezone)))
    return 0
