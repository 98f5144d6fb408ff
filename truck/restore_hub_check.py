"""Before a restore: asking the hub how far it has this truck's journal.

A backup older than what the hub has (the old Pi sold and synced after the backup was made)
must not go onto the replacement: its next entries — the agent's first "GPS not there" as
much as the next sale — would carry numbers the hub already holds with other content, a
fork. The hub answers every journal batch with "committed through N", so this sends the
backup's first entry (the hub has it already, or takes it as the start of the journal) and
reads N from the answer.
"""

from __future__ import annotations

import contextlib
import queue
from datetime import UTC, datetime

import paho.mqtt.client as mqtt

from tourkasse import protocol
from truck.agent.mqtt_link import truck_client
from truck.config import HubSettings


class HubNotReached(RuntimeError):
    """No answer from the hub in time; str() says why."""


def hub_committed(truck: str, settings: HubSettings, first_entry: bytes, *, timeout: float) -> int:
    """How far the hub has committed ``truck``'s journal; raises HubNotReached."""
    answers: queue.Queue[tuple[str, object]] = queue.Queue()
    will = protocol.Status(truck=truck, online=False, at=datetime.now(UTC).isoformat())
    client = truck_client(truck, settings, will=will)
    ack_topic = protocol.truck_topic(truck, "ack")
    resend_topic = protocol.truck_topic(truck, "resend")

    def connected(c: mqtt.Client, _u: object, _f: object, reason: object, _p: object) -> None:
        if getattr(reason, "is_failure", False):
            answers.put(("refused", str(reason)))
            return
        c.subscribe([(ack_topic, 1), (resend_topic, 1)])

    def subscribed(c: mqtt.Client, *_: object) -> None:
        batch = protocol.JournalBatch(truck=truck, entries=(first_entry,), first=1)
        c.publish(protocol.truck_topic(truck, "journal"), protocol.encode(batch), qos=1)

    def message(_c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        with contextlib.suppress(protocol.ProtocolError):  # not ours to judge here
            answers.put(("answer", protocol.decode(msg.topic, bytes(msg.payload))))

    def unreachable(_c: mqtt.Client, _u: object) -> None:
        answers.put(("unreachable", f"{settings.host}:{settings.port}"))

    client.on_connect = connected
    client.on_connect_fail = unreachable
    client.on_subscribe = subscribed
    client.on_message = message
    try:
        client.connect_async(settings.host, settings.port, keepalive=settings.keepalive_s)
        client.loop_start()
        while True:
            try:
                kind, answer = answers.get(timeout=timeout)
            except queue.Empty:
                raise HubNotReached(
                    f"keine Antwort der Zentrale ({settings.host}:{settings.port}) "
                    f"in {timeout:.0f} s"
                ) from None
            if kind == "unreachable":
                raise HubNotReached(f"Zentrale nicht erreichbar ({answer})")
            if kind == "refused":
                raise HubNotReached(f"der Broker lehnt die Anmeldung ab ({answer})")
            if isinstance(answer, protocol.Ack):
                return answer.through
            if isinstance(answer, protocol.Resend):
                return answer.since - 1
    finally:
        client.disconnect()  # a clean goodbye: the broker keeps the last will to itself
        client.loop_stop()
