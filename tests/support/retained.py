"""What the broker keeps retained on a topic now, as a truck gets it when it subscribes.

"Nothing retained" is proved, not waited for: after subscribing, a marker is published to a
topic the test may use, and the broker delivers retained messages before the marker comes back.
"""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tourkasse.protocol import Download, decode

WAIT = 5.0


def retained_download(port: int, topic: str, **login: str) -> Download | None:
    """The download retained on ``topic`` (None when there is none); ``login``: username and
    password for a broker that wants them."""
    kind = topic.rsplit("/", 1)[-1]
    marker = f"tourkasse/v1/hub/test-marker/{kind}"  # where the hub may read and write
    got: list[mqtt.MQTTMessage] = []
    subscribed, marker_back = threading.Event(), threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    if login:
        client.username_pw_set(login["username"], login["password"])
    client.on_subscribe = lambda *_: subscribed.set()

    def on_message(_client, _userdata, message: mqtt.MQTTMessage) -> None:
        if message.topic == marker:
            marker_back.set()
        else:
            got.append(message)

    client.on_message = on_message
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        client.subscribe([(topic, 1), (marker, 1)])
        assert subscribed.wait(WAIT), "no SUBACK"
        client.publish(marker, b"x", qos=1)
        assert marker_back.wait(WAIT), "the marker did not come back"
    finally:
        client.disconnect()
        client.loop_stop()
    assert len(got) <= 1 and all(message.retain for message in got)
    if not got:
        return None
    message = decode(got[0].topic, got[0].payload)
    assert isinstance(message, Download) and message.kind == kind
    return message
