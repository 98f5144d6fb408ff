"""The agent's sync with the hub: the journal's tail up, acknowledgements and downloads down.

The journal is the buffer. Entries after the hub's last acknowledgement go out in batches
(QoS 1, their canonical bytes unchanged); the pointer moves only when the hub says it has
committed them ("committed through N"). Without an acknowledgement in time, after a reconnect,
or when the hub asks ("send again from N"), the agent sends again from the pointer — the hub
takes entries it has already as they are. While offline, paho reconnects with a growing pause.
After a long dead zone the backlog drains at a bounded rate, while the live position (QoS 0)
still goes out; the track follows once the journal is through.

Everything runs on the sync's own thread, which owns its database connections; paho's network
thread only hands events over through a queue.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from operator import itemgetter
from typing import Any

import paho.mqtt.client as mqtt
from sqlite_utils import Database

from tourkasse import protocol
from tourkasse.protocol import Ack, Download, JournalBatch, Resend, TrackAck, TrackBatch
from truck.agent.mqtt_link import truck_client
from truck.config import TruckConfig
from truck.devices.gps.fix import Fix
from truck.store import devices, downloads, sync_state
from truck.store import track as track_store
from truck.store.database import open_database
from truck.store.track import open_track

STATUS_EVERY_S = 60.0  # a status even when nothing changed, so the hub sees the truck is alive
STATUS_AT_MOST_EVERY_S = 2.0  # while draining the backlog changes with every ack
WINDOW_BATCHES = 8  # batches in flight before waiting for the hub


@functools.cache
def software_version() -> str:
    try:
        return version("tourkasse")
    except PackageNotFoundError:
        return "unbekannt"


@dataclass(frozen=True)
class _Event:
    kind: str  # "connected", "disconnected", "message"
    topic: str = ""
    payload: bytes = b""
    detail: str = ""


class Sync:
    """Keeps the hub up to date; ``run(stop)`` until ``stop`` is set (on its own thread)."""

    def __init__(
        self,
        config: TruckConfig,
        *,
        clock: Callable[[], datetime],
        say: Callable[[str], None] = print,
    ) -> None:
        self.config = config
        self.truck = config.truck.id
        self.settings = config.hub
        self.clock = clock
        self.say = say
        self.events: queue.Queue[_Event] = queue.Queue()
        self.connected = False
        self.connect_failures = 0  # attempts in a row that found no broker
        self._position: Fix | None = None
        self._position_lock = threading.Lock()
        # pointers: acked is durable (the hub's word), sent is this connection's progress
        self.acked = 0
        self.sent = 0
        self._last_progress = 0.0
        self._rewound: tuple[int, float] | None = None
        self._tokens = 0.0
        self._tokens_at = 0.0
        self._track_sent: str | None = None
        self._track_acked = ""
        self._status_sent: tuple[Any, ...] | None = None
        self._status_at = 0.0
        self._position_at = 0.0
        self._warned_ahead = False
        self._last_seen = 0

    # --- for the agent's GPS loop (another thread) ----------------------------------------
    def position(self, fix: Fix) -> None:
        with self._position_lock:
            self._position = fix

    # --- the loop -------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        db = open_database(self.config.paths.journal)
        track_db = open_track(self.config.paths.track)
        self.acked = sync_state.journal_acked(db)
        self.sent = self.acked
        self._track_acked = sync_state.get(db, sync_state.TRACK)
        client = truck_client(self.truck, self.settings, will=self._status(db, online=False))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_connect_fail = self._on_connect_fail
        client.connect_async(self.settings.host, self.settings.port, self.settings.keepalive_s)
        client.loop_start()
        try:
            while not stop.is_set():
                self._step(client, db, track_db)
                try:
                    event = self.events.get(timeout=self._pause())
                except queue.Empty:
                    continue
                self._handle(client, db, event)
                while not self.events.empty():
                    self._handle(client, db, self.events.get_nowait())
        finally:
            if self.connected:
                info = client.publish(
                    protocol.truck_topic(self.truck, "status"),
                    protocol.encode(self._status(db, online=False)),
                    qos=1,
                    retain=True,
                )
                info.wait_for_publish(timeout=2)
            client.disconnect()
            client.loop_stop()
            db.close()
            track_db.close()

    def _pause(self) -> float:
        if not self.connected:
            return 0.5
        if self.sent < self._last_seen:
            return 0.01
        return 0.2

    # --- paho's thread: hand over only ----------------------------------------------------
    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self.events.put(_Event("refused", detail=str(reason)))
            return
        client.subscribe(
            [
                (protocol.truck_topic(self.truck, "ack"), 1),
                (protocol.truck_topic(self.truck, "resend"), 1),
                (protocol.fleet_topic("articles"), 1),
                (protocol.fleet_topic("tours"), 1),
                (protocol.truck_topic(self.truck, "orders"), 1),  # this truck's own, retained
            ]
        )
        self.events.put(_Event("connected"))

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.events.put(_Event("disconnected", detail=str(reason)))

    def _on_connect_fail(self, _c: mqtt.Client, _u: Any) -> None:
        self.events.put(_Event("unreachable"))

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        self.events.put(_Event("message", message.topic, bytes(message.payload)))

    # --- the sync's thread ----------------------------------------------------------------
    def _handle(self, client: mqtt.Client, db: Database, event: _Event) -> None:
        if event.kind == "connected":
            self.connected = True
            self.connect_failures = 0
            self.sent = self.acked  # whatever was in flight is sent again
            # a full bucket: the first second's entries go out at once, then drain_per_s
            self._tokens = float(max(self.settings.drain_per_s, self.settings.batch_size))
            self._tokens_at = time.monotonic()
            self._track_sent = None
            self._status_sent = None
            self._last_progress = time.monotonic()
            self.say(f"Zentrale erreichbar ({self.settings.host}:{self.settings.port})")
        elif event.kind == "disconnected":
            if self.connected:
                self.say(
                    f"Zentrale nicht erreichbar ({event.detail}) – Verkäufe bleiben im Journal"
                )
            self.connected = False
        elif event.kind == "unreachable":
            self.connect_failures += 1
            if self.connect_failures == 1:
                self.say(
                    f"Zentrale nicht erreichbar ({self.settings.host}:{self.settings.port}) – "
                    "Verkäufe bleiben im Journal, neuer Versuch mit wachsender Pause"
                )
        elif event.kind == "refused":
            self.say(f"Broker lehnt die Anmeldung des Wagens ab: {_refusal(event.detail)}")
        else:
            self._message(db, event.topic, event.payload)

    def _message(self, db: Database, topic: str, payload: bytes) -> None:
        try:
            message = protocol.decode(topic, payload)
        except protocol.ProtocolError as refused:
            self.say(f"Nachricht der Zentrale auf {topic} nicht lesbar: {refused}")
            return
        if isinstance(message, Ack):
            self._acked(db, message.through)
        elif isinstance(message, Resend):
            self._resend(message)
        elif isinstance(message, TrackAck):
            through = track_store.stamp(datetime.fromisoformat(message.through))
            if through > self._track_acked:
                self._track_acked = through
                sync_state.set_value(db, sync_state.TRACK, through)
            if self._track_sent is not None and through >= self._track_sent:
                self._track_sent = None
        elif isinstance(message, Download):
            # kept as it came; the till takes articles and tours over between receipts,
            # orders are in use at once (truck/store/downloads.py)
            self.say(downloads.receive(db, message, clock=self.clock))

    def _acked(self, db: Database, through: int) -> None:
        last = sync_state.journal_last(db)
        if through > last and not self._warned_ahead:
            self._warned_ahead = True
            self.say(
                f"Die Zentrale hat das Journal bis Eintrag {through}, dieser Wagen nur bis {last}"
                " – wurde eine Sicherung zurückgespielt? Bitte die Disposition anrufen."
            )
        through = min(through, last)
        if through <= self.acked:
            return
        self.acked = through
        self.sent = max(self.sent, through)
        self._last_progress = time.monotonic()
        sync_state.set_value(db, sync_state.JOURNAL, str(through))

    def _resend(self, message: Resend) -> None:
        since = message.since
        if since <= self.acked:
            # The hub has lost entries it had acknowledged (its store came back from a
            # backup): its word counts, and the journal still holds every entry.
            self.say(f"Zentrale hat das Journal nur bis Eintrag {since - 1}: sende ab dort erneut")
            self.acked = self.sent = since - 1
            self._last_progress = time.monotonic()
            return
        if since - 1 >= self.sent:
            return
        now = time.monotonic()
        rewound = self._rewound
        if rewound and rewound[0] == since and now - rewound[1] < self.settings.ack_timeout_s:
            return  # asked again by batches that were already on their way
        self._rewound = (since, now)
        self.say(f"Zentrale bittet um Einträge ab {since}: {message.reason}")
        self.sent = since - 1

    def _step(self, client: mqtt.Client, db: Database, track_db: Database) -> None:
        if not self.connected:
            return
        now = time.monotonic()
        self._send_position(client, now)
        last = sync_state.journal_last(db)
        self._last_seen = last
        if self.sent > self.acked and now - self._last_progress > self.settings.ack_timeout_s:
            self.say(f"Keine Bestätigung der Zentrale – sende erneut ab Eintrag {self.acked + 1}")
            self.sent = self.acked
            self._last_progress = now
        self._send_journal(client, db, last, now)
        self._send_status(client, db, last, now)
        if self.acked >= last:
            self._send_track(client, track_db, now)

    def _send_journal(self, client: mqtt.Client, db: Database, last: int, now: float) -> None:
        size = self.settings.batch_size
        rate = self.settings.drain_per_s
        self._tokens = min(
            float(max(rate, size)), self._tokens + (now - (self._tokens_at or now)) * rate
        )
        self._tokens_at = now
        while self.sent < last and self.sent - self.acked < size * WINDOW_BATCHES:
            want = min(size, last - self.sent)
            if self._tokens < want:
                return
            rows = sync_state.journal_rows(db, after=self.sent, limit=want)
            if not rows:
                return
            batch = JournalBatch(self.truck, tuple(map(itemgetter(1), rows)), first=rows[0][0])
            if self.sent == self.acked:
                self._last_progress = now  # the wait for an acknowledgement starts now
            client.publish(
                protocol.truck_topic(self.truck, "journal"), protocol.encode(batch), qos=1
            )
            self._tokens -= len(rows)
            self.sent = batch.last

    def _send_position(self, client: mqtt.Client, now: float) -> None:
        if now - self._position_at < self.settings.position_every_s:
            return
        with self._position_lock:
            fix, self._position = self._position, None
        if fix is None:
            return
        self._position_at = now
        point = protocol.Position(
            self.truck,
            fix.time.isoformat(),
            round(fix.lat * track_store.SCALE),
            round(fix.lon * track_store.SCALE),
            round(fix.speed * 100),
        )
        client.publish(protocol.truck_topic(self.truck, "position"), protocol.encode(point), qos=0)

    def _send_status(self, client: mqtt.Client, db: Database, last: int, now: float) -> None:
        if self._status_sent is not None and now - self._status_at < STATUS_AT_MOST_EVERY_S:
            return
        status = self._status(db, online=True, last=last)
        key = (status.journal_seq, status.backlog, status.devices)
        if key == self._status_sent and now - self._status_at < STATUS_EVERY_S:
            return
        self._status_sent, self._status_at = key, now
        client.publish(
            protocol.truck_topic(self.truck, "status"), protocol.encode(status), qos=1, retain=True
        )

    def _status(self, db: Database, *, online: bool, last: int | None = None) -> protocol.Status:
        last = sync_state.journal_last(db) if last is None else last
        reports = tuple(
            (name, protocol.DeviceReport(state.ok, state.message, state.since.isoformat()))
            for name, state in sorted(devices.current(db).items())
        )
        return protocol.Status(
            self.truck,
            online,
            self.clock().isoformat(),
            software_version(),
            last,
            max(0, last - self.acked),
            reports,
        )

    def _send_track(self, client: mqtt.Client, track_db: Database, now: float) -> None:
        if self._track_sent is not None:
            return
        rows = track_store.rows_after(track_db, self._track_acked, limit=self.settings.batch_size)
        if not rows:
            return
        points = tuple(protocol.TrackPoint(*row) for row in rows)
        client.publish(
            protocol.truck_topic(self.truck, "track"),
            protocol.encode(TrackBatch(self.truck, points)),
            qos=1,
        )
        self._track_sent = points[-1].time


def _refusal(reason: str) -> str:
    """paho's English reason, said as the person setting up the truck needs it."""
    if "user name or password" in reason.lower() or "not authorized" in reason.lower():
        return (
            "Wagen-ID oder Passwort falsch – [hub] password in der Konfiguration prüfen "
            "(tourkasse hub truck add gibt es aus)"
        )
    return reason
