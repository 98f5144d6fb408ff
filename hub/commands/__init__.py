"""The hub's command groups, one module each; what they share is here."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from tourkasse.config import ConfigError


def say_config_error(exc: ConfigError, *, consequence: str = "") -> None:
    """Every problem of a broken config file, one per line, on stderr."""
    files = sorted({problem.file for problem in exc.problems})
    print(f"Fehler in {', '.join(files)} ({len(exc.problems)}){consequence}:", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)


def config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, required=True, metavar="PFAD", help="Konfiguration der Zentrale"
    )


class Refused(Exception):
    """Input the command cannot use; the message is German."""


def guarded(
    func: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Turn the errors a user can cause into a German message and exit code 2."""

    def run(args: argparse.Namespace) -> int:
        from hub.store import StoreError

        database_errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
        try:
            import psycopg

            database_errors = (*database_errors, psycopg.Error)
        except ImportError:
            pass
        try:
            return func(args)
        except ConfigError as exc:
            say_config_error(exc)
        except (Refused, StoreError) as exc:
            err(str(exc))
        except database_errors as exc:
            err(f"Speicher der Zentrale nicht nutzbar: {exc}")
        return 2

    return run


def err(text: str) -> None:
    print(text, file=sys.stderr)


def write(text: str) -> None:
    """Write UTF-8, whatever the terminal's encoding."""
    out = sys.stdout
    if hasattr(out, "buffer"):
        out.flush()
        out.buffer.write(text.encode("utf-8"))
        out.buffer.flush()
    else:
        out.write(text)


def open_hub(args: argparse.Namespace):
    """The config and an open store for a command that reads the hub's figures."""
    from hub.config import load_hub_config
    from hub.store import open_store

    config = load_hub_config(args.config)
    url = config.store.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not Path(url[len(prefix) :]).exists():
        # these commands read: a new, empty store would answer "nothing sold" and be wrong
        raise Refused(
            f"Den Speicher der Zentrale {url[len(prefix) :]} gibt es nicht – stimmt [store] url "
            f"in {args.config}? (Ein relativer Pfad gilt vom Ordner der Konfiguration aus.)"
        )
    return config, open_store(url, timezone=config.timezone)
