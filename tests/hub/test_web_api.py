"""The hub's web API, for a logged-in operator: what trucks sent, turnover, problems."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from hub.config import HubConfig, StoreSettings
from hub.store import open_store
from hub.web.app import create_app
from tests.support.journals import sales_day
from tests.support.web import add_user, log_in
from tourkasse.protocol import JournalBatch


def test_the_api_shows_trucks_turnover_per_stop_and_refused_messages(hub_url):
    day = sales_day("T01", sales=12)
    with open_store(hub_url) as store:
        data = tuple(entry.data for entry in day.entries)
        store.accept_batch(JournalBatch("T01", data, 1), received_at=datetime.now(UTC))
        store.reject(
            topic="tourkasse/v1/truck/T01/status",
            payload=b"{kaputt",
            reason="kein gültiges JSON",
            received_at=datetime.now(UTC),
            truck="T01",
        )
    add_user(hub_url, "olga", "operator")
    client = TestClient(create_app(HubConfig(store=StoreSettings(url=hub_url)), live_events=False))
    log_in(client, "olga")

    assert client.get("/api/health").json() == {"ok": True, "trucks": 1}
    [truck] = client.get("/api/trucks").json()
    assert truck["truck"] == "T01" and truck["committed_through"] == len(day.entries)

    turnover = client.get("/api/turnover", params={"date": day.day.isoformat()}).json()
    per_stop = {s["stop"]: s["turnover"] for s in turnover["trucks"][0]["stops"]}
    assert per_stop == {stop: sum(t.gross_by_rate.values()) for stop, t in day.expected.items()}

    problems = client.get("/api/problems").json()
    assert [item["reason"] for item in problems["rejected"]] == ["kein gültiges JSON"]
    assert client.get("/api/turnover", params={"date": "gestern"}).status_code == 422
