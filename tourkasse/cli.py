"""The ``tourkasse`` command: hands over to the truck's and the hub's commands.

The truck and hub packages are imported only when their group is called, so the shared
kernel never depends on them and ``tourkasse --help`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

GROUPS = {
    "truck": "Befehle für den Verkaufswagen: Konfiguration, Artikel, Verkauf, Kasse, Journal, TSE",
    "hub": "Befehle für die Zentrale (Hub): Journale prüfen",
}


def top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tourkasse",
        description="Tourkasse – Kasse und Telemetrie für rollende Dorfläden.",
        epilog="Hilfe zu einer Gruppe: tourkasse truck --help, tourkasse hub --help",
    )
    parser.add_argument("--version", action="version", version=f"tourkasse {_version()}")
    groups = parser.add_subparsers(dest="group", metavar="{truck,hub}", title="Befehlsgruppen")
    for name, text in GROUPS.items():
        groups.add_parser(name, help=text, add_help=False)
    return parser


def group_parser(name: str) -> argparse.ArgumentParser:
    """The full parser of a command group (imports that group)."""
    module = importlib.import_module(f"{name}.cli")
    return module.build_parser(f"tourkasse {name}")


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        # `tourkasse … | head` ends quietly, as shell tools do, instead of with a traceback.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in GROUPS:
        module = importlib.import_module(f"{args[0]}.cli")
        return module.main(args[1:], prog=f"tourkasse {args[0]}")
    parser = top_parser()
    parser.parse_args(args)
    parser.print_help()
    return 0 if not args else 2


def _version() -> str:
    try:
        return version("tourkasse")
    except PackageNotFoundError:
        return "unbekannt"


if __name__ == "__main__":
    raise SystemExit(main())
