"""Monitoring the hub: ``/healthz`` for a load balancer (no login, nothing but up or down),
``/api/metrics`` in Prometheus's format for the operator's monitoring (per truck: online,
last contact, backlog, entries not yet stored, ingest lag), read with Prometheus's own parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from hub.config import HubConfig, StoreSettings
from hub.store import open_store
from hub.web.app import create_app
from tests.hub.test_accountant_web import token_for
from tests.support.journals import JournalWriter
from tests.support.web import add_user, log_in
from tourkasse import protocol
from tourkasse.journal import EntryKind

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def app(hub_url):
    add_user(hub_url, "olga", "operator")
    add_user(hub_url, "anton", "accountant")
    app = create_app(HubConfig(store=StoreSettings(url=hub_url)), live_events=False)
    app.state.events.clock = lambda: NOW
    return app


def metrics_of(text: str) -> dict[tuple[str, str], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, sample.labels.get("truck", ""))] = sample.value
    return found


def test_healthz_says_up_without_a_login_and_nothing_more(app):
    answer = TestClient(app).get("/healthz", follow_redirects=False)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_healthz_says_down_with_the_reason_when_the_store_does_not_answer(tmp_path):
    (tmp_path / "datei").write_text("kein Ordner", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'datei' / 'hub.sqlite'}"
    answer = TestClient(create_app(HubConfig(store=StoreSettings(url=url)), live_events=False)).get(
        "/healthz"
    )
    assert answer.status_code == 503
    assert answer.json()["reason"].startswith("Speicher der Zentrale antwortet nicht")


def test_metrics_tell_per_truck_how_current_the_hub_is(app, hub_url):
    # T01 wrote 12 entries, the hub has 10 of them (the last written at 09:58, stored 09:59);
    # its status came at 09:59:30 with a backlog of 2; a position at 09:59:50
    writer = JournalWriter("T01", start=NOW - timedelta(hours=1))
    for n in range(10):
        writer.at = NOW - timedelta(minutes=2 + 10 - n)
        writer.add(EntryKind.STOP_ARRIVAL if n % 2 == 0 else EntryKind.STOP_DEPARTURE,
                   {"stop": "gimte", "name": "Gimte", "tour": "t", "gps_time": writer.at.isoformat()},
                   minutes=0)  # fmt: skip
    writer.at = NOW - timedelta(minutes=2)
    batch = protocol.JournalBatch("T01", tuple(e.data for e in writer.entries), first=1)
    status = protocol.Status("T01", True, NOW.isoformat(), "1.0", 12, 2, ())
    with open_store(hub_url) as store:
        store.accept_batch(batch, received_at=NOW - timedelta(minutes=1))
        store.save_status(status, received_at=NOW - timedelta(seconds=30))
        store.save_position(
            protocol.Position("T01", NOW.isoformat(), 514441000, 96602000, 0),
            received_at=NOW - timedelta(seconds=10),
        )
        store.reject(
            topic="tourkasse/T01/journal",
            payload=b"{",
            reason="kein JSON",
            received_at=NOW,
            truck="T01",
        )
    client = TestClient(app)
    log_in(client, "olga")
    answer = client.get("/api/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = metrics_of(answer.text)
    assert found[("tourkasse_truck_online", "T01")] == 1
    assert found[("tourkasse_truck_last_contact_seconds", "T01")] == 10
    assert found[("tourkasse_truck_backlog_entries", "T01")] == 2
    assert found[("tourkasse_truck_unstored_entries", "T01")] == 2
    assert found[("tourkasse_truck_stored_entries_total", "T01")] == 10
    # the last stored entry was written at 09:57 (10 entries from 09:48) and stored at 09:59
    assert found[("tourkasse_truck_ingest_lag_seconds", "T01")] == 120
    assert found[("tourkasse_hub_rejected_messages", "")] == 1
    assert found[("tourkasse_hub_forks", "")] == 0


def test_metrics_are_for_operators_admins_and_their_monitoring_tokens(app, hub_url):
    anonymous = TestClient(app)
    assert anonymous.get("/api/metrics").status_code == 401
    accountant = TestClient(app)
    log_in(accountant, "anton")
    assert accountant.get("/api/metrics").status_code == 403
    token = token_for(hub_url, "olga", "Prometheus")
    scraped = TestClient(app).get("/api/metrics", headers={"Authorization": f"Bearer {token}"})
    assert scraped.status_code == 200 and "# TYPE tourkasse_truck_online gauge" in scraped.text
