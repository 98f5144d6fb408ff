"""The operator's alerts, each kind from what the hub store holds (SQLite and PostgreSQL):
a truck offline too long, a failed TSE, a backlog that does not shrink while online, a cash
difference at a closing, a forked journal, refused messages; and the alerts page lists them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from hub import alerts
from hub.config import HubConfig, StoreSettings
from hub.store import open_store
from hub.web.app import create_app
from tests.support.journals import JournalWriter
from tests.support.web import add_user, log_in
from tourkasse.journal import EntryKind
from tourkasse.protocol import DeviceReport, JournalBatch, Status

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime.now(UTC).replace(microsecond=0)


def status(truck: str, *, online: bool = True, backlog: int = 0, tse_ok: bool = True) -> Status:
    since = (NOW - timedelta(minutes=20)).isoformat()
    tse = DeviceReport(tse_ok, "bereit" if tse_ok else "Zertifikat abgelaufen", since)
    return Status(truck, online, NOW.isoformat(), "1.0", 100, backlog, (("tse", tse),))


def fill(url: str) -> None:
    with open_store(url) as store:
        for backlog in (40, 80, 120):  # online, and more every time
            store.save_status(status("T01", backlog=backlog, tse_ok=False), received_at=NOW)
        for backlog in (900, 600):  # back from a dead zone, draining: no alert
            store.save_status(status("T02", backlog=backlog), received_at=NOW)
        for backlog in (60, 60):  # stuck
            store.save_status(status("T04", backlog=backlog), received_at=NOW)
        two_hours_ago = NOW - timedelta(hours=2)
        store.save_status(status("T03", online=False), received_at=two_hours_ago)
        store.save_status(status("T08", online=False), received_at=NOW - timedelta(minutes=5))
        closing = JournalWriter("T05", start=NOW - timedelta(days=1))
        closing.add(EntryKind.DAILY_CLOSING, {"counted": 9950, "difference": -50, "staff": None})
        store.accept_batch(JournalBatch("T05", (closing.entries[0].data,), 1), received_at=NOW)
        writer = JournalWriter("T06", start=NOW - timedelta(days=1))
        for minute in range(3):
            writer.add(EntryKind.STAFF_SIGN_ON, {"staff": {"number": str(minute), "name": "Anna"}})
        store.accept_batch(
            JournalBatch("T06", tuple(e.data for e in writer.entries), 1), received_at=NOW
        )
        clone = JournalWriter("T06", start=NOW - timedelta(days=1))
        clone.add(EntryKind.STAFF_SIGN_ON, {"staff": {"number": "0", "name": "Anna"}})
        clone.add(EntryKind.STAFF_SIGN_ON, {"staff": {"number": "1", "name": "Ben"}})  # 2 differs
        store.accept_batch(
            JournalBatch("T06", tuple(e.data for e in clone.entries), 1), received_at=NOW
        )
        store.reject(
            topic="tourkasse/v1/truck/T07/status",
            payload=b"{kaputt",
            reason="kein gültiges JSON",
            received_at=NOW - timedelta(hours=1),
            truck="T07",
        )


def test_every_kind_of_alert_comes_from_the_store(hub_url):
    fill(hub_url)
    with open_store(hub_url) as store:
        found = alerts.current(store, NOW, offline_after=timedelta(minutes=30), zone=BERLIN)
    by_kind = {(a.kind, a.truck): a for a in found}
    assert set(by_kind) == {
        ("tse", "T01"),
        ("backlog", "T01"),
        ("backlog", "T04"),
        ("offline", "T03"),
        ("cash", "T05"),
        ("fork", "T06"),
        ("rejected", None),
    }, "T02 drains, T08 is offline for only five minutes"
    assert by_kind[("tse", "T01")].severity == "error"
    assert "TSE ausgefallen (Zertifikat abgelaufen)" in by_kind[("tse", "T01")].text
    assert by_kind[("backlog", "T01")].text == (
        "Wagen T01: 120 Einträge noch nicht in der Zentrale, und es werden mehr (zuvor 80)"
    )
    assert "es werden nicht weniger (zuvor 60)" in by_kind[("backlog", "T04")].text
    offline_since = (NOW - timedelta(hours=2)).astimezone(BERLIN).strftime("%d.%m. %H:%M")
    assert by_kind[("offline", "T03")].text == f"Wagen T03 offline seit {offline_since}"
    assert "Kassendifferenz -0,50 € beim Tagesabschluss 1" in by_kind[("cash", "T05")].text
    assert "verzweigt ab Eintrag 2" in by_kind[("fork", "T06")].text
    assert by_kind[("fork", "T06")].severity == "error"
    assert "1 Nachricht(en) abgewiesen" in by_kind[("rejected", None)].text
    assert "zuletzt: kein gültiges JSON" in by_kind[("rejected", None)].text


def test_the_alerts_page_lists_them_for_the_operator(hub_url):
    fill(hub_url)
    add_user(hub_url, "olga", "operator")
    app = create_app(HubConfig(store=StoreSettings(url=hub_url)), live_events=False)
    client = TestClient(app)
    log_in(client, "olga")
    page = client.get("/alerts")
    assert page.status_code == 200
    for text in (
        "TSE ausgefallen",
        "120 Einträge noch nicht in der Zentrale",
        "Wagen T03 offline seit",
        "Kassendifferenz -0,50 €",
        "Journal verzweigt ab Eintrag 2",
        "Nachricht(en) abgewiesen",
    ):
        assert text in page.text, text
    assert "Wagen T02" not in page.text and "Wagen T08" not in page.text
