"""A fleet load against the real hub, for tests/hub/test_fleet_load.py and scripts/bench_fleet.py.

One Mosquitto (hub.broker.LocalBroker), the hub store on PostgreSQL, ``ingests`` real
``tourkasse hub ingest`` processes sharing the trucks' topics ([mqtt] share_group), simulated
trucks in ``senders`` processes (fleet_load.py) and a raw subscriber beside the ingest. All are
connected and ready before the load starts; then the trucks sell and drive for ``seconds``, and
the run waits (polling the store, never a fixed sleep) until every truck holds the hub's
acknowledgement of its last entry and the store holds every entry, each truck's last position
and its last status. Then each truck's journal on the hub is compared with the truck's, byte
for byte, and its receipts and turnover per stop and its VAT per rate to the cent.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hub.broker import LocalBroker
from tests.support.fleet import Process, hub_config
from tests.support.fleet_figures import (
    Figures,
    RawCounts,
    cpu_seconds,
    postgres_cpu,
)
from tests.support.fleet_load import LoadPlan, make_template
from tests.support.fleet_senders import SenderResult, run_sender
from tests.support.waiting import eventually

SHARE_GROUP = "ingest"
BERLIN = ZoneInfo("Europe/Berlin")
# a fresh interpreter per process: no copy of this one's threads, broker or database handles
PROCESSES = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class FleetRun:
    trucks: int = 200
    seconds: float = 60.0
    ingests: int = 3
    senders: int = 2
    sale_every_s: tuple[float, float] = (60.0, 120.0)  # a receipt every 1–2 minutes per truck
    position_every_s: float = 1.0
    drain_timeout_s: float = 120.0
    seed: int = 1


def run_raw(port: int, ready: Any, finish: Any, reports: Any) -> None:
    """The baseline: one plain subscriber to the ingest's topics that receives each message
    and reads its JSON head, nothing more; lags are worked out after the run."""
    import orjson
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from hub.ingest import SUBSCRIPTIONS

    got: list[tuple[float, str, bytes]] = []
    counts: Counter[str] = Counter()

    def on_message(_c: Any, _u: Any, message: Any) -> None:
        now = time.time()
        channel = message.topic[message.topic.rindex("/") + 1 :]
        orjson.loads(message.payload.partition(b"\n")[0])
        counts[channel] += 1
        got.append((now, channel, message.payload))

    client = mqtt.Client(CallbackAPIVersion.VERSION2, "fleet-raw", protocol=mqtt.MQTTv5)
    client.on_message = on_message
    client.on_subscribe = lambda *_: ready.set()
    client.on_connect = lambda c, *_: c.subscribe(list(SUBSCRIPTIONS))
    client.connect("127.0.0.1", port, 30)
    client.loop_start()
    finish.wait()
    client.disconnect()
    client.loop_stop()
    raw = RawCounts(counts)
    for now, channel, payload in got:
        if channel == "position":
            sent = orjson.loads(payload)["time"]
            raw.position_lags.append(now - datetime.fromisoformat(sent).timestamp())
        elif channel == "journal":
            last = payload.rsplit(b"\n", 1)[-1]  # canonical bytes: "at" is the first key
            at = last[7 : last.index(b'"', 7)].decode()
            raw.entry_lags.append(now - datetime.fromisoformat(at).timestamp())
    reports.put(("raw", "raw", raw))


class HubWatch:
    """Reads the hub store while the load runs: the positions as they change, and whether
    everything the trucks sent is there."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.seen: dict[str, str] = {}
        self.position_lags: list[float] = []

    def look_at_positions(self) -> None:
        for truck, sent, received in self.conn.execute(
            "SELECT truck, sent, received_at FROM positions"
        ):
            if self.seen.get(truck) != sent:
                self.seen[truck] = sent
                lag = datetime.fromisoformat(received) - datetime.fromisoformat(sent)
                self.position_lags.append(lag.total_seconds())

    def journals_complete(self, expected: dict[str, tuple[int, str]]) -> bool:
        stored = dict(self.conn.execute("SELECT truck, last_seq FROM trucks").fetchall())
        return all(stored.get(t, 0) >= last for t, (last, _) in expected.items() if last)

    def telemetry_complete(self, expected: dict[str, tuple[int, str]]) -> bool:
        statuses = {
            truck: (seq, backlog)
            for truck, seq, backlog in self.conn.execute(
                "SELECT truck, journal_seq, backlog FROM statuses"
            )
        }
        return all(
            self.seen.get(truck) == position and statuses.get(truck) == (last, 0)
            for truck, (last, position) in expected.items()
        )

    def rows(self) -> dict[str, int]:
        return {
            table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("journal", "positions", "statuses", "track", "rejected", "forks")
        }

    def entry_lags(self) -> list[float]:
        return [
            (datetime.fromisoformat(received) - datetime.fromisoformat(at)).total_seconds()
            for at, received in self.conn.execute("SELECT at, received_at FROM journal")
        ]

    def close(self) -> None:
        self.conn.close()


def hub_problems(url: str, results: list[SenderResult]) -> list[str]:
    """What the hub has that is not exactly what the trucks wrote and sold."""
    from hub.store import open_store
    from tourkasse.journal import EntryKind, decode_entry
    from truck.store.database import open_for_reading

    problems = []
    outcomes = [o for result in results for o in result.trucks]
    days = set()
    store = open_store(url)
    try:
        for outcome in outcomes:
            db = open_for_reading(outcome.journal)
            try:
                entries = [bytes(d) for (d,) in db.execute("SELECT data FROM journal ORDER BY seq")]
            finally:
                db.close()
            on_hub = list(store.journal(outcome.name))
            if on_hub != entries:
                problems.append(
                    f"{outcome.name}: Journal der Zentrale ({len(on_hub)} Einträge) weicht vom "
                    f"Wagen ab ({len(entries)})"
                )
            if outcome.acked != len(entries):
                problems.append(f"{outcome.name}: bestätigt bis {outcome.acked} von {len(entries)}")
            days |= {
                e.at.astimezone(BERLIN).date()
                for e in map(decode_entry, entries)
                if e.kind is EntryKind.RECEIPT
            }
        per_stop: dict[str, Counter[str | None]] = {o.name: Counter() for o in outcomes}
        receipts: Counter[str] = Counter()
        vat: dict[str, Counter[str]] = {o.name: Counter() for o in outcomes}
        for day in sorted(days):
            for truck in store.turnover(day).trucks:
                for stop in truck.stops:
                    per_stop.setdefault(truck.truck, Counter())[stop.stop] += stop.figures.turnover
                    receipts[truck.truck] += stop.figures.receipts
                    for rate, amount in stop.figures.vat_by_rate.items():
                        vat.setdefault(truck.truck, Counter())[rate.name] += amount
        for outcome in outcomes:
            name = outcome.name
            if receipts[name] != outcome.sold.receipts:
                problems.append(f"{name}: {receipts[name]} Bons, verkauft {outcome.sold.receipts}")
            if +per_stop[name] != +outcome.sold.per_stop:
                problems.append(f"{name}: Umsatz je Halt {dict(per_stop[name])} ≠ Wagen")
            if +vat[name] != +outcome.vat:
                problems.append(f"{name}: USt je Satz {dict(vat[name])} ≠ {dict(outcome.vat)}")
        kept = store.kept_counts()
    finally:
        store.close()
    if kept["rejected"] or kept["forks"]:
        problems.append(f"abgelehnte Nachrichten {kept['rejected']}, Gabelungen {kept['forks']}")
    return problems


def _batches_stored(process: Process) -> int:
    found = re.search(r"Empfang: (\d+) Journal-Stapel gespeichert", process.output())
    return int(found.group(1)) if found else -1


def _peak(series: list[dict[int, int]]) -> int:
    """The largest fleet-wide sum over the senders' samples, each carried forward."""
    ticks = sorted({tick for samples in series for tick in samples})
    last = [0] * len(series)
    peak = 0
    for tick in ticks:
        for index, samples in enumerate(series):
            last[index] = samples.get(tick, last[index])
        peak = max(peak, sum(last))
    return peak


class _Reports:
    """What the processes say, by kind; a failure is raised at once."""

    def __init__(self, reports: Any) -> None:
        self.reports = reports
        self.got: dict[str, dict[str, Any]] = {}

    def take(self, wait: float = 0.0) -> None:
        try:
            kind, who, what = self.reports.get(timeout=wait) if wait else self.reports.get_nowait()
        except queue.Empty:
            return
        if kind == "failed":
            raise RuntimeError(f"Sender {who}: {what}")
        self.got.setdefault(kind, {})[who] = what

    def count(self, kind: str) -> int:
        return len(self.got.get(kind, {}))

    def wait_for(self, kind: str, count: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while self.count(kind) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nach {timeout:.0f} s: {self.count(kind)} von {count} {kind}")
            self.take(wait=0.2)
        return self.got[kind]


def run_fleet(
    run: FleetRun, url: str, workdir: Path, *, pg_data: Path | None = None, say=print
) -> Figures:
    """Run the load; ``pg_data`` (the cluster's data folder) to measure PostgreSQL's CPU."""
    names = [f"W{number:03d}" for number in range(1, run.trucks + 1)]
    chunks = [names[index :: run.senders] for index in range(run.senders)]
    with LocalBroker(workdir / "broker") as broker, contextlib.ExitStack() as stack:
        ingests = [
            Process(
                ["hub", "ingest", "--config", str(hub_config(
                    workdir / f"hub-{n}", url, broker.port,
                    client_id=f"tourkasse-hub-ingest-{n}", share_group=SHARE_GROUP,
                ))],
                workdir / f"ingest-{n}.log",
            )
            for n in range(run.ingests)
        ]  # fmt: skip
        for ingest in ingests:
            ingest.start()
            stack.callback(ingest.stop)
        began = time.perf_counter()
        plan = LoadPlan(
            port=broker.port,
            seconds=run.seconds,
            template=make_template(workdir / "template"),
            workdir=workdir / "trucks",
            sale_every_s=run.sale_every_s,
            position_every_s=run.position_every_s,
            seed=run.seed,
        )
        plan.workdir.mkdir()
        start, go, finish = PROCESSES.Value("d", 0.0), PROCESSES.Event(), PROCESSES.Event()
        reports, raw_ready = PROCESSES.Queue(), PROCESSES.Event()
        raw = PROCESSES.Process(
            target=run_raw, args=(broker.port, raw_ready, finish, reports), daemon=True
        )
        senders = [
            PROCESSES.Process(
                target=run_sender, args=(chunk, plan, start, go, finish, reports), daemon=True
            )
            for chunk in chunks
        ]
        for process in (raw, *senders):
            process.start()
        stack.callback(_end, [raw, *senders], finish)
        for ingest in ingests:
            eventually(
                lambda ingest=ingest: "verbunden" in ingest.output(),
                timeout=30,
                what=f"Empfang verbunden ({ingest.log.name})",
            )
        said = _Reports(reports)
        said.wait_for("ready", len(chunks), timeout=120)
        if not raw_ready.wait(30):
            raise RuntimeError("der einfache Abonnent kommt nicht zum Broker")
        say(
            f"  set-up: {run.trucks} trucks (journal, software TSE, MQTT client each) in "
            f"{len(chunks)} sender processes, {run.ingests} ingest processes, connected in "
            f"{time.perf_counter() - began:.1f} s"
        )
        watch = HubWatch(url)
        stack.callback(watch.close)
        pids = {f"ingest {n + 1}": i.process.pid for n, i in enumerate(ingests) if i.process}
        groups = {
            **{name: [pid] for name, pid in pids.items()},
            "Mosquitto": [broker.process.pid] if broker.process else [],
            "senders": [p.pid for p in senders if p.pid],
            "raw subscriber": [raw.pid] if raw.pid else [],
        }

        def cpu_now() -> dict[str, float]:
            used = {name: sum(map(cpu_seconds, group)) for name, group in groups.items()}
            if pg_data is not None:
                used["PostgreSQL"] = postgres_cpu(pg_data)
            return used

        cpu_before = cpu_now()
        start.value = time.monotonic() + 0.3
        go.set()
        end = start.value + run.seconds
        drain_at = telemetry_at = None
        pause = threading.Event()
        deadline = end + run.drain_timeout_s
        while time.monotonic() < deadline:
            watch.look_at_positions()
            while not reports.empty():
                said.take()
            if said.count("loaded") == len(chunks):
                expected = {k: v for last in said.got["loaded"].values() for k, v in last.items()}
                if (
                    drain_at is None
                    and said.count("acked") == len(chunks)
                    and watch.journals_complete(expected)
                ):
                    drain_at = max(said.got["acked"].values())
                if drain_at is not None and watch.telemetry_complete(expected):
                    telemetry_at = time.monotonic()
                    break
            pause.wait(0.1)
        stopped = time.monotonic()
        cpu_after = cpu_now()
        finish.set()
        said.wait_for("result", len(chunks), timeout=60)
        said.wait_for("raw", 1, timeout=60)
        results: list[SenderResult] = list(said.got["result"].values())
        rows = watch.rows()
        entry_lags_hub = watch.entry_lags()
        for ingest in ingests:
            ingest.stop()
        problems = hub_problems(url, results)
        if drain_at is None or telemetry_at is None:
            problems.insert(0, f"nach {run.drain_timeout_s:.0f} s nicht alles bei der Zentrale")
    return Figures(
        trucks=run.trucks,
        seconds=run.seconds,
        ingests=run.ingests,
        outcomes=[outcome for result in results for outcome in result.trucks],
        raw=said.got["raw"]["raw"],
        cpu={name: cpu_after[name] - cpu_before[name] for name in cpu_before},
        measured_s=stopped - start.value,
        entry_lags_hub=entry_lags_hub,
        position_lags_hub=watch.position_lags,
        drain_s=drain_at - end if drain_at is not None else None,
        telemetry_s=telemetry_at - end if telemetry_at is not None else None,
        peak_backlog=_peak([result.backlog for result in results]),
        rows=rows,
        batches_per_ingest=[_batches_stored(ingest) for ingest in ingests],
        problems=problems,
    )


def _end(processes: list[Any], finish: Any) -> None:
    finish.set()
    for process in processes:
        process.join(timeout=15)
        if process.is_alive():
            process.kill()
            process.join()
