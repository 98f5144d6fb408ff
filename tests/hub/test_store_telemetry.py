"""Status, live position and track of the trucks on the hub (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.store import DeviceState
from tourkasse.protocol import DeviceReport, Position, Status, TrackBatch, TrackPoint

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def point(minute: int, lat: int = 515_000_000) -> TrackPoint:
    return TrackPoint(f"2026-11-24T08:{minute:02d}:00.000000Z", lat + minute, 96_500_000, 250)


def test_the_latest_status_of_each_truck_is_kept_with_its_devices(store):
    printer = ("printer", DeviceReport(False, "Papier leer", "2026-11-24T08:10:00+00:00"))
    first = Status("T01", True, "2026-11-24T08:00:00+00:00", "0.1.0", 40, 3, (printer,))
    store.save_status(first, received_at=NOW)
    store.save_status(Status("T02", True, "2026-11-24T08:01:00+00:00"), received_at=NOW)
    # the broker's last will: written at connect time, so older than the status before it
    will = Status("T01", False, "2026-11-24T07:00:00+00:00")
    store.save_status(will, received_at=NOW + timedelta(minutes=5))
    [one, two] = store.statuses()
    assert (one.truck, one.online, one.at, one.devices) == ("T01", False, will.at, {})
    assert one.received_at == NOW + timedelta(minutes=5)
    assert two.truck == "T02" and two.online
    store.save_status(first, received_at=NOW + timedelta(minutes=6))
    one = store.statuses()[0]
    assert (one.online, one.version, one.journal_seq, one.backlog) == (True, "0.1.0", 40, 3)
    assert one.devices == {
        "printer": DeviceState(False, "Papier leer", "2026-11-24T08:10:00+00:00")
    }
    ok, message, _ = one.devices["printer"]
    assert (ok, message) == (False, "Papier leer")


def test_the_track_is_stored_once_per_point_and_acknowledged_by_its_latest_time(store):
    assert store.add_track(TrackBatch("T01", (point(1), point(2), point(3)))) == point(3).time
    # sent again, and an older batch arriving late: nothing doubled, the ack stays
    assert store.add_track(TrackBatch("T01", (point(2), point(3)))) == point(3).time
    assert store.add_track(TrackBatch("T01", (point(0),))) == point(3).time
    assert store.add_track(TrackBatch("T02", (point(9),))) == point(9).time
    assert [p.time for p in store.track("T01")] == [point(m).time for m in range(4)]
    since = datetime(2026, 11, 24, 8, 2, tzinfo=UTC)
    assert store.track("T01", since=since) == [point(2), point(3)]
    # the same moment written with an offset is the same point
    same = TrackPoint("2026-11-24T09:03:00+01:00", 1, 2, 3)
    assert store.add_track(TrackBatch("T01", (same,))) == point(3).time
    assert len(store.track("T01")) == 4


def test_only_a_later_position_replaces_the_one_shown(store):
    later = Position("T01", "2026-11-24T08:05:00Z", 515_000_100, 96_500_000, 800)
    earlier = Position("T01", "2026-11-24T08:04:00Z", 515_000_000, 96_500_000, 0)
    store.save_position(later, received_at=NOW)
    store.save_position(earlier, received_at=NOW + timedelta(seconds=1))  # overtaken in flight
    store.save_position(Position("T02", "2026-11-24T08:00:00Z", 1, 2, 0), received_at=NOW)
    [one, two] = store.positions()
    assert (one.truck, one.time, one.lat, one.speed_cm_s) == ("T01", later.time, later.lat, 800)
    assert one.received_at == NOW
    assert two.truck == "T02"
    newest = Position("T01", "2026-11-24T08:06:00Z", 7, 8, 9)
    store.save_position(newest, received_at=NOW + timedelta(seconds=2))
    assert store.positions()[0].lat == 7
