"""``tourkasse hub rebuild|report|problems``: figures from the journals, and what was refused."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hub.accounting.spreadsheet import CSV_COLUMNS, METHODS, NO_STOP, in_tour_order, sums_csv
from hub.commands import Refused
from hub.commands import config_argument as _config_argument
from hub.commands import guarded as _guarded
from hub.commands import open_hub as _open
from hub.commands import write as _write
from tourkasse.german import WEEKDAY_NAMES
from tourkasse.money import format_eur

CSV_HELP = (
    "CSV für die Buchhaltung: UTF-8, Semikolon, Dezimalkomma, eine Kopfzeile, eine Zeile je "
    "Wagen und Halt (Halt leer und Haltname „ohne Halt“ für Verkäufe ohne bekannten Halt). "
    f"Spalten: {'; '.join(CSV_COLUMNS)}. Beträge in Euro; Training und abgebrochene Bons sind "
    "nicht im Umsatz."
)


def register(sub: argparse._SubParsersAction) -> None:
    rebuild = sub.add_parser(
        "rebuild",
        help="Alle Umsatzzahlen aus den gespeicherten Journalen neu berechnen",
        description="Verwirft die berechneten Zahlen und berechnet sie aus den Journalen neu.",
    )
    _config_argument(rebuild)
    rebuild.set_defaults(func=_guarded(rebuild_command))

    report = sub.add_parser(
        "report", help="Berichte für Büro und Buchhaltung", description="Berichte"
    )
    report_sub = report.add_subparsers(dest="report", metavar="BERICHT", required=True)
    turnover = report_sub.add_parser(
        "turnover",
        help="Umsatz eines Geschäftstags je Wagen, Halt, Steuersatz und Zahlungsart",
        description="Umsatz eines Geschäftstags (Ortszeit der Zentrale) je Wagen und Halt, "
        "mit Brutto, Umsatzsteuer und Netto je Steuersatz und den Zahlungsarten.",
        epilog=CSV_HELP,
    )
    turnover.add_argument("--date", required=True, metavar="JJJJ-MM-TT", help="Geschäftstag")
    turnover.add_argument("--truck", metavar="WAGEN", help="nur dieser Wagen")
    turnover.add_argument(
        "--format",
        choices=("text", "csv", "json"),
        default="text",
        help="text (lesbar), csv (Buchhaltung, siehe unten) oder json (Beträge in Cent)",
    )
    _config_argument(turnover)
    turnover.set_defaults(func=_guarded(turnover_command))

    from hub.commands.accountant import register_reports

    register_reports(report_sub)

    problems = sub.add_parser(
        "problems",
        help="Abgelehnte Nachrichten und Gabelungen (Forks) der Journale anzeigen",
        description="Was die Zentrale nicht annehmen konnte, und Wagen, deren Journal sich "
        "gegabelt hat (z. B. nach dem Zurückspielen einer Sicherung).",
    )
    problems.add_argument(
        "--limit", type=int, default=100, metavar="N", help="höchstens N Nachrichten (100)"
    )
    _config_argument(problems)
    problems.set_defaults(func=_guarded(problems_command))


# --- rebuild -----------------------------------------------------------------------------


def rebuild_command(args: argparse.Namespace) -> int:
    _, store = _open(args)
    with store:
        read = store.rebuild_projections()
    _write(f"Umsatzzahlen neu berechnet: {read} Journaleinträge gelesen.\n")
    return 0


# --- turnover ----------------------------------------------------------------------------


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(f"„{text}“ ist kein Datum (erwartet JJJJ-MM-TT, z. B. 2026-11-24)") from None


def stop_names(config, store) -> dict[str, str]:
    """Names from the plan the hub goes by: edited on the web, else the tour file."""
    from hub.tours.editing import current_plan

    plan = current_plan(store, config.tours.file)
    return plan.stop_names() if plan else {}


def turnover_command(args: argparse.Namespace) -> int:
    day = _day(args.date)
    config, store = _open(args)
    with store:
        names = stop_names(config, store)
        report = store.turnover(day, truck=args.truck)
    if args.format == "json":
        data = report.to_dict()
        for truck in data["trucks"]:
            for stop in truck["stops"]:
                stop["name"] = names.get(stop["stop"], stop["stop"]) if stop["stop"] else NO_STOP
        _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        _write(sums_csv([report], names))
    else:
        _write(turnover_text(report, names))
    return 0


def _figure_lines(f, indent: str) -> list[str]:
    voids = f" (davon {f.voids} Storno{'s' if f.voids != 1 else ''})" if f.voids else ""
    bons = "1 Bon" if f.receipts == 1 else f"{f.receipts} Bons"
    lines = [f"{indent}Umsatz {format_eur(f.turnover)} aus {bons}{voids}"]
    for rate in f.rates:
        gross, vat = f.gross_by_rate[rate], f.vat_by_rate.get(rate, 0)
        lines.append(
            f"{indent}  {rate.percent_text:>6}: brutto {format_eur(gross):>12}   "
            f"USt {format_eur(vat):>10}   netto {format_eur(gross - vat):>12}"
        )
    payments = "   ".join(
        f"{label} {format_eur(f.by_payment[method])}"
        for method, label in METHODS
        if method in f.by_payment
    )
    if payments:
        lines.append(f"{indent}  {payments}")
    return lines


def _not_turnover(f) -> str | None:
    parts = []
    if f.training:
        plural = "s" if f.training != 1 else ""
        parts.append(f"{f.training} Trainingsbon{plural} ({format_eur(f.training_total)})")
    if f.aborted:
        parts.append(f"{f.aborted} abgebrochene Bons" if f.aborted != 1 else "1 abgebrochener Bon")
    return f"Nicht im Umsatz: {', '.join(parts)}" if parts else None


def turnover_text(report, names: dict[str, str]) -> str:
    day = report.day
    lines = [
        f"Umsatz am {WEEKDAY_NAMES[day.weekday()]}, {day.strftime('%d.%m.%Y')} "
        f"(Geschäftstag in {report.timezone})",
        "",
    ]
    if not report.trucks:
        lines.append("Keine Bons an diesem Tag.")
        return "\n".join(lines) + "\n"
    for truck in report.trucks:
        lines.append(f"Wagen {truck.truck}")
        for stop in in_tour_order(truck.stops, names):
            if stop.stop is None:
                title = NO_STOP
            else:
                name = names.get(stop.stop)
                title = f"{name} ({stop.stop})" if name else stop.stop
            lines.append(f"  {title}")
            lines += _figure_lines(stop.figures, "    ")
        lines.append(f"  Summe Wagen {truck.truck}")
        lines += _figure_lines(truck.figures, "    ")
        lines.append("")
    total = report.figures
    lines.append("Summe des Tages")
    lines += _figure_lines(total, "  ")
    extra = _not_turnover(total)
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


# --- problems ----------------------------------------------------------------------------


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M:%S")


def _preview(payload: bytes, size: int = 100) -> str:
    text = payload[:size].decode("utf-8", errors="backslashreplace")
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text + ("…" if len(payload) > size else "") if payload else "(leer)"


def problems_command(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise Refused("--limit: erwartet eine Zahl ab 1")
    config, store = _open(args)
    zone = ZoneInfo(config.timezone)
    with store:
        rejected = store.rejected(args.limit)
        alerts = store.alerts()
        forks = store.forks()
    lines: list[str] = []
    if alerts:
        lines.append("ALARM – Journale mit Gabelung (gleiche Nummer, anderer Inhalt):")
        for alert in alerts:
            lines.append(
                f"  Wagen {alert.truck}: ab Eintrag {alert.first_seq}, {alert.count} "
                f"abweichende Einträge, zuerst gesehen {_local(alert.first_seen, zone)}"
            )
            for fork in (f for f in forks if f.truck == alert.truck):
                lines.append(
                    f"    Eintrag {fork.seq}: gespeichert {fork.stored_hash[:16]}…, "
                    f"angekommen {fork.arriving_hash[:16]}… ({_local(fork.received_at, zone)})"
                )
        lines.append(
            "  Das gespeicherte Journal bleibt unverändert. Wurde auf dem Wagen eine Sicherung "
            "zurückgespielt oder die Speicherkarte kopiert?"
        )
    else:
        lines.append("Keine Gabelungen der Journale.")
    lines.append("")
    if rejected:
        lines.append(f"Abgelehnte Nachrichten (neueste zuerst, höchstens {args.limit}):")
        for item in rejected:
            truck = f"  Wagen {item.truck}" if item.truck else ""
            lines.append(f"  {_local(item.received_at, zone)}  {item.topic}{truck}")
            lines.append(f"    Grund: {item.reason}")
            lines.append(f"    Inhalt: {_preview(item.payload)}")
    else:
        lines.append("Keine abgelehnten Nachrichten.")
    _write("\n".join(lines) + "\n")
    return 0
