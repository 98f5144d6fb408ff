"""Publishing an article list or a tour plan to every truck, or a truck's own orders to it:
checked, versioned, retained.

The file is checked with the loaders the trucks use, so a file the trucks would refuse never
leaves the office. Its version is one more than the version retained on the broker: we
subscribe to the fleet topic and then send a marker to a topic of our own; MQTT delivers in
order within a session, so a retained download, if there is one, arrives before the marker
comes back — no waiting on a guess. The new download is published retained with QoS 1 over
MQTT 5, and the broker's PUBACK is checked: a refused publish still "completes" in paho
(pitfalls.md).
"""

from __future__ import annotations

import json
import secrets
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt

from hub.config import MqttSettings
from hub.mqtt import hub_client
from tourkasse.article_list import load_article_list, parse_article_list
from tourkasse.protocol import (
    PREFIX,
    Download,
    ProtocolError,
    decode,
    encode,
    fleet_topic,
    truck_topic,
)
from tourkasse.tour import load_tour_plan, parse_tour_plan

WHAT = {"articles": "Artikelliste", "tours": "Tourplan", "orders": "Bestellungen"}
TIMEOUT_S = 10.0


class PublishError(RuntimeError):
    """Nothing was published; str() says why, in German."""


@dataclass(frozen=True)
class Published:
    download: Download
    summary: str  # what the file holds, e.g. "123 Artikel"

    @property
    def message(self) -> str:
        name = WHAT[self.download.kind]
        return f"{name} Version {self.download.version} veröffentlicht ({self.summary})"


def check_file(kind: str, path: Path) -> tuple[str, str]:
    """The file's text and what it holds; ConfigError with every problem if it is broken."""
    if kind == "articles":
        load_article_list(path)  # the file: missing, unreadable, not UTF-8, …
        content = path.read_text(encoding="utf-8")
        article_list = parse_article_list(content, str(path))  # exactly what is sent
        summary = f"{len(article_list.articles)} Artikel"
        if article_list.departments:
            summary += f", {len(article_list.departments)} Warengruppentasten"
    elif kind == "tours":
        load_tour_plan(path)
        content = path.read_text(encoding="utf-8")
        plan = parse_tour_plan(content, str(path))
        stops = sum(len(tour.stops) for tour in plan.tours)
        summary = f"{len(plan.tours)} Touren, {stops} Halte"
    else:
        raise ValueError(f"unbekannte Art {kind!r}")
    return content, summary


def publish_file(
    settings: MqttSettings,
    kind: str,
    path: Path,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    timeout: float = TIMEOUT_S,
) -> Published:
    """Check ``path`` and publish it as the next version of ``kind``.

    Raises ConfigError for a broken file (nothing sent) and PublishError when the broker
    cannot be reached or refuses.
    """
    content, summary = check_file(kind, path)
    return publish_text(settings, kind, content, summary, clock=clock, timeout=timeout)


def publish_text(
    settings: MqttSettings,
    kind: str,
    content: str,
    summary: str,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    timeout: float = TIMEOUT_S,
) -> Published:
    """Publish checked ``content`` as the next version of ``kind`` (one more than the version
    retained at the broker). PublishError when the broker cannot be reached or refuses."""
    with _Connection(settings, timeout) as connection:
        current = connection.retained_version(fleet_topic(kind))
        download = Download(kind, current + 1, clock().isoformat(timespec="seconds"), content)
        connection.publish_retained(fleet_topic(kind), encode(download))
    return Published(download, summary)


def retained_version(settings: MqttSettings, kind: str, *, timeout: float = TIMEOUT_S) -> int:
    """The version of ``kind`` retained on the broker now; 0 when there is none."""
    with _Connection(settings, timeout) as connection:
        return connection.retained_version(fleet_topic(kind))


def publish_to_trucks(
    settings: MqttSettings,
    channel: str,
    contents: dict[str, str],
    *,
    at_least: dict[str, int] | None = None,
    on_published: Callable[[str, Download], None] = lambda truck, download: None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    timeout: float = TIMEOUT_S,
) -> list[Download]:
    """Publish each truck's checked content on its own topic (``truck_topic(truck, channel)``)
    as its next version: one more than the version retained there, and more than
    ``at_least[truck]`` (what the hub knows it sent, should the broker have lost it). One
    session for all of them; ``on_published`` hears of each as the broker has it.
    PublishError when the broker cannot be reached or refuses (the trucks published before
    that keep their new version)."""
    at_least = at_least or {}
    published = []
    with _Connection(settings, timeout) as connection:
        for truck, content in contents.items():
            topic = truck_topic(truck, channel)
            current = max(connection.retained_version(topic), at_least.get(truck, 0))
            download = Download(
                channel, current + 1, clock().isoformat(timespec="seconds"), content
            )
            connection.publish_retained(topic, encode(download))
            on_published(truck, download)
            published.append(download)
    return published


class _Connection:
    """One short MQTT 5 session of the hub's user, driven by paho's network thread."""

    def __init__(self, settings: MqttSettings, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self.where = f"{settings.host}:{settings.port}"
        # never the ingest's fixed client id: the broker would throw the ingest off
        self.client = hub_client(
            settings, client_id=f"tourkasse-hub-publish-{secrets.token_hex(4)}"
        )
        self.connected = threading.Event()
        self.connect_reason: str | None = None
        self.subscribed = threading.Event()
        self.suback: list = []
        self.marker_back = threading.Event()
        self.marker_topic = f"{PREFIX}/hub/publish/{secrets.token_hex(8)}"
        self.retained: list[tuple[str, bytes]] = []
        self.acks: dict[int, object] = {}
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish

    def __enter__(self) -> _Connection:
        try:
            self.client.connect(self.settings.host, self.settings.port, keepalive=30)
        except (OSError, ssl.SSLError) as exc:
            raise PublishError(f"MQTT-Broker {self.where} nicht erreichbar: {_why(exc)}") from None
        self.client.loop_start()
        try:
            if not self.connected.wait(self.timeout):
                raise PublishError(f"MQTT-Broker {self.where} antwortet nicht auf die Anmeldung")
            if self.connect_reason is not None:
                raise PublishError(
                    f"MQTT-Broker {self.where} lehnt die Anmeldung ab: {self.connect_reason} "
                    "(Konfiguration: mqtt.username, mqtt.password)"
                )
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    # --- the two steps ------------------------------------------------------------------

    def retained_version(self, topic: str) -> int:
        """The version retained on ``topic``; asked once per topic in a session."""
        self.subscribed.clear()
        self.marker_back.clear()
        self.retained = []
        result, _ = self.client.subscribe([(topic, 1), (self.marker_topic, 1)])
        if result != mqtt.MQTT_ERR_SUCCESS:
            raise PublishError(f"Abonnieren nicht gesendet: {mqtt.error_string(result)}")
        if not self.subscribed.wait(self.timeout):
            raise PublishError(f"MQTT-Broker {self.where} bestätigt das Abonnieren nicht")
        refused = [str(code) for code in self.suback if code.is_failure]
        if refused:
            raise PublishError(f"MQTT-Broker {self.where} verweigert das Abonnieren: {refused[0]}")
        marker = self.client.publish(self.marker_topic, b"marker", qos=1)
        self._wait_acked(marker, "Markierung")
        if not self.marker_back.wait(self.timeout):
            raise PublishError(
                f"MQTT-Broker {self.where}: die eigene Markierung kam nicht zurück – "
                "darf die Zentrale unter tourkasse/v1/hub/# lesen und schreiben?"
            )
        versions = [_version(topic, payload) for held, payload in self.retained if held == topic]
        return max(versions, default=0)

    def publish_retained(self, topic: str, payload: bytes) -> None:
        info = self.client.publish(topic, payload, qos=1, retain=True)
        self._wait_acked(info, "Veröffentlichung")

    def _wait_acked(self, info: mqtt.MQTTMessageInfo, what: str) -> None:
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise PublishError(f"{what} nicht gesendet: {mqtt.error_string(info.rc)}")
        try:
            info.wait_for_publish(self.timeout)
        except (RuntimeError, ValueError) as exc:  # the connection went away meanwhile
            raise PublishError(f"{what} nicht gesendet: {exc}") from None
        if not info.is_published():
            raise PublishError(f"MQTT-Broker {self.where} bestätigt die {what} nicht (PUBACK)")
        reason = self.acks.get(info.mid)
        if reason is not None and getattr(reason, "is_failure", False):
            raise PublishError(f"MQTT-Broker {self.where} lehnt die {what} ab: {reason}")

    # --- paho's network thread ----------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connect_reason = str(reason_code) if reason_code.is_failure else None
        self.connected.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self.suback = list(reason_codes)
        self.subscribed.set()

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        if message.topic == self.marker_topic:
            self.marker_back.set()
        elif message.retain and not self.marker_back.is_set():
            self.retained.append((message.topic, message.payload))

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self.acks[mid] = reason_code


def _version(topic: str, payload: bytes) -> int:
    """The version of a retained download; read leniently, so a newer format still counts."""
    try:
        message = decode(topic, payload)
    except ProtocolError as exc:
        try:
            version = json.loads(payload).get("version")
        except (ValueError, AttributeError):
            version = None
        if isinstance(version, int) and not isinstance(version, bool) and version > 0:
            return version
        raise PublishError(
            f"Auf dem Broker liegt unter {topic} eine unlesbare Nachricht ({exc}); "
            "sie hat keine Versionsnummer – bitte prüfen und löschen, dann erneut veröffentlichen"
        ) from None
    if not isinstance(message, Download):
        raise PublishError(f"Auf dem Broker liegt unter {topic} etwas anderes als ein Download")
    return message.version


def _why(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "Verbindung abgewiesen (läuft der Broker? stimmen mqtt.host und mqtt.port?)"
    if isinstance(exc, TimeoutError):
        return "keine Antwort"
    if isinstance(exc, socket.gaierror):
        return "Rechnername unbekannt (mqtt.host)"
    if isinstance(exc, ssl.SSLError):
        return f"TLS fehlgeschlagen ({exc.reason or exc}) – stimmt mqtt.tls_ca?"
    return exc.strerror or str(exc)
