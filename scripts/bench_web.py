"""Benchmark: the live page's event latency, from a position published to the event in the
browser's stream.

One Mosquitto, the hub's real web server (uvicorn, its live events subscribed at the broker)
and a headless Chromium (Debian's, via Playwright) with the operator logged in on the live
page. ``--trucks`` simulated trucks each publish their position once a second (QoS 0, as the
agent does), spread evenly over the second, for ``--seconds``. Each position carries the
time it was published (microseconds); the page notes, for every position event on its
stream, the time it arrived (``performance.timeOrigin + performance.now()``). Baseline in
the same run: a plain paho subscriber to the same positions through the same broker.
Printed: median and p99 latency of both, and the ratio (web over baseline).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from hub.broker import LocalBroker, free_port  # noqa: E402
from hub.config import HubConfig, MqttSettings, StoreSettings, WebSettings  # noqa: E402
from tests.support.browser import chromium, new_page  # noqa: E402
from tests.support.waiting import eventually  # noqa: E402
from tests.support.web import WebThread, add_user, browser_log_in  # noqa: E402
from tourkasse import protocol  # noqa: E402

LISTEN = """
window.latencies = [];
const stream = window.benchStream = new EventSource("/events");
stream.addEventListener("position", (e) => {
  const now = performance.timeOrigin + performance.now();
  const t = JSON.parse(e.data).time;
  const micro = Number((t.match(/\\.(\\d{6})/) || [0, "0"])[1]) % 1000;
  window.latencies.push(now - (Date.parse(t) + micro / 1000));
});
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def client(name: str) -> mqtt.Client:
    return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=name, protocol=mqtt.MQTTv5)


def connected(made: mqtt.Client, port: int) -> mqtt.Client:
    ready = threading.Event()
    made.on_connect = lambda *_: ready.set()
    made.connect("127.0.0.1", port, keepalive=30)
    made.loop_start()
    if not ready.wait(10):
        raise RuntimeError("MQTT client does not get to the broker")
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trucks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tourkasse-bench-web-")))
        broker = stack.enter_context(LocalBroker(root / "broker"))
        url = f"sqlite:///{root / 'hub.sqlite'}"
        add_user(url, "olga", "operator")
        config = HubConfig(
            store=StoreSettings(url=url),
            mqtt=MqttSettings(host="127.0.0.1", port=broker.port, client_id="bench-web"),
            web=WebSettings(port=free_port()),
        )
        web = stack.enter_context(WebThread(config))
        browser = stack.enter_context(chromium())
        page = new_page(browser)
        browser_log_in(page, web.url, "olga")
        page.goto(f"{web.url}/live")
        page.wait_for_selector("body[data-live=ready]")
        page.evaluate(LISTEN)
        # polled from here: the page's security policy forbids evaluating strings in it
        eventually(
            lambda: page.evaluate("window.benchStream.readyState === EventSource.OPEN"),
            timeout=10,
            what="the page's event stream is open",
        )

        raw: list[float] = []
        subscribed = threading.Event()
        baseline = client("bench-web-baseline")

        def on_message(_c, _u, message) -> None:
            arrived = time.time()
            sent = datetime.fromisoformat(protocol.decode(message.topic, message.payload).time)
            raw.append((arrived - sent.timestamp()) * 1000)

        baseline.on_message = on_message
        baseline.on_subscribe = lambda *_: subscribed.set()
        connected(baseline, broker.port).subscribe(f"{protocol.PREFIX}/truck/+/position")
        stack.callback(baseline.loop_stop)
        if not subscribed.wait(10):
            raise RuntimeError("baseline subscriber not subscribed")
        publisher = connected(client("bench-web-trucks"), broker.port)
        stack.callback(publisher.loop_stop)

        trucks = [f"T{number:03d}" for number in range(1, args.trucks + 1)]
        every = 1.0 / args.trucks
        began = time.perf_counter()
        sent = 0
        pause = threading.Event()
        while time.perf_counter() - began < args.seconds:
            truck = trucks[sent % len(trucks)]
            position = protocol.Position(
                truck, datetime.now(UTC).isoformat(), 514_230_000 + sent, 96_540_000, 800
            )
            publisher.publish(
                protocol.truck_topic(truck, "position"), protocol.encode(position), qos=0
            )
            sent += 1
            pause.wait(max(0.0, began + sent * every - time.perf_counter()))
        eventually(
            lambda: page.evaluate("window.latencies.length") >= sent,
            timeout=30,
            what=f"all {sent} positions reached the page",
        )
        web_ms: list[float] = page.evaluate("window.latencies")
    print(
        f"Live page event latency: {args.trucks} trucks at 1 Hz for {args.seconds:.0f} s, "
        f"{sent} positions, one Mosquitto, same run"
    )
    print(f"  {'':40} {'events':>7} {'median ms':>10} {'p99 ms':>8}")
    for name, values in (
        ("baseline: paho subscriber", raw),
        ("web: position event in Chromium", web_ms),
    ):
        print(
            f"  {name:40} {len(values):7d} {statistics.median(values):10.2f} "
            f"{percentile(values, 0.99):8.2f}"
        )
    print(
        f"  ratio web / baseline: median {statistics.median(web_ms) / statistics.median(raw):.1f}, "
        f"p99 {percentile(web_ms, 0.99) / percentile(raw, 0.99):.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
