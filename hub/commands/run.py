"""``tourkasse hub serve|ingest|web``: running the hub's processes.

``serve`` runs ingest and web in one process (the default for a small fleet); ``ingest`` and
``web`` run them apart, each with its own MQTT client id. They stop on Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from typing import Any

from hub.commands import say_config_error
from tourkasse.config import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    for name, text in (
        ("serve", "Empfang und Web der Zentrale in einem Prozess starten"),
        ("ingest", "Nur den Empfang (MQTT → Speicher → Bestätigung) starten"),
        ("web", "Nur das Web der Zentrale starten"),
    ):
        parser = sub.add_parser(name, help=text, description=text)
        parser.add_argument(
            "--config", type=Path, required=True, metavar="DATEI", help="Konfiguration der Zentrale"
        )
        parser.set_defaults(func=_run, what=name)


def load(path: Path) -> Any:
    """The hub's config, or a message listing every problem and exit code 2."""
    from hub.config import load_hub_config

    try:
        return load_hub_config(path)
    except ConfigError as exc:
        say_config_error(exc)
        raise SystemExit(2) from None


def _run(args: argparse.Namespace) -> int:
    config = load(args.config)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    threads = []
    if args.what in ("serve", "ingest"):
        from hub.ingest import Ingest
        from hub.store import open_store

        ingest = Ingest(
            config.mqtt,
            lambda: open_store(config.store.url, timezone=config.timezone),
            say=lambda line: print(line, flush=True),
        )
        threads.append(threading.Thread(target=ingest.run, args=(stop,), name="ingest"))
        print(
            f"Empfang der Zentrale läuft (Broker {config.mqtt.host}:{config.mqtt.port}, "
            f"Client-ID {config.mqtt.client_id})",
            flush=True,
        )
    if args.what in ("serve", "web"):
        from hub.web.server import WebServer

        server = WebServer(config)
        threads.append(threading.Thread(target=server.run, args=(stop,), name="web"))
        print(f"Web der Zentrale: http://{config.web.host}:{config.web.port}/", flush=True)
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(timeout=0.5)
    if args.what in ("serve", "ingest"):
        print(f"Empfang: {ingest.batches} Journal-Stapel gespeichert.", flush=True)
    print("Zentrale beendet.", flush=True)
    return 0
