"""Orders published while the truck's agent is not running (the truck offline) wait retained on
a real Mosquitto and reach the truck's store as soon as its agent connects."""

from __future__ import annotations

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from hub.broker import LocalBroker
from tests.support.fleet import SyncThread, truck_config
from tests.support.waiting import eventually
from tests.truck.orders_sample import orders_download, sample_orders
from tourkasse import protocol
from truck.config import load_truck_config
from truck.store import orders as order_store
from truck.store.database import open_database


def publish_retained(port: int, download) -> None:
    """As the hub publishes a truck's orders: retained, QoS 1, on the truck's own topic."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="office", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        info = client.publish(
            protocol.truck_topic("T01", "orders"), protocol.encode(download), qos=1, retain=True
        )
        info.wait_for_publish(timeout=10)
        assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def test_orders_published_while_the_truck_is_offline_arrive_when_its_agent_starts(tmp_path):
    with LocalBroker(tmp_path / "broker") as broker:
        config = truck_config(tmp_path / "truck", port=broker.port)
        db = open_database(load_truck_config(config).paths.journal)
        try:
            publish_retained(broker.port, orders_download(1, sample_orders()[:1]))
            publish_retained(broker.port, orders_download(2))  # the newer list is retained
            assert order_store.version(db) is None  # no agent running: nothing yet
            with SyncThread(config) as agent:
                eventually(lambda: order_store.version(db) == 2, timeout=20, what="Version 2")
                assert [o.number for o in order_store.current(db)] == ["B-17", "B-18", "B-19"]
                # a later change reaches the running agent too; the retained copy it already
                # has is ignored on every reconnect
                publish_retained(broker.port, orders_download(3, sample_orders()[2:]))
                eventually(lambda: order_store.version(db) == 3, timeout=20, what="Version 3")
            assert [o.number for o in order_store.current(db)] == ["B-19"]
            assert any("Bestellungen Version 2 erhalten (3 Bestellungen)" in s for s in agent.lines)
        finally:
            db.close()
