"""Benchmark: draining journalled sales into the hub against single QoS 1 messages.

One Mosquitto for the run. A truck sells N five-line cash sales with the real till and the
software TSE (set-up, timed apart); each sale journals two entries (the TSE transaction's start
and the receipt). The baseline, through the same broker in the same run: one QoS 1 message per
sale, holding that sale's journal entries (so of the same size), from a paho MQTT 5 client to a
second one subscribed at QoS 1, timed from the first publish until all are received and
acknowledged. Then per hub store (an SQLite file; a fresh database of a throwaway PostgreSQL
cluster): the hub's ingest and the agent's sync on a fresh copy of the truck, timed from the
moment the agent has its connection to the broker (the baseline's clients are connected
before its clock starts) until the truck holds the hub's acknowledgement of its last entry
(the hub acknowledges only what it has committed; the store is checked afterwards). Printed: sales/s,
journal entries/s and the ratio to the baseline (its time over the drain's: above 1.0 the
drain is faster). Each is measured ``--rounds`` times, interleaved, and the median counts (a
busy machine varies).

Sender and receiver run in two processes, for the baseline as for the sync: the truck's agent
and the hub's ingest never share a machine, let alone an interpreter lock, and the baseline's
publisher and subscriber are split the same way. Both processes are ready (configuration
read; the hub and the baseline's clients connected and subscribed) before they are told to go;
they read the same monotonic clock.

It uses the test helpers in tests/support (fleet: truck, sales, sync and ingest threads;
hub_checks: what the hub has committed; postgres: the throwaway cluster), because they are
exactly the real parts wired as the sync tests wire them.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from hub.broker import LocalBroker  # noqa: E402
from tests.support.fleet import IngestThread, SyncThread, sell, truck_config, truck_journal  # noqa: E402
from tests.support.hub_checks import committed  # noqa: E402
from tourkasse.journal import EntryKind, decode_entry  # noqa: E402

RAW_TOPIC = "bench/raw"
TRUCK = "T01"
TARGET = 1.0
# a fresh interpreter per sender: no copy of the parent's threads or broker handles
PROCESSES = multiprocessing.get_context("spawn")


def mqtt5_client(client_id: str) -> mqtt.Client:
    return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)


SENDER_PEAKS: dict[str, float] = {}  # MiB, the largest of each kind of sender process


def _peak_mib() -> float:
    """This process's own peak RSS. (getrusage would report the parent's: Linux carries the
    high-water mark across the exec that starts a spawned process.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _publish_all(port: int, payloads: list[bytes], ready, go, done, timeout: float) -> None:
    """The baseline's sender, in a process of its own: publish every payload at QoS 1 once
    told to, and hand back the moment the last PUBACK came (or the failure, as text)."""
    total = len(payloads)
    acked = threading.Event()
    count = [0]

    def on_publish(_c, _u, _mid, _rc, _p) -> None:
        count[0] += 1
        if count[0] == total:
            acked.set()

    connected = threading.Event()
    publisher = mqtt5_client("bench-raw-pub")
    publisher.max_inflight_messages_set(50)  # as the truck's client (truck/agent/mqtt_link.py)
    publisher.on_publish = on_publish
    publisher.on_connect = lambda *_: connected.set()
    publisher.connect("127.0.0.1", port, keepalive=30)
    publisher.loop_start()
    try:
        if not connected.wait(10):
            done.put("baseline: the publisher does not get to the broker")
            return
        ready.set()
        go.wait()
        for payload in payloads:
            publisher.publish(RAW_TOPIC, payload, qos=1)
        if not acked.wait(timeout):
            done.put(f"baseline: {count[0]} of {total} acknowledged after {timeout:.0f} s")
            return
        done.put((time.perf_counter(), _peak_mib()))
    finally:
        publisher.disconnect()
        publisher.loop_stop()


def raw_seconds(port: int, payloads: list[bytes], timeout: float) -> float:
    """Seconds for ``payloads`` as single QoS 1 messages: first publish to last PUBACK and
    last message received, whichever comes later."""
    total = len(payloads)
    counts = {"received": 0}
    subscribed, received = threading.Event(), threading.Event()
    arrived = [0.0]

    def on_message(_c, _u, _m) -> None:
        counts["received"] += 1
        if counts["received"] == total:
            arrived[0] = time.perf_counter()
            received.set()

    subscriber = mqtt5_client("bench-raw-sub")
    subscriber.on_message = on_message
    subscriber.on_subscribe = lambda *_: subscribed.set()
    subscriber.on_connect = lambda client, *_: client.subscribe(RAW_TOPIC, qos=1)
    subscriber.connect("127.0.0.1", port, keepalive=30)
    subscriber.loop_start()
    ready, go, done = PROCESSES.Event(), PROCESSES.Event(), PROCESSES.Queue()
    sender = PROCESSES.Process(
        target=_publish_all, args=(port, payloads, ready, go, done, timeout), daemon=True
    )
    sender.start()
    try:
        if not (subscribed.wait(10) and ready.wait(30)):
            raise RuntimeError("baseline: the paho clients do not get to the broker")
        began = time.perf_counter()
        go.set()
        answer = done.get(timeout=timeout + 30)
        if isinstance(answer, str):
            raise RuntimeError(answer)
        acked_at, peak = answer
        SENDER_PEAKS["publisher"] = max(SENDER_PEAKS.get("publisher", 0.0), peak)
        if not received.wait(max(0.0, began + timeout - time.perf_counter())):
            raise RuntimeError(f"baseline: {counts['received']} of {total} received")
        return max(acked_at, arrived[0]) - began
    finally:
        sender.join(timeout=15)
        subscriber.disconnect()
        subscriber.loop_stop()


def one_message_per_sale(entries: list[bytes]) -> list[bytes]:
    """Each sale's entries in one payload: a receipt and what the journal holds before it
    since the last receipt (the TSE start; for the first sale also the day's opening)."""
    sales, pending = [], []
    for data in entries:
        pending.append(data)
        if decode_entry(data).kind is EntryKind.RECEIPT:
            sales.append(b"\n".join(pending))
            pending = []
    if pending:  # entries after the last receipt travel with it
        sales[-1] = b"\n".join([sales[-1], *pending])
    return sales


def _sync_until(config: Path, last: int, ready, go, done, timeout: float) -> None:
    """The truck's side, in a process of its own: run the agent's sync once told to, and hand
    back the moment it holds the hub's acknowledgement of ``last`` (or the failure, as text)."""
    agent = SyncThread(config)
    pause = threading.Event()
    ready.set()
    go.wait()
    began = time.perf_counter()
    with agent:
        while agent.sync.acked < last:
            if time.perf_counter() - began > timeout:
                done.put(
                    f"after {timeout:.0f} s acknowledged through {agent.sync.acked} of {last}: "
                    f"{agent.lines[-5:]}"
                )
                return
            pause.wait(0.002)
        done.put((time.perf_counter(), _peak_mib()))


def drain_seconds(url: str, port: int, config: Path, last: int, timeout: float) -> float:
    """Seconds from the sync's start until the truck has the hub's acknowledgement of ``last``."""
    # its session ends with it, so that the broker queues nothing for it in later measurements
    with IngestThread(url, port, client_id="bench-ingest", session_expiry_s=0) as ingest:
        ready, go, done = PROCESSES.Event(), PROCESSES.Event(), PROCESSES.Queue()
        truck = PROCESSES.Process(
            target=_sync_until, args=(config, last, ready, go, done, timeout), daemon=True
        )
        truck.start()
        try:
            if not ready.wait(60):
                raise RuntimeError("the truck's process does not get ready")
            began = time.perf_counter()
            go.set()
            answer = done.get(timeout=timeout + 30)
            if isinstance(answer, str):
                raise RuntimeError(f"{answer} {ingest.lines[-5:]}")
            finished, peak = answer
            SENDER_PEAKS["truck"] = max(SENDER_PEAKS.get("truck", 0.0), peak)
            elapsed = finished - began
        finally:
            truck.join(timeout=15)
    on_hub = committed(url, TRUCK)
    if on_hub != last:
        raise RuntimeError(f"the hub committed through {on_hub}, expected {last}")
    return elapsed


class Stores:
    """A fresh, empty hub store per measurement: a new SQLite file, a new PostgreSQL database."""

    def __init__(self, root: Path, stack: contextlib.ExitStack) -> None:
        self.root, self.stack, self.cluster, self.made = root, stack, None, 0

    def new(self, kind: str) -> str:
        self.made += 1
        if kind == "sqlite":
            return f"sqlite:///{self.root / f'hub-{self.made}.sqlite'}"
        if self.cluster is None:
            from tests.support.postgres import start_cluster

            began = time.perf_counter()
            self.cluster = start_cluster()
            self.stack.callback(self.cluster.stop)
            print(f"  set-up: PostgreSQL cluster started in {time.perf_counter() - began:.1f} s")
        return self.cluster.url(self.cluster.create_database())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sales", type=int, default=10_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument(
        "--rounds", type=int, default=3, help="measurements of each, interleaved; the median counts"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per measurement")
    args = parser.parse_args()
    stores = [kind.strip() for kind in args.stores.split(",") if kind.strip()]
    unknown = set(stores) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown store(s): {', '.join(sorted(unknown))}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl+C

    with contextlib.ExitStack() as stack:
        var = REPO / "var"
        root = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(
                    prefix="tourkasse-bench-sync-", dir=var if var.is_dir() else None
                )
            )
        )
        broker = stack.enter_context(LocalBroker(root / "broker"))
        truck = root / "truck"
        config = truck_config(truck, port=broker.port, drain_per_s=1_000_000)
        print(
            f"Sync benchmark, {args.sales} sales, one Mosquitto, same run, "
            f"median of {args.rounds} interleaved rounds"
        )
        began = time.perf_counter()
        sell(config, args.sales)
        entries = truck_journal(config)
        payloads = one_message_per_sale(entries)
        size = sum(map(len, payloads)) / len(payloads)
        print(
            f"  set-up: {args.sales} sales with the real till and software TSE in "
            f"{time.perf_counter() - began:.1f} s: {len(entries)} journal entries "
            f"(TSE start and receipt per sale), {size:.0f} bytes per sale on average"
        )
        hubs = Stores(root, stack)
        times: dict[str, list[float]] = {kind: [] for kind in ("raw", *stores)}
        for round_ in range(args.rounds):
            times["raw"].append(raw_seconds(broker.port, payloads, args.timeout))
            for kind in stores:
                copy = root / f"truck-{kind}-{round_}"
                shutil.copytree(truck, copy)  # a fresh journal: nothing acknowledged yet
                url = hubs.new(kind)
                copied = copy / config.name
                times[kind].append(
                    drain_seconds(url, broker.port, copied, len(entries), args.timeout)
                )
                shutil.rmtree(copy)

    sales, count = len(payloads), len(entries)
    raw_time = statistics.median(times["raw"])
    print()
    print(
        f"  {'':42} {'sales':>6} {'seconds':>8} {'sales/s':>8} {'entries/s':>9} {'ratio':>6}"
        "  (rounds, s)"
    )
    met = True
    for kind, seconds in times.items():
        name = "baseline: one QoS 1 message per sale" if kind == "raw" else f"sync into hub, {kind}"
        median = statistics.median(seconds)
        ratio = raw_time / median
        met = met and (kind == "raw" or ratio >= TARGET)
        each = " ".join(f"{value:.2f}" for value in seconds)
        entry_rate = f"{count / median:9.0f}" if kind != "raw" else f"{'':>9}"
        print(
            f"  {name:42} {sales:6d} {median:8.2f} {sales / median:8.0f} {entry_rate} "
            f"{ratio:6.2f}  ({each})"
        )
    print(f"  target: drain / raw >= {TARGET:.1f} for every store: {'met' if met else 'NOT met'}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  peak RSS, this process (till for the set-up, hub's ingest, subscriber): {peak:.0f} MiB"
    )
    print(
        f"  peak RSS, truck's sync process: {SENDER_PEAKS.get('truck', float('nan')):.0f} MiB; "
        f"baseline publisher process: {SENDER_PEAKS.get('publisher', float('nan')):.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
