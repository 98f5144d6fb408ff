"""Benchmark: draining journalled sales into the hub against single QoS 1 messages.

One Mosquitto for the run. A truck sells N five-line cash sales with the real till and the
software TSE (set-up, timed apart); each sale journals two entries (the TSE transaction's start
and the receipt). The baseline, through the same broker in the same run: one QoS 1 message per
sale, holding that sale's journal entries (so of the same size), from a paho MQTT 5 client to a
second one subscribed at QoS 1, timed from the first publish until all are received and
acknowledged. Then
per hub store (an SQLite file; a fresh database of a throwaway PostgreSQL cluster): the hub's
ingest and the agent's sync on a fresh copy of the truck, timed from the sync's start until the
truck holds the hub's acknowledgement of its last entry (the hub acknowledges only what it has
committed; the store is checked afterwards). Printed: sales/s, journal entries/s and the ratio
to the baseline (its time over the drain's: above 1.0 the drain is faster).
Each is measured ``--rounds`` times, interleaved, and the median counts (a busy machine varies).
Everything runs in this one Python process: sync and ingest share one interpreter lock, as the
baseline's two clients do.

It uses the test helpers in tests/support (fleet: truck, sales, sync and ingest threads;
hub_checks: what the hub has committed; postgres: the throwaway cluster), because they are
exactly the real parts wired as the sync tests wire them.
"""

from __future__ import annotations

import argparse
import contextlib
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


def mqtt5_client(client_id: str) -> mqtt.Client:
    return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)


def raw_seconds(port: int, payloads: list[bytes], timeout: float) -> float:
    """Seconds for ``payloads`` as single QoS 1 messages: first publish to last PUBACK and
    last message received, whichever comes later."""
    total = len(payloads)
    counts = {"received": 0, "acked": 0}
    subscribed, received, acked = threading.Event(), threading.Event(), threading.Event()

    def on_message(_c, _u, _m) -> None:
        counts["received"] += 1
        if counts["received"] == total:
            received.set()

    def on_publish(_c, _u, _mid, _rc, _p) -> None:
        counts["acked"] += 1
        if counts["acked"] == total:
            acked.set()

    subscriber = mqtt5_client("bench-raw-sub")
    subscriber.on_message = on_message
    subscriber.on_subscribe = lambda *_: subscribed.set()
    subscriber.on_connect = lambda client, *_: client.subscribe(RAW_TOPIC, qos=1)
    publisher = mqtt5_client("bench-raw-pub")
    publisher.max_inflight_messages_set(50)  # as the truck's client (truck/agent/mqtt_link.py)
    publisher.on_publish = on_publish
    connected = threading.Event()
    publisher.on_connect = lambda *_: connected.set()
    try:
        for client in (subscriber, publisher):
            client.connect("127.0.0.1", port, keepalive=30)
            client.loop_start()
        if not (subscribed.wait(10) and connected.wait(10)):
            raise RuntimeError("baseline: the paho clients do not get to the broker")
        began = time.perf_counter()
        for payload in payloads:
            publisher.publish(RAW_TOPIC, payload, qos=1)
        deadline = began + timeout
        for done in (received, acked):
            if not done.wait(max(0.0, deadline - time.perf_counter())):
                raise RuntimeError(f"baseline incomplete after {timeout:.0f} s: {counts}")
        return time.perf_counter() - began
    finally:
        for client in (publisher, subscriber):
            client.disconnect()
            client.loop_stop()


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


def drain_seconds(url: str, port: int, config: Path, last: int, timeout: float) -> float:
    """Seconds from the sync's start until the truck has the hub's acknowledgement of ``last``."""
    # its session ends with it, so that the broker queues nothing for it in later measurements
    with IngestThread(url, port, client_id="bench-ingest", session_expiry_s=0) as ingest:
        agent = SyncThread(config)
        pause = threading.Event()
        began = time.perf_counter()
        with agent:
            while agent.sync.acked < last:
                if time.perf_counter() - began > timeout:
                    raise RuntimeError(
                        f"after {timeout:.0f} s acknowledged through {agent.sync.acked} of {last}: "
                        f"{agent.lines[-5:]} {ingest.lines[-5:]}"
                    )
                pause.wait(0.005)
            elapsed = time.perf_counter() - began
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
    print(f"  peak RSS of this process (till, sync, ingest, MQTT clients): {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
