"""``tourkasse hub …``: the hub's commands.

Each group of commands registers itself from its own module in ``hub.commands``; those modules
import the heavy parts (MQTT, the web server, database drivers) only when a command runs.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

# the modules in hub.commands, in the order their commands are listed in the help
COMMAND_MODULES = (
    "run",
    "users",
    "figures",
    "trucks",
    "publish",
    "journal",
    "export",
    "boards",
    "orders",
    "migrate",
    "backup",
)


def build_parser(prog: str = "tourkasse hub") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Befehle für die Zentrale: Empfang der Journale über MQTT, Web, Berichte, "
        "Wagen am Broker, Artikel und Touren für die Wagen.",
    )
    sub = parser.add_subparsers(dest="command", metavar="BEFEHL", title="Befehle", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"hub.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "tourkasse hub") -> int:
    args = build_parser(prog).parse_args(argv)
    return args.func(args)
