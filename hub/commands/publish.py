"""``tourkasse hub publish articles|tours``: data for every truck, versioned."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hub.commands import say_config_error
from tourkasse.config import ConfigError

KINDS = {
    "articles": (
        "Artikelliste an alle Wagen senden (nächste Version, beim Broker hinterlegt)",
        "Artikelliste, z. B. config/articles.example.toml",
    ),
    "tours": (
        "Tourplan an alle Wagen senden (nächste Version, beim Broker hinterlegt)",
        "Tourdatei, z. B. config/tour.example.toml",
    ),
}


def register(sub: argparse._SubParsersAction) -> None:
    pub = sub.add_parser(
        "publish",
        help="Artikel und Preise, Touren und Halte an die Wagen senden",
        description="Prüft die Datei wie ein Wagen und legt sie als nächste Version beim "
        "MQTT-Broker ab; die Wagen übernehmen sie zwischen zwei Bons.",
    )
    pub_sub = pub.add_subparsers(dest="kind", metavar="WAS", required=True)
    for kind, (text, file_help) in KINDS.items():
        cmd = pub_sub.add_parser(kind, help=text, description=text)
        cmd.add_argument("file", type=Path, metavar="DATEI", help=file_help)
        cmd.add_argument(
            "--config", type=Path, required=True, metavar="PFAD", help="Konfiguration der Zentrale"
        )
        cmd.set_defaults(func=publish)


def publish(args: argparse.Namespace) -> int:
    from hub.config import load_hub_config
    from hub.downloads import PublishError, publish_file  # paho only when it runs

    try:
        config = load_hub_config(args.config)
        published = publish_file(config.mqtt, args.kind, args.file)
    except ConfigError as exc:
        say_config_error(exc, consequence=" – nichts veröffentlicht")
        return 2
    except PublishError as exc:
        _err(f"Nicht veröffentlicht: {exc}")
        return 1
    print(published.message)
    return 0


def _err(text: str) -> None:
    print(text, file=sys.stderr)
