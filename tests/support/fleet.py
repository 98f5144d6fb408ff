"""A truck and a hub wired through a real broker, for the sync tests and the bench.

A truck here is a folder with its config, its journal (sales made with the real till and a
real software TSE) and, when it runs, its agent's sync — in this process on a thread, or as
the real ``tourkasse truck agent`` process that a test may kill. The hub is the real ingest,
on a thread or as ``tourkasse hub ingest``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from hub.broker import free_port
from tests.conftest import EXAMPLE_ARTICLES, example_config_text

STOPS = ("gimte", "volkmarshausen", "hemeln", None)  # None: sold on the road, no stop known


def wall_clock() -> datetime:
    return datetime.now(UTC)


def truck_config(
    workdir: Path,
    *,
    truck: str = "T01",
    port: int,
    password: str = "",
    tls_ca: Path | None = None,
    ack_timeout_s: int = 3,
    keepalive_s: int = 5,
    batch_size: int = 200,
    drain_per_s: int = 100_000,
) -> Path:
    """A truck's config in ``workdir`` that syncs to the broker on ``port``; GPS points at a
    port where no gpsd listens (the agent says so and syncs all the same)."""
    workdir.mkdir(parents=True, exist_ok=True)
    text = example_config_text()
    text = re.sub(r'(?m)^id = "T01"', f'id = "{truck}"', text)
    text = re.sub(r'(?m)^till_serial = "[^"]*"', f'till_serial = "TK-{truck}-0001"', text)
    text = re.sub(r"(?m)^port = 2947", f"port = {free_port()}", text)
    text = re.sub(r"(?m)^poll_ms = 1000", "poll_ms = 200", text)
    hub = text.index("[hub]")
    text = text[:hub] + "\n".join(
        [
            "[hub]",
            "enabled = true",
            'host = "127.0.0.1"',
            f"port = {port}",
            f'password = "{password}"',
            *([f'tls_ca = "{tls_ca}"'] if tls_ca else []),
            f"keepalive_s = {keepalive_s}",
            f"batch_size = {batch_size}",
            f"ack_timeout_s = {ack_timeout_s}",
            f"drain_per_s = {drain_per_s}",
            "position_every_s = 1",
            "",
        ]
    )
    path = workdir / "truck.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Sold:
    """What a truck sold: receipts and turnover per stop, as the truck itself counts them."""

    receipts: int = 0
    per_stop: Counter[str | None] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.per_stop.values())

    def add(self, more: Sold) -> None:
        self.receipts += more.receipts
        self.per_stop.update(more.per_stop)


def sell(config_path: Path, count: int, *, first_index: int = 0) -> Sold:
    """``count`` five-line cash sales with the real till, spread over the stops."""
    from tests.truck.till.seller import sale_of
    from tourkasse.article_list import load_article_list
    from truck.config import load_truck_config
    from truck.fiscal.software_tse import SoftwareTse
    from truck.store.articles import count as article_count
    from truck.store.articles import replace_articles
    from truck.store.database import open_database
    from truck.till.till import Till

    config = load_truck_config(config_path)
    db = open_database(config.paths.journal)
    if article_count(db) == 0:
        catalogue = load_article_list(EXAMPLE_ARTICLES)
        replace_articles(db, catalogue.articles, catalogue.departments)
    sold = Sold()
    with SoftwareTse(config.paths.tse, clock=wall_clock, create=True) as tse:
        till = Till(
            db, tse, truck=config.truck.id, client_id=config.truck.till_serial, clock=wall_clock
        )
        for index in range(first_index, first_index + count):
            receipt = replace(sale_of(db, index), stop=STOPS[index % len(STOPS)])
            till.sell(receipt)
            sold.receipts += 1
            sold.per_stop[receipt.stop] += receipt.total
    db.close()
    return sold


def truck_journal(config_path: Path) -> list[bytes]:
    from truck.config import load_truck_config
    from truck.store.database import open_for_reading

    db = open_for_reading(load_truck_config(config_path).paths.journal)
    try:
        return [bytes(data) for (data,) in db.execute("SELECT data FROM journal ORDER BY seq")]
    finally:
        db.close()


class SyncThread:
    """The agent's sync for one truck, in this process."""

    def __init__(self, config_path: Path) -> None:
        from truck.agent.sync import Sync
        from truck.config import load_truck_config

        self.lines: list[str] = []
        self.sync = Sync(load_truck_config(config_path), clock=wall_clock, say=self.lines.append)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.sync.run, args=(self.stop_event,), daemon=True)

    def __enter__(self) -> SyncThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)


class IngestThread:
    """The hub's ingest, in this process, on the store at ``url``."""

    def __init__(
        self,
        url: str,
        port: int,
        *,
        client_id: str = "tourkasse-hub-ingest",
        wait: bool = True,
        **mqtt: object,
    ) -> None:
        from hub.config import MqttSettings
        from hub.ingest import Ingest
        from hub.store import open_store

        settings = MqttSettings(
            host="127.0.0.1", port=port, client_id=client_id, keepalive_s=5, **mqtt
        )
        self.lines: list[str] = []
        self.ingest = Ingest(settings, lambda: open_store(url), say=self.lines.append)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.ingest.run, args=(self.stop_event,), daemon=True)
        self.wait = wait

    def __enter__(self) -> IngestThread:
        """Start; unless told not to wait (no broker yet), return once the hub listens."""
        self.thread.start()
        if self.wait and not self.ingest.subscribed.wait(15):
            self.__exit__()
            raise AssertionError(f"Empfang der Zentrale kommt nicht zum Broker: {self.lines}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)


def hub_config(
    workdir: Path,
    url: str,
    port: int,
    *,
    client_id: str = "tourkasse-hub-ingest",
    share_group: str = "",
) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "hub.toml"
    path.write_text(
        "\n".join(
            [
                "[store]",
                f'url = "{url}"',
                "[mqtt]",
                f"port = {port}",
                "keepalive_s = 5",
                f'client_id = "{client_id}"',
                f'share_group = "{share_group}"',
                "[web]",
                f"port = {free_port()}",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return path


class Process:
    """A ``tourkasse …`` command as its own process, its output in a log file; killable."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.log = log
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tourkasse", *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no goodbye, no clean-up, as a power cut."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def _signal(self, signum: int) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signum)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
