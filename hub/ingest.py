"""The hub's ingest: journals, tracks, positions and status from the trucks into the hub store.

What arrives is read with the wire protocol (tourkasse.protocol). A journal batch is committed
to the store first, then acknowledged to the truck ("committed through N", cumulative), and
only then to the broker, so a hub killed at any moment loses nothing: the broker hands the
message over again, and the truck sends again whatever it has no acknowledgement for. A gap
or a broken chain asks the truck to send again from where the hub's journal ends. Whatever
cannot be accepted is kept in the store with the reason; nothing stops the ingest but ``stop``.
"""

from __future__ import annotations

import select
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import paho.mqtt.client as mqtt

from hub.config import MqttSettings
from hub.mqtt import HubClient, connect, hub_client
from hub.store.model import BatchOutcome
from tourkasse import protocol
from tourkasse.protocol import (
    Ack,
    JournalBatch,
    Position,
    ProtocolError,
    Resend,
    Status,
    TrackAck,
    TrackBatch,
    truck_topic,
)

SUBSCRIPTIONS = (
    (f"{protocol.PREFIX}/truck/+/journal", 1),
    (f"{protocol.PREFIX}/truck/+/track", 1),
    (f"{protocol.PREFIX}/truck/+/status", 1),
    (f"{protocol.PREFIX}/truck/+/position", 0),
)
RESEND_QUIET_S = 2.0  # the same "send again from N" is not repeated within this time
# In a share group: a batch that came before the one ahead of it (at another process) is
# tried again this often, this far apart, before the truck is asked to send again
GAP_TRIES = 40
GAP_PAUSE_S = 0.05


def subscriptions(share_group: str) -> list[tuple[str, int]]:
    """What the ingest subscribes to; in a share group the broker hands each message to one
    of the group's ingest processes. Which one stores a truck's batch does not matter: the
    store takes each entry once, checks the chain per truck, and the truck keeps the highest
    acknowledgement it hears (docs/operations.md)."""
    if not share_group:
        return list(SUBSCRIPTIONS)
    return [(f"$share/{share_group}/{topic}", qos) for topic, qos in SUBSCRIPTIONS]


class Store(Protocol):
    def submit_batch(self, batch: JournalBatch, *, received_at: datetime) -> None: ...
    def settled(self, *, wait: bool = False) -> list[BatchOutcome]: ...
    @property
    def batch_in_flight(self) -> bool: ...
    def reject(
        self, *, topic: str, payload: bytes, reason: str, received_at: datetime, truck: str | None
    ) -> None: ...
    def save_status(self, status: Status, *, received_at: datetime) -> None: ...
    def save_position(self, position: Position, *, received_at: datetime) -> None: ...
    def add_track(self, batch: TrackBatch) -> str: ...
    def committed_through(self, truck: str) -> int: ...
    def close(self) -> None: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Delivery:
    """A message from the broker, acknowledged to it once what it carries is committed."""

    mid: int
    qos: int
    batch: int | None  # a journal batch: its number among those handed to the store
    settled: bool = False


class Ingest:
    """Reads the trucks' topics until ``run``'s stop event is set.

    The store is opened by ``open_store`` on the ingest's own thread (a store object belongs to
    one thread). If the store fails (a database restart), the ingest disconnects without
    acknowledging, waits, opens the store again and reconnects: the broker redelivers.
    """

    def __init__(
        self,
        settings: MqttSettings,
        open_store: Callable[[], Store],
        *,
        say: Callable[[str], None] = print,
        clock: Callable[[], datetime] = utc_now,
        client_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.open_store = open_store
        self.say = say
        self.clock = clock
        self.client_id = client_id or settings.client_id
        self.store: Store | None = None
        self.connected = threading.Event()
        self.subscribed = threading.Event()  # the broker confirmed our subscriptions
        self.store_failed: Exception | None = None
        self._last_resend: dict[str, tuple[int, float]] = {}
        # messages not yet acknowledged to the broker, in the order they came (MQTT wants
        # the acknowledgements in that order): a batch may still be on its way to the store
        self._deliveries: deque[_Delivery] = deque()
        self._submitted = self._settled_count = 0  # batches handed to the store, and settled
        self.batches = 0  # journal batches handled, for the bench and the log
        # share group: batches handed to the store by number, and those held back for a try
        # again once the batch before them has been stored by another process
        self._in_store: dict[int, tuple[JournalBatch, datetime, int]] = {}
        self._held: list[tuple[float, int]] = []  # (when to try again, batch number)

    # --- the loop -----------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.store_failed = None
            try:
                self.store = self.open_store()
                self._submitted = self._settled_count = 0
                self._held.clear()
                self._in_store.clear()
            except Exception as exc:  # a database that is not there yet: try again
                self.say(f"Speicher der Zentrale nicht erreichbar: {exc} – neuer Versuch in 5 s")
                stop.wait(5)
                continue
            try:
                self._serve(stop)
            finally:
                self.connected.clear()
                self.store.close()
                self.store = None
            if self.store_failed is not None and not stop.is_set():
                self.say(
                    f"Speicher der Zentrale gestört: {self.store_failed} – neuer Versuch in 5 s"
                )
                stop.wait(5)

    def _serve(self, stop: threading.Event) -> None:
        client = hub_client(self.settings, client_id=self.client_id, manual_ack=True)
        self._deliveries.clear()  # a new session: the broker hands over again what is open
        self._held.clear()
        self._in_store.clear()
        client.after_each_pass = lambda: self._after_pass(client)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = lambda *_: self.subscribed.set()
        connect(client, self.settings, persistent=True)

        def watch() -> None:
            while not stop.wait(0.2):
                if self.store_failed is not None:
                    break
            client.disconnect()

        watcher = threading.Thread(target=watch, name="ingest-stop", daemon=True)
        watcher.start()
        client.loop_forever(retry_first_connection=True)
        watcher.join()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self.say(f"Broker lehnt die Anmeldung der Zentrale ab: {reason}")
            return
        client.subscribe(subscriptions(self.settings.share_group))
        self.connected.set()
        self.say(f"Zentrale verbunden mit {self.settings.host}:{self.settings.port}")

    def _on_disconnect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if self.connected.is_set():
            self.say(f"Verbindung zum Broker getrennt ({reason})")
        # their message ids belong to that connection; the broker hands them over again
        self._deliveries.clear()
        self.connected.clear()
        if self.store is not None and self.store_failed is None and self.store.batch_in_flight:
            # finished now, not after the reconnect: a script the database refused would
            # hold the truck's lock, keeping another ingest process waiting meanwhile
            try:
                self._answer(client, wait=True)
            except Exception as exc:
                self.store_failed = exc
        self.subscribed.clear()

    def _on_message(self, client: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        if self.store_failed is not None:
            return  # not acknowledged: the broker hands it over again after the reconnect
        try:
            batch = self.handle(client, message.topic, bytes(message.payload))
            self._deliveries.append(_Delivery(message.mid, message.qos, batch))
            self._answer(client, wait=False)
        except Exception as exc:
            self.store_failed = exc

    def _after_pass(self, client: HubClient) -> None:
        """A batch still on its way to the store is waited for once no message is waiting
        to be read (until then the store commits it while the next one is read)."""
        if self.store is None or self.store_failed is not None:
            return
        try:
            self._try_held_again()
        except Exception as exc:
            self.store_failed = exc
            return
        if not self.store.batch_in_flight or _more_to_read(client):
            return
        try:
            self._answer(client, wait=True)
        except Exception as exc:
            self.store_failed = exc

    def _answer(self, client: mqtt.Client, *, wait: bool) -> None:
        """Tell the trucks what is committed, and the broker which messages are done."""
        assert self.store is not None
        for outcome in self.store.settled(wait=wait):
            number, self._settled_count = self._settled_count, self._settled_count + 1
            if self._hold(number, outcome):
                continue
            self._settled(client, outcome)
            # none for a batch that came before a reconnect: the broker hands it over again
            for delivery in self._deliveries:
                if delivery.batch == number:
                    delivery.settled = True
        while self._deliveries and (
            self._deliveries[0].batch is None or self._deliveries[0].settled
        ):
            delivery = self._deliveries.popleft()
            if delivery.qos > 0:
                client.ack(delivery.mid, delivery.qos)

    # --- one message --------------------------------------------------------------------
    def handle(self, client: mqtt.Client, topic: str, payload: bytes) -> int | None:
        """Store what the message says (and answer it); keep it with the reason if it is bad.
        For a journal batch its number among those handed to the store, whose outcome comes
        from the store in that order."""
        assert self.store is not None
        now = self.clock()
        try:
            message = protocol.decode(topic, payload)
        except ProtocolError as refused:
            self.store.reject(
                topic=topic,
                payload=payload,
                reason=str(refused),
                received_at=now,
                truck=_truck_of(topic),
            )
            self.say(f"Nachricht auf {topic} abgelehnt: {refused}")
            return None
        if isinstance(message, JournalBatch):
            return self._submit(message, now, tries=0)
        if isinstance(message, Status):
            self.store.save_status(message, received_at=now)
        elif isinstance(message, Position):
            self.store.save_position(message, received_at=now)
        elif isinstance(message, TrackBatch):
            through = self.store.add_track(message)
            _publish(client, truck_topic(message.truck, "ack"), TrackAck(message.truck, through))
        else:  # our own kind of message on a truck's topic: not for us to act on
            self.store.reject(
                topic=topic,
                payload=payload,
                reason=f"{type(message).__name__} kommt von der Zentrale, nicht von einem Wagen",
                received_at=now,
                truck=_truck_of(topic),
            )
        return None

    def _settled(self, client: mqtt.Client, outcome: BatchOutcome) -> None:
        """A journal batch is committed: tell its truck how far, or from where to send again."""
        truck = outcome.truck
        self.batches += 1
        if outcome.forks:
            self.say(
                f"ALARM Wagen {truck}: {outcome.forks} Einträge mit gleicher Nummer, aber "
                "anderem Inhalt (zurückgespieltes Backup? kopierte Speicherkarte?) – in Quarantäne"
            )
        if outcome.through > 0:
            _publish(client, truck_topic(truck, "ack"), Ack(truck, outcome.through))
        if outcome.resend_from is not None and self._should_ask(truck, outcome.resend_from):
            reason = outcome.reason or ""
            _publish(
                client, truck_topic(truck, "resend"), Resend(truck, outcome.resend_from, reason)
            )
            self.say(f"Wagen {truck}: bitte ab Eintrag {outcome.resend_from} neu senden ({reason})")

    def _submit(self, batch: JournalBatch, received_at: datetime, *, tries: int) -> int:
        assert self.store is not None
        number, self._submitted = self._submitted, self._submitted + 1
        self.store.submit_batch(batch, received_at=received_at)
        if self.settings.share_group:
            self._in_store[number] = (batch, received_at, tries)
        return number

    def _hold(self, number: int, outcome: BatchOutcome) -> bool:
        """In a share group the broker hands a truck's batches to different processes, so one
        may come before the batch ahead of it has been stored by another. Such a batch is held
        and tried again a little later instead of asking the truck to send everything again
        from the gap (which every batch behind it would ask too)."""
        kept = self._in_store.pop(number, None)
        if kept is None or outcome.resend_from is None or outcome.stored:
            return False
        batch, _received_at, tries = kept
        if batch.first <= outcome.through + 1 or tries >= GAP_TRIES:
            return False  # not a gap before it, or waited long enough: ask the truck
        self._held.append((time.monotonic() + GAP_PAUSE_S, number))
        self._in_store[number] = kept
        return True

    def _try_held_again(self) -> None:
        now = time.monotonic()
        due = [number for when, number in self._held if when <= now]
        if not due:
            return
        self._held = [(when, number) for when, number in self._held if when > now]
        for old in due:
            batch, received_at, tries = self._in_store.pop(old)
            new = self._submit(batch, received_at, tries=tries + 1)
            for delivery in self._deliveries:
                if delivery.batch == old:
                    delivery.batch = new

    def _should_ask(self, truck: str, since: int) -> bool:
        # A gap makes every batch in flight behind it ask again; one request is enough.
        last = self._last_resend.get(truck)
        now = time.monotonic()
        if last is not None and last[0] == since and now - last[1] < RESEND_QUIET_S:
            return False
        self._last_resend[truck] = (since, now)
        return True


def _publish(client: mqtt.Client, topic: str, message: protocol.Message) -> None:
    # Acknowledgements go out at QoS 0. Each says "committed through N", so a lost one is made
    # good by the next, or by the truck sending again what it has none for (after a timeout or
    # a reconnect), which the hub acknowledges again. At QoS 1 they waited: paho reads as many
    # packets as it has messages in flight before it writes, so while batches queued up the
    # hub's acknowledgements left in bursts, and the truck's window ran dry in between.
    qos = 0 if isinstance(message, Ack | TrackAck) else 1
    client.publish(topic, protocol.encode(message), qos=qos)


def _more_to_read(client: mqtt.Client) -> bool:
    """Bytes of a further message wait on the broker's connection."""
    sock = client.socket()
    if sock is None:
        return False
    pending = getattr(sock, "pending", None)  # TLS: bytes decrypted already, not in select
    if pending is not None and pending():
        return True
    return bool(select.select([sock], [], [], 0)[0])


def _truck_of(topic: str) -> str | None:
    try:
        return protocol.parse_topic(topic).truck
    except ProtocolError:
        return None
