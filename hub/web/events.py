"""Live events for the operator's pages, sent to each open page as server-sent events.

Positions come straight from the broker (the web subscribes itself, with a client id of its own
and a clean session: a position missed while the web was down is of no use later), so that a
truck moves on the map the moment it reports. Everything else is read from the hub store,
which only holds what the ingest has committed: a watcher looks every ``POLL_S`` seconds
whether the trucks' journals, statuses, positions or refused messages changed, and if so
sends the new sales, the fleet's rows, today's turnover and the alerts.

Pages that cannot keep up lose the oldest events of their queue, never block the others;
the page asks for the whole state again when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt

from hub import alerts
from hub.config import HubConfig
from hub.mqtt import connect, hub_client
from hub.store import HubStore
from hub.web import fleet
from tourkasse import protocol
from tourkasse.tour import TourPlan

POLL_S = 1.0
QUEUE_SIZE = 500
FEED_SIZE = 20


class LiveEvents:
    """Fans live events out to every open page (one instance per web process)."""

    def __init__(
        self,
        config: HubConfig,
        open_store: Callable[[], HubStore],
        plan: Callable[[], TourPlan | None],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self.open_store = open_store
        self.plan = plan
        self.clock = clock
        self.zone = ZoneInfo(config.timezone)
        self.pages: set[asyncio.Queue[str]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.client: mqtt.Client | None = None
        self.watcher: asyncio.Task[None] | None = None
        self.heads: dict[str, int] = {}
        self.last_state: Any = None
        self.connected = threading.Event()  # subscribed at the broker: positions arrive

    # --- running -----------------------------------------------------------------------
    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        settings = self.config.mqtt
        client = hub_client(settings, client_id=f"{settings.client_id}-web")
        client.on_connect = self._on_connect
        client.on_subscribe = lambda *_: self.connected.set()
        client.on_message = self._on_message
        connect(client, settings, persistent=False)
        client.loop_start()
        self.client = client
        self.heads = await asyncio.to_thread(self._read_heads)
        self.watcher = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watcher
        if self.client is not None:
            self.client.disconnect()
            self.client.loop_stop()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            return
        client.subscribe(f"{protocol.PREFIX}/truck/+/position", qos=0)

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        try:
            decoded = protocol.decode(message.topic, bytes(message.payload))
        except protocol.ProtocolError:
            return  # the ingest keeps refused messages with their reason; the map just skips it
        if not isinstance(decoded, protocol.Position):
            return
        event = {
            "truck": decoded.truck,
            "lat": decoded.lat / fleet.SCALE,
            "lon": decoded.lon / fleet.SCALE,
            "speed_kmh": round(decoded.speed_cm_s * 0.036, 1),
            "time": decoded.time,
        }
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.send, "position", event)

    # --- the pages ---------------------------------------------------------------------
    def open_page(self) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        self.pages.add(queue)
        return queue

    def close_page(self, queue: asyncio.Queue[str]) -> None:
        self.pages.discard(queue)

    def send(self, kind: str, data: Any) -> None:
        """One server-sent event to every open page."""
        text = f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        for queue in self.pages:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(text)

    def snapshot(self) -> dict[str, Any]:
        """The whole state the live page starts from (and reloads after a lost connection)."""
        with self.open_store() as store:
            return self._state(store) | {
                "sales": [
                    sale
                    for data in store.latest_receipts(FEED_SIZE)
                    if (sale := fleet.sale(data, self.zone, self._names())) is not None
                ],
                "stops": fleet.stops_today(self.plan(), fleet.Day.of(self.clock(), self.zone)),
            }

    def _names(self) -> dict[str, str]:
        plan = self.plan()
        return plan.stop_names() if plan else {}

    # --- the watcher -------------------------------------------------------------------
    def _read_heads(self) -> dict[str, int]:
        with self.open_store() as store:
            return store.heads()

    def _state(self, store: HubStore) -> dict[str, Any]:
        now = self.clock()
        day = fleet.Day.of(now, self.zone)
        offline_after = timedelta(minutes=self.config.web.offline_alert_minutes)
        return {
            "trucks": fleet.trucks(store, self.plan(), day, now),
            "turnover": fleet.turnover_by_stop(store, day, self._names()),
            "alerts": [
                a.to_dict()
                for a in alerts.current(store, now, offline_after=offline_after, zone=self.zone)
            ],
        }

    def _changes(self) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """New sales since the last look, and the fleet's state if anything in it changed."""
        names = self._names()
        with self.open_store() as store:
            heads = store.heads()
            sales = []
            for truck, last in sorted(heads.items()):
                seen = self.heads.get(truck, 0)
                if last > seen:
                    for data in store.receipts_after(truck, seen, limit=FEED_SIZE * 5):
                        if (sale := fleet.sale(data, self.zone, names)) is not None:
                            sales.append(sale)
            self.heads = heads
            state = self._state(store)
        # trucks' rows carry "last contact" and turnover: compare all but the positions
        comparable = json.dumps(
            [state["turnover"], state["alerts"], [_without_position(t) for t in state["trucks"]]],
            sort_keys=True,
        )
        if comparable == self.last_state:
            return sales, None
        self.last_state = comparable
        return sales, state

    async def _watch(self) -> None:
        while True:
            began = time.monotonic()
            try:
                sales, state = await asyncio.to_thread(self._changes)
            except Exception as exc:  # the store may be down a while; the page must stay up
                self.send("trouble", {"text": f"Speicher der Zentrale nicht lesbar: {exc}"})
            else:
                for sale in sales:
                    self.send("sale", sale)
                if state is not None:
                    for kind, data in state.items():
                        self.send(kind, data)
            await asyncio.sleep(max(0.0, POLL_S - (time.monotonic() - began)))


def _without_position(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key != "position"}
