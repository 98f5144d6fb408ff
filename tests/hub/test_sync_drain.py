"""Must show: what the truck sold reaches the hub completely, once, in order, whatever the
network, the broker or either process does — on SQLite and on PostgreSQL.

Real parts throughout: a Mosquitto started here on a free port, the real till selling into a
real journal, the agent's real sync, the hub's real ingest and store.
"""

from __future__ import annotations

import random

import pytest

from hub.broker import LocalBroker, free_port
from tests.support.fleet import (
    IngestThread,
    Process,
    SyncThread,
    hub_config,
    sell,
    truck_config,
)
from tests.support.hub_checks import assert_hub_has, committed
from tests.support.proxy import DeadZoneProxy
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow


def test_2000_sales_while_the_broker_is_down_arrive_once_when_it_is_up(tmp_path, hub_url):
    port = free_port()
    config = truck_config(tmp_path / "truck", port=port)
    sold = sell(config, 2000)
    with SyncThread(config) as agent, IngestThread(hub_url, port, wait=False):
        eventually(
            lambda: agent.sync.connect_failures > 0,
            timeout=10,
            what="der Agent versucht die Zentrale zu erreichen",
        )
        assert committed(hub_url, "T01") == 0
        with LocalBroker(tmp_path / "broker", port=port):
            assert_hub_has(hub_url, config, sold, timeout=60)


def test_a_dead_zone_that_swallows_packets_holds_sales_back_and_loses_none(tmp_path, hub_url):
    with LocalBroker(tmp_path / "broker") as broker, DeadZoneProxy(broker.port) as proxy:
        config = truck_config(tmp_path / "truck", port=proxy.port, keepalive_s=5)
        with IngestThread(hub_url, broker.port), SyncThread(config) as agent:
            sold = sell(config, 100)
            assert_hub_has(hub_url, config, sold, timeout=30)
            proxy.dead_zone()  # the connection stays open and nothing passes: half-open
            before = committed(hub_url, "T01")
            sold.add(sell(config, 300, first_index=100))
            eventually(
                lambda: not agent.sync.connected,
                timeout=30,
                what="der Agent merkt das Funkloch (keine Antwort auf Keepalive)",
            )
            assert committed(hub_url, "T01") == before
            proxy.coverage()
            assert_hub_has(hub_url, config, sold, timeout=60)


@pytest.mark.parametrize("persistence", [True, False], ids=["persistent", "volatile"])
def test_the_broker_restarted_mid_drain_loses_and_doubles_nothing(tmp_path, hub_url, persistence):
    broker = LocalBroker(tmp_path / "broker", persistence=persistence).start()
    try:
        config = truck_config(tmp_path / "truck", port=broker.port, batch_size=50, drain_per_s=2000)
        sold = sell(config, 2000)
        with IngestThread(hub_url, broker.port), SyncThread(config):
            eventually(lambda: committed(hub_url, "T01") > 300, timeout=30, what="Abgleich läuft")
            broker.kill()
            broker.start()
            eventually(
                lambda: committed(hub_url, "T01") > 1000, timeout=30, what="weiter nach Neustart"
            )
            broker.restart()
            assert_hub_has(hub_url, config, sold, timeout=60)
    finally:
        broker.kill()


def test_the_agent_killed_at_random_moments_while_draining_loses_and_doubles_nothing(
    tmp_path, hub_url
):
    chance = random.Random(6)
    with LocalBroker(tmp_path / "broker") as broker, IngestThread(hub_url, broker.port):
        config = truck_config(tmp_path / "truck", port=broker.port, batch_size=40, drain_per_s=1500)
        sold = sell(config, 2000)
        agent = Process(["truck", "agent", "--config", str(config)], tmp_path / "agent.log")
        try:
            for _ in range(3):
                target = committed(hub_url, "T01") + chance.randint(50, 400)
                agent.start()
                eventually(
                    lambda target=target: committed(hub_url, "T01") >= target,
                    timeout=30,
                    what=f"die Zentrale hat {target} Einträge",
                )
                agent.kill()  # SIGKILL: no goodbye, unacknowledged batches in flight
            agent.start()
            assert_hub_has(hub_url, config, sold, timeout=90)
        finally:
            agent.stop()


def test_the_hub_killed_mid_drain_loses_and_doubles_nothing(tmp_path, hub_url):
    with LocalBroker(tmp_path / "broker") as broker:
        config = truck_config(tmp_path / "truck", port=broker.port, batch_size=40, drain_per_s=1500)
        sold = sell(config, 2000)
        hub = hub_config(tmp_path / "hub", hub_url, broker.port)
        ingest = Process(["hub", "ingest", "--config", str(hub)], tmp_path / "ingest.log")
        with SyncThread(config):
            try:
                ingest.start()
                eventually(
                    lambda: committed(hub_url, "T01") > 500, timeout=30, what="Zentrale empfängt"
                )
                ingest.kill()
                ingest.start()
                assert_hub_has(hub_url, config, sold, timeout=90)
            finally:
                ingest.stop()
        assert "Zentrale beendet." in ingest.output()


def test_the_hubs_database_connection_cut_mid_drain_loses_and_doubles_nothing(
    tmp_path, postgres_cluster
):
    """PostgreSQL ends the ingest's connection while batches are on their way to it (a
    database restart, a network cut): the ingest opens the store again and the broker hands
    over again what it had not been told was done."""
    import psycopg

    database = postgres_cluster.create_database()
    hub_url = postgres_cluster.url(database)
    with LocalBroker(tmp_path / "broker") as broker:
        config = truck_config(tmp_path / "truck", port=broker.port, batch_size=40, drain_per_s=1500)
        sold = sell(config, 2000)
        with IngestThread(hub_url, broker.port) as ingest, SyncThread(config):
            eventually(
                lambda: committed(hub_url, "T01") > 500, timeout=30, what="Zentrale empfängt"
            )
            with psycopg.connect(hub_url, autocommit=True) as admin:
                cut = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()
            assert cut is not None and cut[0] >= 1
            assert_hub_has(hub_url, config, sold, timeout=90)
            assert any("Speicher der Zentrale gestört" in line for line in ingest.lines)
    postgres_cluster.drop_database(database)
