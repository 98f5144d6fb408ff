"""``tourkasse truck …``: the truck's commands, without a screen.

Every command that touches the journal opens the till from the config (which also resolves
what a crash left open) and prints German messages; errors end with exit code 1 (refused,
e.g. a bad barcode, a broken journal) or 2 (unusable config or database).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tourkasse.dsfinvk.command import add_selection_arguments
from truck import (
    backup_commands,
    commands,
    export_commands,
    journal_commands,
    order_commands,
    tse_commands,
)

CONFIG_HELP = "Konfigurationsdatei des Wagens (TOML), z. B. config/truck.example.toml"


def build_parser(prog: str = "tourkasse truck") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Befehle für den Verkaufswagen (ohne Bildschirmoberfläche)."
    )
    sub = parser.add_subparsers(dest="command", metavar="BEFEHL", title="Befehle", required=True)

    def command(parent, name: str, text: str, func=None) -> argparse.ArgumentParser:
        cmd = parent.add_parser(name, help=text, description=text)
        if func is not None:
            cmd.set_defaults(func=func)
        return cmd

    def with_config(cmd: argparse.ArgumentParser) -> argparse.ArgumentParser:
        cmd.add_argument("--config", type=Path, required=True, metavar="PFAD", help=CONFIG_HELP)
        return cmd

    pos = with_config(
        command(
            sub,
            "pos",
            "Die Kasse mit Bildschirm starten (Anmelden, Verkaufen, Kasse)",
            commands.pos,
        )
    )
    pos.add_argument(
        "--language",
        choices=["de", "en"],
        help="Sprache der Oberfläche (sonst aus der Konfiguration)",
    )

    with_config(
        command(
            sub,
            "agent",
            "Den Agenten starten: GPS, Halte erkennen, Fahrtspur, Uhr prüfen (läuft bis Strg+C)",
            commands.agent,
        )
    )

    staff = command(sub, "staff", "Personal: PINs")
    staff_sub = staff.add_subparsers(dest="action", metavar="AKTION", required=True)
    command(
        staff_sub,
        "pin-hash",
        "Eine PIN abfragen und ihren Hash für [[staff]] pin_hash in der Konfiguration ausgeben",
        commands.staff_pin_hash,
    )

    config = command(sub, "config", "Konfiguration prüfen")
    config_sub = config.add_subparsers(dest="action", metavar="AKTION", required=True)
    with_config(
        command(
            config_sub,
            "check",
            "Konfigurationsdatei prüfen und alle Fehler nennen",
            commands.config_check,
        )
    )

    arts = command(sub, "articles", "Artikelliste einlesen und ansehen")
    arts_sub = arts.add_subparsers(dest="action", metavar="AKTION", required=True)
    imp = with_config(
        command(
            arts_sub,
            "import",
            "Artikelliste (TOML) einlesen; ersetzt die bisherige",
            commands.articles_import,
        )
    )
    imp.add_argument(
        "file", type=Path, metavar="DATEI", help="Artikelliste, z. B. config/articles.example.toml"
    )
    lst = with_config(
        command(
            arts_sub,
            "list",
            "Artikel anzeigen, auf Wunsch nach Namen gesucht",
            commands.articles_list,
        )
    )
    lst.add_argument(
        "search", nargs="?", default="", metavar="SUCHE", help="Teil des Artikelnamens"
    )

    sell = with_config(
        command(
            sub, "sell", "Einen Verkauf buchen (TSE-signiert) und den Bon ausgeben", commands.sell
        )
    )
    sell.add_argument(
        "items",
        nargs="*",
        metavar="POSTEN",
        help="EAN oder PLU; 3xCODE für eine Menge; "
        "PLU@GRAMM für Gewogenes (nur wenn die Kasse den Preis berechnen darf); "
        "F7=2,50 für eine Warengruppentaste mit Preis",
    )
    sell.add_argument(
        "--back",
        action="append",
        default=[],
        metavar="POSTEN",
        help="Leergut (Pfandartikel) oder zurückgegebene Ware, z. B. --back 2x9010 (mehrfach)",
    )
    sell.add_argument("--cash", metavar="BETRAG", help="bar gegeben, z. B. 20 oder 13,50")
    sell.add_argument(
        "--card", metavar="BETRAG", help="mit Karte bezahlt (vom Kartenterminal bestätigt)"
    )
    sell.add_argument("--staff", default="", metavar="NR", help="Personalnummer")
    sell.add_argument(
        "--staff-name", default="", metavar="NAME", help="Name, wie er auf dem Bon steht"
    )
    sell.add_argument("--training", action="store_true", help="Trainingsbon: zählt nie als Umsatz")

    void = with_config(
        command(
            sub,
            "void",
            "Einen bezahlten Bon stornieren (neuer Bon mit negativen Beträgen)",
            commands.void,
        )
    )
    void.add_argument(
        "number", type=int, metavar="BONNR", help="Nummer des Bons, der storniert wird"
    )
    void.add_argument("--staff", default="", metavar="NR", help="Personalnummer")
    void.add_argument(
        "--staff-name", default="", metavar="NAME", help="Name, wie er auf dem Bon steht"
    )

    show = with_config(
        command(sub, "receipt", "Einen Bon erneut anzeigen", journal_commands.receipt)
    )
    show.add_argument("number", type=int, metavar="BONNR", help="Bonnummer")

    cash = command(sub, "cash", "Bargeld: Anfangsbestand und Ein- und Auszahlungen")
    cash_sub = cash.add_subparsers(dest="action", metavar="AKTION", required=True)
    flt = with_config(
        command(
            cash_sub,
            "float",
            "Anfangsbestand (Wechselgeld) zu Tagesbeginn buchen",
            commands.cash_float,
        )
    )
    flt.add_argument("amount", metavar="BETRAG", help="z. B. 150,00")
    for name, text in commands.MOVEMENTS_HELP.items():
        move = with_config(command(cash_sub, name, text, commands.cash_move))
        move.add_argument("amount", metavar="BETRAG", help="Betrag, z. B. 20,00")
        move.add_argument("--note", required=True, metavar="TEXT", help="wofür (wird gespeichert)")
        move.set_defaults(movement=name)

    report = command(sub, "report", "Kassenberichte")
    report_sub = report.add_subparsers(dest="action", metavar="AKTION", required=True)
    with_config(
        command(
            report_sub,
            "x",
            "X-Bericht: Zwischenstand seit dem letzten Abschluss",
            commands.report_x,
        )
    )

    closing = with_config(
        command(sub, "closing", "Tagesabschluss (Z) mit Kassenzählung", commands.closing)
    )
    closing.add_argument(
        "--count",
        action="append",
        default=[],
        metavar="WERT=ANZAHL",
        help="gezählte Scheine und Münzen, z. B. --count 50=2 --count 0,20=7 (mehrfach)",
    )
    closing.add_argument(
        "--empty-drawer", action="store_true", help="es ist kein Bargeld in der Kasse (gezählt: 0)"
    )

    jour = command(sub, "journal", "Das Journal: prüfen, anzeigen, ausgeben")
    jour_sub = jour.add_subparsers(dest="action", metavar="AKTION", required=True)
    with_config(
        command(
            jour_sub,
            "verify",
            "Hash-Kette und Lückenlosigkeit prüfen",
            journal_commands.journal_verify,
        )
    )
    shw = with_config(
        command(jour_sub, "show", "Einträge lesbar anzeigen", journal_commands.journal_show)
    )
    shw.add_argument("--last", type=int, metavar="N", help="nur die letzten N Einträge")
    shw.add_argument("--kind", metavar="ART", help="nur Einträge dieser Art, z. B. receipt")
    exp = with_config(
        command(
            jour_sub,
            "export",
            "Einträge unverändert ausgeben (eine Zeile je Eintrag)",
            journal_commands.journal_export,
        )
    )
    exp.add_argument("--out", type=Path, metavar="DATEI", help="Datei statt Standardausgabe")

    tse = command(sub, "tse", "Die TSE: Auskunft und Selbsttest")
    tse_sub = tse.add_subparsers(dest="action", metavar="AKTION", required=True)
    with_config(
        command(
            tse_sub,
            "info",
            "Seriennummer, Algorithmus, öffentlicher Schlüssel, Selbsttest",
            commands.tse_info,
        )
    )
    with_config(
        command(
            tse_sub,
            "init",
            "Die TSE einmalig einrichten: Software-TSE (Schlüssel und Zähler) oder fiskaly-TSS",
            tse_commands.tse_init,
        )
    )
    tse_out = with_config(
        command(
            tse_sub,
            "export",
            "Den eigenen Export der TSE (TAR) schreiben, z. B. auf einen USB-Stick",
            tse_commands.tse_export,
        )
    )
    tse_out.add_argument(
        "--out", type=Path, required=True, metavar="ORDNER", help="Ordner für die TAR-Datei"
    )

    export = command(sub, "export", "Exporte für Finanzamt und Steuerprüfung")
    export_sub = export.add_subparsers(dest="action", metavar="AKTION", required=True)
    dsfinvk = with_config(
        command(
            export_sub,
            "dsfinvk",
            "DSFinV-K-Export der Tagesabschlüsse aus dem eigenen Journal (Ordner und ZIP), "
            "z. B. auf einen USB-Stick bei einer Kassen-Nachschau; ohne Auswahl alle Abschlüsse",
            export_commands.export_dsfinvk,
        )
    )
    dsfinvk.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="ORDNER",
        help="Ordner für den Export (ein Unterordner und eine ZIP-Datei werden angelegt)",
    )
    add_selection_arguments(dsfinvk)

    backup_commands.add_commands(sub, command, with_config)
    order_commands.add_commands(sub, command, with_config)

    clock = command(sub, "clock", "Die Uhr der Kasse: Zeit freigeben")
    clock_sub = clock.add_subparsers(dest="action", metavar="AKTION", required=True)
    ovr = with_config(
        command(
            clock_sub,
            "override",
            "Uhrzeit trotz Abweichung vom Journal freigeben (wird protokolliert)",
            commands.clock_override,
        )
    )
    ovr.add_argument("--staff", required=True, metavar="NR", help="Personalnummer")
    ovr.add_argument("--reason", required=True, metavar="TEXT", help="warum die Uhrzeit stimmt")
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "tourkasse truck") -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    return commands.run(args)
