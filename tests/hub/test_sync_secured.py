"""Must show, with the broker as a fleet runs it: no anonymous access, a login per truck, the
ACL and TLS. The agent syncs over TLS trusting a test CA; truck B's login gets nothing into
truck A's journal."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hub.broker import BrokerSecurity, LocalBroker
from hub.store import open_store
from tests.support.fleet import IngestThread, SyncThread, sell, truck_config, truck_journal
from tests.support.hub_checks import assert_hub_has, committed
from tests.support.tls import make_broker_tls
from tests.support.waiting import eventually
from tourkasse import protocol
from tourkasse.protocol import JournalBatch, truck_topic

PASSWORDS = {"T01": "pw-T01-7fd2a1", "T02": "pw-T02-90c3be", "hub": "pw-hub-1e5c0d"}


@pytest.fixture
def secured(tmp_path):
    security = BrokerSecurity.write(
        tmp_path / "auth",
        trucks={"T01": PASSWORDS["T01"], "T02": PASSWORDS["T02"]},
        hub={"hub": PASSWORDS["hub"]},
    )
    tls = make_broker_tls(tmp_path / "tls")
    with LocalBroker(tmp_path / "broker", security=security, tls=tls) as broker:
        yield broker, tls


def test_the_agent_syncs_over_tls_and_truck_b_cannot_write_into_truck_a(tmp_path, secured, hub_url):
    broker, tls = secured
    config = truck_config(
        tmp_path / "truck", port=broker.tls_port, password=PASSWORDS["T01"], tls_ca=tls.ca
    )
    sold = sell(config, 40)
    with (
        IngestThread(hub_url, broker.hub_port, username="hub", password=PASSWORDS["hub"]) as hub,
        SyncThread(config) as agent,
    ):
        assert_hub_has(hub_url, config, sold, timeout=30)
        assert any("Zentrale erreichbar" in line for line in agent.lines)

        # truck B, with its own valid login, replays A's entries 1–5 as forged content
        clone = truck_config(tmp_path / "clone", port=broker.port)
        sell(clone, 5, first_index=900)
        forged = JournalBatch("T01", tuple(truck_journal(clone)), first=1)
        refused = threading.Event()
        intruder = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="T01", protocol=mqtt.MQTTv5)
        intruder.username_pw_set("T02", PASSWORDS["T02"])
        intruder.on_publish = lambda _c, _u, _mid, reason, _p: reason.is_failure and refused.set()
        intruder.connect("127.0.0.1", broker.port)
        intruder.loop_start()
        try:
            intruder.publish(truck_topic("T01", "journal"), protocol.encode(forged), qos=1)
            assert refused.wait(10), "der Broker hätte die Nachricht von T02 ablehnen müssen"
            # the agent of T01 is still connected: B's client id "T01" took nothing over
            more = sell(config, 5, first_index=40)
            sold.add(more)
            assert_hub_has(hub_url, config, sold, timeout=30)
        finally:
            intruder.disconnect()
            intruder.loop_stop()
        assert not any("ALARM" in line for line in hub.lines)
    store = open_store(hub_url)
    try:
        assert store.forks() == [] and store.rejected() == []
        assert list(store.journal("T01")) == truck_journal(config)
        assert store.trucks() == ["T01"]
    finally:
        store.close()


def test_a_truck_with_a_wrong_password_sends_nothing_and_says_so(tmp_path, secured, hub_url):
    broker, _ = secured
    config = truck_config(tmp_path / "truck", port=broker.port, password="falsch")
    sell(config, 3)
    with IngestThread(hub_url, broker.hub_port, username="hub", password=PASSWORDS["hub"]):
        with SyncThread(config) as agent:
            eventually(
                lambda: any("lehnt die Anmeldung" in line for line in agent.lines),
                timeout=15,
                what="der Agent meldet die abgelehnte Anmeldung",
            )
        assert committed(hub_url, "T01") == 0
