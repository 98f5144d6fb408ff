"""The operator's fleet list: each column from what the hub holds (status, position, the
committed journal) and today's tour plan, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.store import open_store
from hub.web import fleet
from tests.hub.test_web_live_browser import tour_running_today
from tests.support.journals import JournalWriter, random_sale
from tourkasse.journal import EntryKind
from tourkasse.protocol import DeviceReport, JournalBatch, Position, Status
from tourkasse.tour import load_tour_plan

BERLIN = ZoneInfo("Europe/Berlin")


def test_every_column_of_the_fleet_list(hub_url, tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    day = fleet.Day.of(now, BERLIN)
    plan = load_tour_plan(tour_running_today(tmp_path))
    [tour] = [t for t in plan.days(day.date) if t.truck == "T01"]
    first, second, third = (s.stop for s in tour.stops[:3])
    writer = JournalWriter("T01", start=datetime.combine(day.date, time(8, 0), BERLIN))
    for kind, stop in (
        (EntryKind.STOP_ARRIVAL, first),
        (EntryKind.STOP_DEPARTURE, first),
        (EntryKind.STOP_ARRIVAL, second),
    ):
        writer.add(kind, {"stop": stop.id, "name": stop.name, "tour": tour.tour.id})
    sale = random_sale(random.Random(3), second.id)
    writer.receipt(sale)
    since = (now - timedelta(minutes=30)).isoformat()
    devices = (
        ("printer", DeviceReport(True, "bereit", since)),
        ("scale", DeviceReport(False, "Waage antwortet nicht", since)),
    )
    ahead = (now + timedelta(minutes=5)).isoformat()  # the truck's clock: five minutes fast
    with open_store(hub_url) as store:
        store.accept_batch(
            JournalBatch("T01", tuple(e.data for e in writer.entries), 1), received_at=now
        )
        store.save_status(Status("T01", True, ahead, "1.4.0", 4, 3, devices), received_at=now)
        position = Position(
            "T01", now.isoformat(), round(second.lat * 1e7), round(second.lon * 1e7), 0
        )
        store.save_position(position, received_at=now + timedelta(seconds=20))
        rows = {row["truck"]: row for row in fleet.trucks(store, plan, day, now)}
    row = rows["T01"]
    assert row["online"] is True
    assert row["last_contact"] == (now + timedelta(seconds=20)).isoformat()  # the later of both
    assert row["backlog"] == 3 and row["version"] == "1.4.0"
    assert row["devices"] == {
        "printer": {"ok": True, "message": "bereit"},
        "scale": {"ok": False, "message": "Waage antwortet nicht"},
    }
    assert (row["clock_ok"], row["clock"]) == (False, "Uhr geht vor: 5 min")
    assert row["tour"] == tour.tour.name
    assert row["current_stop"] == {"id": second.id, "name": second.name}
    assert row["visited"] == [first.id, second.id]
    assert row["next_stop"]["id"] == third.id and row["next_stop"]["name"] == third.name
    assert row["position"]["lat"] == round(second.lat * 1e7) / 1e7
    assert (row["turnover"], row["receipts"]) == (sale.total, 1)
    assert set(rows) == {"T01"}


def test_a_truck_the_hub_has_not_heard_of_today_is_listed_offline_with_its_first_stop_next(
    hub_url, tmp_path
):
    now = datetime.now(UTC)
    day = fleet.Day.of(now, BERLIN)
    plan = load_tour_plan(tour_running_today(tmp_path))
    [tour] = plan.days(day.date)
    with open_store(hub_url) as store:
        [row] = fleet.trucks(store, plan, day, now)
    assert (row["truck"], row["online"], row["last_contact"], row["backlog"]) == (
        tour.truck,
        False,
        None,
        None,
    )
    assert row["current_stop"] is None and row["visited"] == []
    assert row["next_stop"]["id"] == tour.stops[0].stop.id
    assert (row["turnover"], row["receipts"]) == (0, 0)
