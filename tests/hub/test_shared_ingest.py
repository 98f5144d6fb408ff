"""Several ingest processes share the trucks' messages through an MQTT shared subscription,
on PostgreSQL: each stores part of the batches, one is killed mid-run (SIGKILL), and every
truck's journal and every total on the hub is exact — the store takes each entry once and
checks each truck's chain, whichever process brings it."""

from __future__ import annotations

import re

from hub.broker import LocalBroker
from tests.support.fleet import (
    Process,
    SyncThread,
    hub_config,
    sell,
    truck_config,
    truck_journal,
)
from tests.support.hub_checks import assert_hub_has, committed
from tests.support.waiting import eventually

TRUCKS = ("T01", "T02", "T03", "T04")


def stored_batches(process: Process) -> int:
    found = re.search(r"Empfang: (\d+) Journal-Stapel gespeichert", process.output())
    assert found, process.output()[-2000:]
    return int(found.group(1))


def test_three_ingest_processes_share_the_load_and_one_killed_loses_nothing(
    tmp_path, postgres_cluster
):
    hub_url = postgres_cluster.url(postgres_cluster.create_database())
    with LocalBroker(tmp_path / "broker") as broker:
        trucks = {}
        for name in TRUCKS:
            config = truck_config(
                tmp_path / name, truck=name, port=broker.port, batch_size=40, drain_per_s=1500
            )
            trucks[name] = (config, sell(config, 300))
        ingests = [
            Process(
                ["hub", "ingest", "--config", str(hub_config(
                    tmp_path / f"hub-{n}", hub_url, broker.port,
                    client_id=f"tourkasse-hub-ingest-{n}", share_group="ingest",
                ))],
                tmp_path / f"ingest-{n}.log",
            )
            for n in range(3)
        ]  # fmt: skip
        for ingest in ingests:
            ingest.start()
        for ingest in ingests:
            eventually(
                lambda ingest=ingest: "verbunden" in ingest.output(),
                timeout=30,
                what="jeder Empfang ist mit dem Broker verbunden",
            )
        syncs = [SyncThread(config) for config, _ in trucks.values()]
        for sync in syncs:
            sync.__enter__()
        try:
            eventually(
                lambda: sum(committed(hub_url, name) for name in TRUCKS) > 300,
                timeout=60,
                what="die Zentrale empfängt",
            )
            ingests[0].kill()  # no goodbye: what it had taken is handed over or sent again
            for name, (config, sold) in trucks.items():
                assert_hub_has(hub_url, config, sold, timeout=120, truck=name)
        finally:
            for sync in syncs:
                sync.__exit__()
            for ingest in ingests[1:]:
                ingest.stop()
    # the two that ran to the end each stored a share of the batches, not all of them (as
    # each would without the shared subscription)
    needed = sum(-(-len(truck_journal(config)) // 40) for config, _ in trucks.values())
    shares = [stored_batches(ingest) for ingest in ingests[1:]]
    print(f"Stapel nötig: {needed}, gespeichert von den beiden: {shares}")
    assert all(0 < share < needed for share in shares), (shares, needed)
