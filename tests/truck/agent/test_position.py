"""The agent's GPS side with the till: stops journaled, receipts tagged, the clock rules."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TickingClock
from tests.truck.pos.conftest import make_session, write_config
from tourkasse.journal import EntryKind
from tourkasse.tour import load_tour_plan
from truck.agent.position import PositionAgent
from truck.devices.gps.fix import Fix, GpsState
from truck.store import devices, journal, stops, track
from truck.store.journal import ClockBehindJournal
from truck.store.track import open_track

# Tuesday 24 November 2026: the example tour; Gimte is due 08:10 local (07:10 UTC)
MORNING = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def near(lat: float, lon: float, east_m: float) -> tuple[float, float]:
    return lat, lon + east_m / (111_195 * math.cos(math.radians(lat)))


def visit(lat: float, lon: float, start: datetime, stand_s: int) -> list[Fix]:
    """Come from 800 m west, stand 10 m from the stop for ``stand_s``, drive on east."""
    fixes, t = [], start
    for east, speed in [*((-800 + 100 * i, 14.0) for i in range(7)), (-60, 5.0), (-10, 1.0)]:
        fixes.append(Fix(t, *near(lat, lon, east), speed, 90.0, 3))
        t += timedelta(seconds=5)
    for _ in range(stand_s // 5):
        fixes.append(Fix(t, *near(lat, lon, 10), 0.2, 90.0, 3))
        t += timedelta(seconds=5)
    for i in range(8):
        fixes.append(Fix(t, *near(lat, lon, 60 + 100 * i), 14.0, 90.0, 3))
        t += timedelta(seconds=5)
    return fixes


@pytest.fixture
def truck(tmp_path):
    clock = TickingClock(MORNING)
    session = make_session(write_config(tmp_path), clock)
    config = session.opened.config
    track_db = open_track(config.paths.track)
    agent = PositionAgent(
        config, session.opened.db, track_db, load_tour_plan(config.tour.file), clock
    )
    yield session, agent, clock
    track_db.close()
    session.opened.close()


def gimte(session):
    plan = load_tour_plan(session.opened.config.tour.file)
    return next(s for s in plan.tours[0].stops if s.id == "gimte")


def sell_one(session) -> str | None:
    if session.staff is None:
        session.sign_on("7", "1234")
    session.current().enter("4006381001014")
    return session.pay(cash_tendered=1000).receipt.stop


def drive(agent, clock, fixes, *, until: int | None = None):
    for fix in fixes[:until]:
        clock.set(fix.time)  # the Pi's clock agrees with GPS
        agent.handle(GpsState.FIX, fix)


def test_arrival_and_departure_are_journaled_and_receipts_carry_the_stop(truck):
    session, agent, clock = truck
    stop = gimte(session)
    fixes = visit(stop.lat, stop.lon, MORNING, stand_s=900)
    assert sell_one(session) == "unterwegs"
    drive(agent, clock, fixes, until=60)  # standing at Gimte
    where = session.whereabouts()
    assert (where.stop_id, where.name, where.source) == ("gimte", stop.name, "gps")
    assert sell_one(session) == "gimte"
    drive(agent, clock, fixes[60:])
    assert sell_one(session) == "unterwegs"
    entries = list(journal.entries(session.opened.db, kinds=stops.STOP_KINDS))
    assert [(e.kind, e.body["stop"]) for e in entries] == [
        (EntryKind.STOP_ARRIVAL, "gimte"),
        (EntryKind.STOP_DEPARTURE, "gimte"),
    ]
    assert entries[0].body["gps_time"] == fixes[8].time.isoformat()  # the first slow fix
    assert entries[0].body["tour"] == "werra-weser"


def test_staff_choose_the_stop_when_gps_is_out(truck):
    session, agent, _ = truck
    agent.handle(GpsState.NO_FIX, None)
    session.sign_on("7", "1234")
    session.choose_stop("hemeln", "Hemeln, Dorfplatz an der Weser")
    where = session.whereabouts()
    assert (where.stop_id, where.source) == ("hemeln", "staff")
    assert sell_one(session) == "hemeln"
    chosen = list(journal.entries(session.opened.db, kinds=(EntryKind.STOP_CHOSEN,)))
    assert chosen[0].body["staff"] == {"number": "7", "name": "Anna"}
    assert devices.current(session.opened.db)["gps"].message == "Kein GPS-Empfang"


def test_the_track_is_sampled_and_pruned(truck):
    session, agent, clock = truck
    stop = gimte(session)
    fixes = visit(stop.lat, stop.lon, MORNING, stand_s=300)  # 77 fixes, 5 s apart
    drive(agent, clock, fixes)
    points = track.points(agent.track_db)
    assert len(points) == 13  # one every 30 s of the 6 min 20 s
    assert (points[0].time, points[0].lat) == (fixes[0].time, fixes[0].lat)
    assert all(b.time - a.time >= timedelta(seconds=30) for a, b in itertools.pairwise(points))
    later = MORNING + timedelta(days=8)
    assert track.prune(agent.track_db, now=later, retention=timedelta(days=7)) == len(points)


def test_a_clock_behind_the_journal_blocks_selling_until_gps_confirms_the_time(truck):
    session, agent, clock = truck
    assert sell_one(session) == "unterwegs"
    # The Pi was switched off; its clock ran ahead before and has been set right since:
    # the journal's last entry now lies an hour in the future.
    clock.set(MORNING + timedelta(hours=1))
    session.current().enter("4006381001014")
    session.pay(cash_tendered=1000)  # a receipt at the wrong, future time
    clock.set(MORNING + timedelta(minutes=5))
    with pytest.raises(ClockBehindJournal) as caught:
        session.current().enter("4006381001014")
    assert "Verkauf gesperrt, bis die Zeit bestätigt ist" in str(caught.value)
    # GPS says 07:05 too: the clock is right, the journal ran ahead; recorded, not adjusted
    stop = gimte(session)
    fix = Fix(MORNING + timedelta(minutes=5), stop.lat, stop.lon, 12.0, 0.0, 3)
    agent.handle(GpsState.FIX, fix)
    corrections = list(journal.entries(session.opened.db, kinds=(EntryKind.CLOCK_CORRECTION,)))
    assert len(corrections) == 1 and corrections[0].body["source"] == "gps"
    assert sell_one(session) == "unterwegs"


def test_a_wrong_system_clock_is_reported_and_nothing_is_written_on_its_word(truck):
    session, agent, clock = truck
    stop = gimte(session)
    fix = Fix(MORNING, stop.lat, stop.lon, 12.0, 0.0, 3)
    clock.set(MORNING - timedelta(hours=3))
    agent.handle(GpsState.FIX, fix)
    assert agent.clock_message == "Systemuhr geht 10800 s nach (laut GPS)"
    assert list(journal.entries(session.opened.db, kinds=(EntryKind.CLOCK_CORRECTION,))) == []


def test_an_arrival_waits_while_the_clock_is_behind_the_journal(truck):
    session, agent, clock = truck
    stop = gimte(session)
    fixes = visit(stop.lat, stop.lon, MORNING, stand_s=300)
    clock.set(MORNING + timedelta(hours=2))
    sell_one(session)  # journal's last entry at 09:00 UTC
    for fix in fixes[:30]:
        clock.set(fix.time - timedelta(hours=1))  # the Pi's clock an hour behind GPS
        agent.handle(GpsState.FIX, fix)
    assert list(journal.entries(session.opened.db, kinds=stops.STOP_KINDS)) == []
    with pytest.raises(ClockBehindJournal):
        journal.check_clock(journal.tail(session.opened.db), clock())
    for fix in fixes[30:]:
        clock.set(fix.time)  # chrony has set the clock from GPS
        agent.handle(GpsState.FIX, fix)
    kinds = [e.kind for e in journal.entries(session.opened.db, kinds=stops.STOP_KINDS)]
    assert kinds == [EntryKind.STOP_ARRIVAL, EntryKind.STOP_DEPARTURE]
