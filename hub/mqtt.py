"""The hub's MQTT client: MQTT 5, a fixed client id, a session the broker keeps while we rest.

pitfalls.md: with MQTT 5 a new process starts a clean session unless told otherwise; a consumer
that must not miss messages needs a fixed client id, clean start off and a session expiry.
Messages are acknowledged to the broker by hand (``manual_ack``), after the store has
committed them, so a hub killed mid-message gets it again from the broker.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from hub.config import MqttSettings


class HubClient(mqtt.Client):
    """paho's client, and a call after each pass of its network loop (``after_each_pass``).

    paho ends every pass (whatever it read and wrote, or a second without traffic) with
    ``loop_misc``; the ingest uses the call to finish what it has not yet told the trucks
    when no further message is waiting.
    """

    after_each_pass: Callable[[], None] | None = None

    def loop_misc(self) -> mqtt.MQTTErrorCode:
        code = super().loop_misc()
        if self.after_each_pass is not None:
            self.after_each_pass()
        return code


def hub_client(
    settings: MqttSettings, *, client_id: str | None = None, manual_ack: bool = False
) -> HubClient:
    client = HubClient(
        CallbackAPIVersion.VERSION2,
        client_id=client_id or settings.client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=manual_ack,
    )
    if settings.username:
        client.username_pw_set(settings.username, settings.password or None)
    if settings.tls_ca is not None:
        client.tls_set(ca_certs=str(settings.tls_ca), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    return client


def session_properties(expiry_s: int) -> Properties:
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = expiry_s
    return properties


def connect(client: mqtt.Client, settings: MqttSettings, *, persistent: bool) -> None:
    """Start connecting (the network loop finishes it and reconnects on its own)."""
    client.connect_async(
        settings.host,
        settings.port,
        keepalive=settings.keepalive_s,
        clean_start=not persistent,
        properties=session_properties(settings.session_expiry_s) if persistent else None,
    )
