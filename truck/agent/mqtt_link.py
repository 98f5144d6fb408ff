"""The truck's MQTT connection: its login, TLS, and the last will that says it went offline."""

from __future__ import annotations

import ssl

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tourkasse import protocol
from truck.config import HubSettings


def truck_client(truck: str, settings: HubSettings, *, will: protocol.Status) -> mqtt.Client:
    """A client whose user name and client id are the truck id (the broker binds the two)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=truck, protocol=mqtt.MQTTv5)
    client.username_pw_set(truck, settings.password or None)
    if settings.tls_ca is not None:
        client.tls_set(ca_certs=str(settings.tls_ca), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    client.will_set(
        protocol.truck_topic(truck, "status"), protocol.encode(will), qos=1, retain=True
    )
    # Backing off while offline: paho waits 1 s, then twice as long each time, up to a minute.
    client.reconnect_delay_set(min_delay=1, max_delay=60)
    client.max_inflight_messages_set(50)
    return client
