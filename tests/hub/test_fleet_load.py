"""Must show (issue 10), the short version: a fleet of simulated trucks sends positions every
second, sales and statuses to the hub on PostgreSQL with three ``tourkasse hub ingest``
processes in a share group; when the load stops, nothing is left behind: every truck holds the
hub's acknowledgement of its last entry, the hub holds every entry byte for byte, each truck's
receipts, turnover per stop and VAT per rate to the cent, its last position and status, and
no refused message or fork. No speed is asserted here: the full minute with 200 trucks and
its figures is scripts/bench_fleet.py (run by scripts/bench).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.support.fleet_figures import describe
from tests.support.fleet_run import FleetRun, hub_problems, run_fleet
from tests.support.fleet_senders import SenderResult

pytestmark = pytest.mark.slow

# the fleet of the bench, for 6 s instead of a minute, with a sale every 2–4 s per truck
# instead of every 1–2 minutes: each truck sells at least once (its first within 4 s)
SHORT = FleetRun(trucks=200, seconds=6, ingests=3, senders=2, sale_every_s=(2.0, 4.0))


def test_a_fleet_under_load_leaves_nothing_behind_on_three_ingest_processes(
    tmp_path: Path, postgres_cluster
):
    name = postgres_cluster.create_database()
    url = postgres_cluster.url(name)
    try:
        figures = run_fleet(SHORT, url, tmp_path, pg_data=postgres_cluster.data)
        print("\n".join(describe(figures)))
        assert figures.problems == []
        # the check itself sees a single cent: a truck that sold one more than the hub has
        one = figures.outcomes[0]
        more = copy.deepcopy(one)
        more.sold.per_stop[next(iter(more.sold.per_stop))] += 1
        assert hub_problems(url, [SenderResult([one], {}, None)]) == []
        assert hub_problems(url, [SenderResult([more], {}, None)]) != []
    finally:
        postgres_cluster.drop_database(name)
    assert figures.drain_s is not None and figures.telemetry_s is not None
    outcomes = figures.outcomes
    assert len(outcomes) == SHORT.trucks
    # every truck sold, sent its positions and was acknowledged through its last entry
    assert all(o.sold.receipts >= 1 and o.acked == o.last_seq > 0 for o in outcomes)
    assert all(o.sent["positions"] >= SHORT.seconds - 1 for o in outcomes)
    sent = figures.sent
    assert figures.rows["journal"] == sent["journal entries"] == sum(o.last_seq for o in outcomes)
    assert figures.rows["positions"] == figures.rows["statuses"] == SHORT.trucks
    # the raw subscriber saw every message the trucks sent, so the comparison is fair
    assert figures.raw.messages["journal"] == sent["journal batches"]
    assert figures.raw.messages["position"] == sent["positions"]
    assert figures.raw.messages["status"] == sent["statuses"]
    # the three processes shared the batches
    assert sum(figures.batches_per_ingest) == sent["journal batches"]
    assert all(share > 0 for share in figures.batches_per_ingest), figures.batches_per_ingest
