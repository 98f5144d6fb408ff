"""The hub's ingest over a real broker: bad messages kept with their reason, batches in any
order or twice changing nothing, forks quarantined, the truck's status arriving."""

from __future__ import annotations

import json
import random
import threading

import paho.mqtt.client as mqtt
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion

from hub.broker import LocalBroker
from hub.store import open_store
from tests.support.fleet import (
    IngestThread,
    SyncThread,
    sell,
    truck_config,
    truck_journal,
    wall_clock,
)
from tests.support.hub_checks import assert_hub_has, committed
from tests.support.waiting import eventually
from tourkasse import protocol
from tourkasse.protocol import JournalBatch, truck_topic


class Publisher:
    """A plain MQTT client that says whatever a test wants, as a (misbehaving) truck would."""

    def __init__(self, port: int, client_id: str = "test-publisher") -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self.connected = threading.Event()
        self.client.on_connect = lambda *_: self.connected.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self.connected.wait(10), "Testclient kommt nicht zum Broker"

    def send(self, topic: str, payload: bytes, qos: int = 1) -> None:
        self.client.publish(topic, payload, qos=qos).wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def broker(tmp_path):
    with LocalBroker(tmp_path / "broker") as running:
        yield running


def rejected_count(url: str) -> int:
    store = open_store(url)
    try:
        return len(store.rejected(limit=100_000))
    finally:
        store.close()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
CHANNELS = ("journal", "track", "status", "position")
MALFORMED = st.tuples(
    st.sampled_from(CHANNELS),
    st.one_of(
        st.binary(max_size=200),
        JSON_VALUES.map(lambda value: json.dumps(value).encode()),
        st.fixed_dictionaries(
            {
                "schema": st.sampled_from(["journal-batch", "status", "track-batch", "ack"]),
                "v": st.integers(-1, 3),
            },
            optional={
                "truck": st.sampled_from(["T01", "T02", ""]),
                "first": st.integers(-2, 5),
                "count": st.integers(-1, 3),
            },
        ).map(lambda value: json.dumps(value).encode()),
        # a batch's head and lines that are no journal entries (JSON lines, docs/protocol.md)
        st.tuples(
            st.fixed_dictionaries(
                {"schema": st.just("journal-batch"), "v": st.just(1), "truck": st.just("T01")},
                optional={"first": st.integers(-2, 5), "count": st.integers(-1, 3)},
            ).map(lambda value: json.dumps(value).encode()),
            st.lists(
                st.binary(max_size=40) | JSON_VALUES.map(lambda v: json.dumps(v).encode()),
                max_size=3,
            ),
        ).map(lambda parts: b"\n".join([parts[0], *parts[1]])),
    ),
)


@settings(
    max_examples=1,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    phases=[Phase.generate],  # one run of 1000 messages; shrinking would repeat it for minutes
)
@given(payloads=st.lists(MALFORMED, min_size=1000, max_size=1000))
def test_a_thousand_malformed_payloads_are_each_kept_with_a_reason(tmp_path, hub_url, payloads):
    workdir, url = tmp_path, hub_url
    with LocalBroker(workdir / "broker") as broker, IngestThread(url, broker.port) as hub:
        sender = Publisher(broker.port)
        try:
            for channel, payload in payloads:
                sender.send(truck_topic("T01", channel), payload)
            eventually(
                lambda: rejected_count(url) == 1000,
                timeout=60,
                what="1000 abgelehnte Nachrichten gespeichert",
            )
            # and the hub is still up: a good journal arrives after all that garbage
            config = truck_config(workdir / "truck", port=broker.port)
            sold = sell(config, 5)
            with SyncThread(config):
                assert_hub_has(url, config, sold, timeout=30)
        finally:
            sender.close()
    store = open_store(url)
    try:
        reasons = [item.reason for item in store.rejected(limit=2000)]
    finally:
        store.close()
    assert all(reasons) and len(reasons) == 1000
    assert hub.thread.is_alive() is False  # stopped by us, not crashed earlier
    assert not any("Traceback" in line for line in hub.lines)


def test_a_newer_version_is_kept_and_reported(tmp_path, broker, hub_url):
    made_up_v2 = json.dumps(
        {"schema": "journal-batch", "v": 2, "truck": "T01", "first": 1, "zstd": "…"}
    ).encode()
    with IngestThread(hub_url, broker.port):
        sender = Publisher(broker.port)
        try:
            sender.send(truck_topic("T01", "journal"), made_up_v2)
            eventually(lambda: rejected_count(hub_url) == 1, timeout=20, what="v2 gespeichert")
        finally:
            sender.close()
    store = open_store(hub_url)
    try:
        [kept] = store.rejected()
    finally:
        store.close()
    assert "Version 2 ist neuer als diese Software" in kept.reason
    assert kept.payload == made_up_v2 and kept.truck == "T01"


def test_duplicated_reordered_and_replayed_batches_change_nothing(tmp_path, broker, hub_url):
    config = truck_config(tmp_path / "truck", port=broker.port)
    sold = sell(config, 120)
    entries = truck_journal(config)
    batches = [
        JournalBatch("T01", tuple(entries[start : start + 10]), first=start + 1)
        for start in range(0, len(entries), 10)
    ]
    shuffled = batches * 3
    random.Random(4).shuffle(shuffled)
    with IngestThread(hub_url, broker.port):
        sender = Publisher(broker.port, client_id="replayer")
        try:
            for batch in shuffled:
                sender.send(truck_topic("T01", "journal"), protocol.encode(batch))
            # out of order, the hub asked for resends; the real agent answers them
            with SyncThread(config):
                assert_hub_has(hub_url, config, sold, timeout=30)
            for batch in batches:  # replayed once more, long after
                sender.send(truck_topic("T01", "journal"), protocol.encode(batch))
            eventually(
                lambda: committed(hub_url, "T01") == len(entries), timeout=10, what="unverändert"
            )
        finally:
            sender.close()
    store = open_store(hub_url)
    try:
        assert list(store.journal("T01")) == entries
        assert store.forks() == [] and rejected_count(hub_url) == 0
    finally:
        store.close()
    assert_hub_has(hub_url, config, sold, timeout=5)


def test_a_forked_journal_is_quarantined_and_raised_as_an_alert(tmp_path, broker, hub_url):
    config = truck_config(tmp_path / "truck", port=broker.port)
    sold = sell(config, 30)
    with IngestThread(hub_url, broker.port) as hub, SyncThread(config):
        assert_hub_has(hub_url, config, sold, timeout=30)
        # a clone of the SD card sold something else under the same numbers
        clone = truck_config(tmp_path / "clone", port=broker.port)
        sell(clone, 30, first_index=500)
        forked = truck_journal(clone)[10:15]
        sender = Publisher(broker.port, client_id="forger")
        try:
            sender.send(
                truck_topic("T01", "journal"),
                protocol.encode(JournalBatch("T01", tuple(forked), first=11)),
            )
            eventually(lambda: any("ALARM" in line for line in hub.lines), timeout=20, what="Alarm")
        finally:
            sender.close()
    store = open_store(hub_url)
    try:
        assert list(store.journal("T01")) == truck_journal(config)  # never overwritten
        assert [fork.seq for fork in store.forks("T01")] == [11, 12, 13, 14, 15]
        assert [alert.truck for alert in store.alerts()] == ["T01"]
    finally:
        store.close()


def test_the_status_a_truck_publishes_reaches_the_hub(tmp_path, broker, hub_url):
    from truck.config import load_truck_config
    from truck.store import devices
    from truck.store.database import open_database

    config = truck_config(tmp_path / "truck", port=broker.port)
    sold = sell(config, 3)
    db = open_database(load_truck_config(config).paths.journal)
    for device, ok, message in [
        ("printer", False, "Papier leer"),
        ("scale", True, "Waage bereit"),
        ("tse", True, "TSE bereit"),
        ("gps", False, "Kein GPS-Empfang"),
        ("clock", True, "Uhr stimmt mit GPS überein"),
    ]:
        devices.report(db, truck="T01", device=device, ok=ok, message=message, clock=wall_clock)
    db.close()

    def status():
        store = open_store(hub_url)
        try:
            return {s.truck: s for s in store.statuses()}.get("T01")
        finally:
            store.close()

    with IngestThread(hub_url, broker.port), SyncThread(config) as agent:
        assert_hub_has(hub_url, config, sold, timeout=30)
        seen = eventually(
            lambda: (s := status()) and s.backlog == 0 and s.online and s, timeout=20, what="Status"
        )
        assert seen.devices["printer"].message == "Papier leer" and not seen.devices["printer"].ok
        assert seen.devices["gps"].message == "Kein GPS-Empfang"
        assert seen.devices["clock"].ok and seen.devices["tse"].ok and seen.devices["scale"].ok
        assert seen.journal_seq == len(truck_journal(config))
        agent.stop_event.set()
        agent.thread.join(timeout=10)
        eventually(lambda: not status().online, timeout=20, what="Wagen meldet sich ab")


def test_the_last_will_says_offline_when_the_agent_dies(tmp_path, broker, hub_url):
    from tests.support.fleet import Process

    config = truck_config(tmp_path / "truck", port=broker.port, keepalive_s=5)
    sell(config, 3)
    agent = Process(["truck", "agent", "--config", str(config)], tmp_path / "agent.log")

    def online():
        store = open_store(hub_url)
        try:
            found = {s.truck: s for s in store.statuses()}.get("T01")
            return None if found is None else found.online
        finally:
            store.close()

    with IngestThread(hub_url, broker.port):
        agent.start()
        try:
            eventually(lambda: online() is True, timeout=30, what="Wagen online")
        finally:
            agent.kill()
        eventually(lambda: online() is False, timeout=30, what="letzter Wille: offline")


def test_the_track_follows_the_journal_and_the_position_goes_out_while_draining(
    tmp_path, broker, hub_url
):
    from datetime import timedelta

    from truck.config import load_truck_config
    from truck.devices.gps.fix import Fix
    from truck.store import track
    from truck.store.track import TrackPoint, open_track

    config = truck_config(tmp_path / "truck", port=broker.port, batch_size=20, drain_per_s=200)
    sold = sell(config, 400)  # at 200 entries a second: a few seconds of backlog
    track_db = open_track(load_truck_config(config).paths.track)
    start = wall_clock() - timedelta(minutes=30)
    for minute in range(30):
        track.add(
            track_db, TrackPoint(start + timedelta(minutes=minute), 51.4 + minute / 1000, 9.65, 8.3)
        )
    track_db.close()

    def hub(query):
        store = open_store(hub_url)
        try:
            return query(store)
        finally:
            store.close()

    with IngestThread(hub_url, broker.port), SyncThread(config) as agent:
        agent.sync.position(Fix(wall_clock(), 51.43, 9.66, 0.0, 0.0, 3))
        eventually(
            lambda: hub(lambda store: [p.truck for p in store.positions()]) == ["T01"],
            timeout=20,
            what="Live-Position bei der Zentrale",
        )
        assert committed(hub_url, "T01") < len(truck_journal(config)), "schon fertig?"
        assert hub(lambda store: store.track("T01")) == []  # the track waits for the journal
        assert_hub_has(hub_url, config, sold, timeout=60)
        eventually(
            lambda: len(hub(lambda store: store.track("T01"))) == 30,
            timeout=20,
            what="die Fahrtspur nach dem Journal",
        )
