"""``tourkasse hub migrate-store``: moving the hub's store to another database (SQLite →
PostgreSQL), with every table, checked afterwards. See hub/store/moving.py for how."""

from __future__ import annotations

import argparse
from pathlib import Path

from hub.commands import Refused, err, guarded, write
from hub.store.dialect import SQLITE_PREFIX, Database
from hub.store.moving import (
    COPIED,
    DROPPED,
    REPLAYED,
    Moved,
    empty_target,
    move,
    moved_meanwhile,
    open_source,
    target_contents,
)

LABELS = {
    "journal": "Journaleinträge",
    "trucks": "Wagen mit Journal",
    "turnover_rates": "Umsatz je Tag, Wagen, Halt und Steuersatz",
    "turnover_payments": "Zahlungen je Tag, Wagen, Halt und Zahlart",
    "turnover_counts": "Bons je Tag, Wagen und Halt",
    "settings": "Einstellungen",
    "forks": "abweichende Einträge (Quarantäne)",
    "rejected": "abgewiesene Nachrichten mit Grund",
    "statuses": "letzter Status je Wagen",
    "track": "Streckenpunkte",
    "positions": "letzte Position je Wagen",
    "users": "Benutzer (mit Passwort-Hash und Rollen)",
    "api_tokens": "API-Tokens",
    "catalogue_articles": "Artikel",
    "catalogue_departments": "Warengruppen",
    "price_changes": "Preisänderungen",
    "catalogue_history": "Änderungen am Artikelstamm",
    "pushes": "an die Wagen verteilte Stände",
    "tour_plans": "Versionen des Tourplans",
    "board_links": "Links der Halte-Anzeigen",
    "orders": "Bestellungen",
    "order_lines": "Positionen der Bestellungen",
    "order_deadlines": "Bestellschluss je Halt",
    "order_publications": "an die Wagen gesendete Bestellungen",
    "order_log": "Änderungen an Bestellungen",
    "sessions": "Anmeldungen (alle melden sich neu an)",
    "login_failures": "Fehlversuche beim Anmelden",
    "pending_imports": "hochgeladene, nicht bestätigte Artikellisten",
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "migrate-store",
        help="den Speicher der Zentrale in eine andere Datenbank umziehen (SQLite → PostgreSQL)",
        description="Zieht den Speicher der Zentrale in eine leere Datenbank um, meist von "
        "SQLite nach PostgreSQL: Journale (über die Annahme, jede Kette neu geprüft, Umsätze "
        "neu berechnet), Quarantäne, abgewiesene Nachrichten, Status, Strecken, Benutzer, "
        "API-Tokens, Artikelstamm mit Geschichte, Tourplan-Versionen, Links der Anzeigen, "
        "Bestellungen mit Bestellschluss und Änderungen, "
        "Einstellungen. Anmeldungen werden nicht übernommen: alle melden sich neu an. "
        "Die Zentrale (serve, ingest, web) muss dabei angehalten sein: die Quelle wird nur "
        "gelesen, und schreibt sie doch jemand während des Umzugs, wird das Ziel wieder "
        "geleert und der Umzug abgelehnt. Ein Ziel, das nicht leer ist, bleibt unberührt.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from", dest="source", metavar="URL", help="Speicher, der umzieht (sqlite:///PFAD)"
    )
    source.add_argument(
        "--config",
        type=Path,
        metavar="PFAD",
        help="Konfiguration der Zentrale: ihr [store] url zieht um",
    )
    parser.add_argument(
        "--to", required=True, metavar="URL", help="leere Datenbank, z. B. postgresql://…"
    )
    parser.set_defaults(func=guarded(migrate_store))


def migrate_store(args: argparse.Namespace) -> int:
    from hub.store import open_store
    from hub.store.schema import setting
    from hub.store.store import TIMEZONE_SETTING

    source_url = args.source or _configured(args.config)
    if _same(source_url, args.to):
        raise Refused("Quelle und Ziel sind derselbe Speicher")
    source = open_source(source_url)
    try:
        held = target_contents(args.to)
        if held:
            listed = ", ".join(f"{table} ({rows})" for table, rows in held.items())
            raise Refused(
                f"Das Ziel {shown(args.to)} ist nicht leer: {listed}. Nichts geschrieben – der "
                "Umzug braucht eine leere Datenbank (etwa: createdb tourkasse_neu)."
            )
        timezone = setting(source, TIMEZONE_SETTING) or "Europe/Berlin"
        target = open_store(args.to, timezone=timezone)
        try:
            try:
                moved = move(source, target)
            except BaseException:
                _undo(target.db)
                raise
            if moved_meanwhile(source, moved):
                _undo(target.db)
                err(
                    "Die Quelle wurde während des Umzugs beschrieben – läuft die Zentrale noch? "
                    "Das Ziel ist wieder leer. Zentrale anhalten (serve, ingest, web) und den "
                    "Umzug wiederholen."
                )
                return 1
            if moved.problems:
                _undo(target.db)
        finally:
            target.close()
    finally:
        source.close()
    write(report(moved, source_url, args.to))
    return 1 if moved.problems else 0


def report(moved: Moved, source_url: str, target_url: str) -> str:
    width = max(len(label) for label in LABELS.values())
    lines = [f"Umzug von {shown(source_url)} nach {shown(target_url)}:"]
    for table in (*REPLAYED, *COPIED):
        lines.append(f"  {LABELS[table]:<{width}} {moved.rows.get(table, 0):>9}")
    lines.append("Nicht übernommen:")
    for table in DROPPED:
        lines.append(f"  {LABELS[table]:<{width}} {moved.dropped.get(table, 0):>9}")
    lines.append("Prüfung:")
    for truck, (entries, last, last_hash) in sorted(moved.heads.items()):
        lines.append(
            f"  Wagen {truck}: {entries} Einträge bis Nr. {last}, letzter Hash {last_hash[:16]}…"
        )
    if moved.days:
        total = sum(moved.days.values())
        lines.append(
            f"  Umsatz an {len(moved.days)} Geschäftstagen ({min(moved.days)} bis "
            f"{max(moved.days)}), zusammen {_euro(total)}"
        )
    if moved.problems:
        lines += [f"  FEHLER: {problem}" for problem in moved.problems]
        lines.append("Das Ziel ist wieder leer; die Quelle ist unverändert.")
    else:
        lines.append(
            "  Je Wagen gleiche Zahl Einträge und gleicher letzter Hash, gleicher Umsatz je "
            "Tag, gleich viele Zeilen je Tabelle: in Ordnung."
        )
        lines.append(
            "Jetzt [store] url in der Konfiguration der Zentrale auf das Ziel stellen und die "
            "Zentrale starten; die alte Datei bleibt als Sicherung."
        )
    return "\n".join(lines) + "\n"


def _configured(config: Path) -> str:
    from hub.config import load_hub_config

    return load_hub_config(config).store.url


def _undo(target: Database) -> None:
    try:
        empty_target(target)
    except Exception as exc:  # a connection that broke: the operator must empty it
        err(f"Das Ziel ließ sich nicht wieder leeren ({exc}): bitte die Datenbank neu anlegen.")


def _same(first: str, second: str) -> bool:
    if first.startswith(SQLITE_PREFIX) and second.startswith(SQLITE_PREFIX):
        one, two = Path(first[len(SQLITE_PREFIX) :]), Path(second[len(SQLITE_PREFIX) :])
        return one.resolve() == two.resolve()
    return first == second


def shown(url: str) -> str:
    """The URL without a password."""
    if url.startswith(SQLITE_PREFIX):
        return url[len(SQLITE_PREFIX) :]
    head, sep, tail = url.partition("@")
    if not sep:
        return url
    scheme, _, user = head.partition("//")
    return f"{scheme}//{user.split(':', 1)[0]}@{tail}"


def _euro(cents: int) -> str:
    whole, rest = divmod(abs(cents), 100)
    sign = "−" if cents < 0 else ""
    return f"{sign}{whole:,}".replace(",", ".") + f",{rest:02d} €"
