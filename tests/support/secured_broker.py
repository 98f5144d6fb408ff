"""Peers and a secured broker for the broker's security tests: two trucks and a hub user on a
real Mosquitto (LocalBroker with BrokerSecurity, as config/mosquitto/ has it)."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from hub.broker import BrokerSecurity, LocalBroker
from hub.broker_users import new_password
from tests.support.tls import make_broker_tls

WAIT = 5.0  # seconds: the longest anything here may take on a slow CI machine
T = "tourkasse/v1/truck"
NOT_AUTHORIZED = 135  # MQTT 5 reason code


class Peer:
    """A paho client on its own network thread, with waits that have deadlines."""

    def __init__(
        self,
        port: int,
        client_id: str,
        username: str | None = None,
        password: str | None = None,
        *,
        tls_ca: Path | None = None,
        clean_start: bool = True,
        session_expiry: int = 0,
    ) -> None:
        self.port = port
        self.clean_start = clean_start
        self.session_expiry = session_expiry
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self.client.reconnect_delay_set(min_delay=5, max_delay=5)  # no retries within a test
        if username is not None:
            self.client.username_pw_set(username, password)
        if tls_ca is not None:
            self.client.tls_set(ca_certs=str(tls_ca))
        self.connack: queue.Queue[mqtt.ReasonCode] = queue.Queue()
        self.messages: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.received: list[tuple[str, bytes]] = []
        self.disconnected = threading.Event()
        self._acks: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_ack
        self.client.on_subscribe = self._on_subscribe

    # --- callbacks (paho's network thread) ---
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            client.disconnect()  # refused: no retries (they would only slow the test's end)
        self.connack.put(reason_code)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.disconnected.set()

    def _on_message(self, client, userdata, message) -> None:
        self.received.append((message.topic, message.payload))
        self.messages.put(message)

    def _on_ack(self, client, userdata, mid, reason_code, properties) -> None:
        self._ack_queue(mid).put(reason_code)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self._ack_queue(mid).put(reason_codes)

    def _ack_queue(self, mid: int) -> queue.Queue:
        with self._lock:
            return self._acks.setdefault(mid, queue.Queue())

    # --- what a test does ---
    def connect(self) -> mqtt.ReasonCode:
        """Connect and wait for the broker's answer (CONNACK) — accepted or refused."""
        properties = Properties(PacketTypes.CONNECT)
        if self.session_expiry:
            properties.SessionExpiryInterval = self.session_expiry
        self.client.connect(
            "127.0.0.1",
            self.port,
            keepalive=30,
            clean_start=self.clean_start,
            properties=properties,
        )
        self.client.loop_start()
        try:
            return self.connack.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"keine Antwort des Brokers auf Port {self.port}") from None

    def connected(self) -> Peer:
        reason = self.connect()
        assert not reason.is_failure, f"Anmeldung abgelehnt: {reason}"
        return self

    def subscribe(self, *topics: str) -> None:
        result, mid = self.client.subscribe([(topic, 1) for topic in topics])
        assert result == mqtt.MQTT_ERR_SUCCESS
        self._ack_queue(mid).get(timeout=WAIT)

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> mqtt.ReasonCode:
        """Publish with QoS 1; the reason code of the broker's PUBACK."""
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        return self._ack_queue(info.mid).get(timeout=WAIT)

    def wait_for(self, topic: str, payload: bytes) -> None:
        """Until this exact message arrives (others on the way are recorded in ``received``)."""
        try:
            while True:
                message = self.messages.get(timeout=WAIT)
                if (message.topic, message.payload) == (topic, payload):
                    return
        except queue.Empty:
            raise AssertionError(
                f"nicht angekommen: {topic} {payload!r} (angekommen: {self.received})"
            ) from None

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Broker:
    """A secured LocalBroker with two trucks and a hub user, and the peers a test opens."""

    def __init__(self, workdir: Path, *, tls: bool = False) -> None:
        self.passwords = {"T01": new_password(), "T02": new_password(), "hub": new_password()}
        self.security = BrokerSecurity.write(
            workdir / "auth",
            trucks={"T01": self.passwords["T01"], "T02": self.passwords["T02"]},
            hub={"hub": self.passwords["hub"]},
        )
        self.tls = make_broker_tls(workdir / "tls") if tls else None
        self.local = LocalBroker(workdir, security=self.security, tls=self.tls)
        self.peers: list[Peer] = []

    def truck(self, truck: str, client_id: str | None = None, **options) -> Peer:
        """A truck's agent on the trucks' listener (its client id is its own unless given)."""
        port = self.local.tls_port if "tls_ca" in options else self.local.port
        return self.peer(port, client_id or truck, truck, self.passwords[truck], **options)

    def hub(self, client_id: str = "tourkasse-hub-ingest", **options) -> Peer:
        return self.peer(self.local.hub_port, client_id, "hub", self.passwords["hub"], **options)

    def peer(self, port: int, client_id: str, *args, **options) -> Peer:
        peer = Peer(port, client_id, *args, **options)
        self.peers.append(peer)
        return peer

    def close(self) -> None:
        try:
            for peer in self.peers:
                peer.close()
        finally:
            self.local.kill()
