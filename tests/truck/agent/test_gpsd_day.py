"""A whole tour day replayed through gpsfake into a real gpsd, read by the agent as it runs,
while the till sells: every arrival and departure journaled at the right stop, none invented,
and each receipt tagged with the stop the truck was at."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import EXAMPLE_TOUR
from tests.truck.pos.conftest import make_session, write_config
from tourkasse.journal import EntryKind
from tourkasse.tour import load_tour_plan
from truck.agent.run import run_agent
from truck.agent.simulated_day import simulated_day
from truck.config import load_truck_config
from truck.devices.gps.drive import Outage, nmea_log
from truck.devices.gps.gpsd_source import GpsdSource
from truck.devices.gps.gpsfake import GpsFake
from truck.store import journal, stops

TUESDAY = date(2026, 11, 24)
CYCLE = 0.002  # seconds after each NMEA sentence: ten seconds of the day in 4 ms
TOLERANCE = timedelta(seconds=90)
DEADLINE = 90.0  # seconds for the whole replay
# gpsfake replays from the moment it starts, and the agent connects to gpsd a little later:
# on a busy machine over half a second later (seen once in three full runs), and the first
# arrival then lay before it. An hour at the depot first is 1.4 s of replay.
AT_THE_DEPOT = timedelta(hours=1)


def wall_clock() -> datetime:
    return datetime.now(UTC)


def replay(tmp_path, driven, on_entry=None):
    """Replay ``driven`` through gpsfake/gpsd to the agent; call ``on_entry`` for each stop entry."""
    log = tmp_path / "day.nmea"
    log.write_text(nmea_log(driven), encoding="ascii", newline="")
    config_path = write_config(tmp_path)
    text = config_path.read_text(encoding="utf-8").replace("poll_ms = 1000", "poll_ms = 1")
    config_path.write_text(text, encoding="utf-8")  # a replay runs hundreds of fixes a second
    session = make_session(config_path, wall_clock)
    config = load_truck_config(config_path)
    seen: list = []
    stop = threading.Event()
    try:
        with GpsFake(log, cycle=CYCLE) as fake:
            # a recorded day is old by definition: staleness is the adapter tests' business
            source = GpsdSource(port=fake.port, timeout=2.0, max_age=timedelta(days=36500))
            agent = threading.Thread(
                target=run_agent,
                args=(config,),
                kwargs={"stop": stop, "source": source, "clock": wall_clock, "say": lambda _: None},
            )
            agent.start()
            try:
                expected = 2 * len(driven.visits)
                deadline = time.monotonic() + DEADLINE
                while len(seen) < expected and time.monotonic() < deadline:
                    new = list(
                        journal.entries(
                            session.opened.db,
                            after=seen[-1].seq if seen else 0,
                            kinds=stops.STOP_KINDS,
                        )
                    )
                    for entry in new:
                        seen.append(entry)
                        if on_entry is not None:
                            on_entry(session, entry)
                    if not new:
                        stop.wait(0.01)  # the agent works in its own thread; look again soon
            finally:
                stop.set()
                agent.join()
        return session, seen
    except BaseException:
        session.opened.close()
        raise


def assert_matches_the_day(day_tour, driven, entries):
    names = {s.stop.id: s.stop.name for s in day_tour.stops}
    expected = [(kind, v) for v in driven.visits for kind in ("arrival", "departure")]
    got = [
        ("arrival" if e.kind is EntryKind.STOP_ARRIVAL else "departure", names[e.body["stop"]])
        for e in entries
    ]
    assert got == [(kind, visit.name) for kind, visit in expected]
    for entry, (kind, visit) in zip(entries, expected, strict=True):
        truth = visit.arrived if kind == "arrival" else visit.departed
        assert abs(datetime.fromisoformat(entry.body["gps_time"]) - truth) <= TOLERANCE


@pytest.fixture(scope="module")
def plan():
    return load_tour_plan(EXAMPLE_TOUR)


def test_a_replayed_day_with_the_till_selling_at_every_stop(tmp_path, plan):
    day_tour, driven = simulated_day(
        plan, TUESDAY, "T01", interval=10, jitter_m=4, seed=5, lead_in=AT_THE_DEPOT
    )
    receipts = []

    def sell_on_arrival(session, entry):
        if entry.kind is EntryKind.STOP_ARRIVAL:
            if session.staff is None:
                session.sign_on("7", "1234")
            session.current().enter("4006381001014")
            done = session.pay(cash_tendered=500)
            receipts.append((entry.body["stop"], done))

    session, entries = replay(tmp_path, driven, sell_on_arrival)
    try:
        assert_matches_the_day(day_tour, driven, entries)
        assert [stop_id for stop_id, _ in receipts] == [s.stop.id for s in day_tour.stops]
        for _, done in receipts:
            # where the journal said the truck was when the receipt was paid
            before = [e for e in entries if e.seq < done.entry.seq]
            at_stop = before[-1].kind is EntryKind.STOP_ARRIVAL
            assert done.receipt.stop == (before[-1].body["stop"] if at_stop else "unterwegs")
        # the truck halts long enough for a sale: each receipt went to its own stop
        assert [done.receipt.stop for _, done in receipts] == [s.stop.id for s in day_tour.stops]
    finally:
        session.opened.close()


def test_heavier_jitter_and_a_long_no_fix_stretch_at_a_stop_through_gpsd(tmp_path, plan):
    hemeln = plan.day(TUESDAY, "T01").stop("hemeln")
    blind = Outage(hemeln.arrive + timedelta(minutes=8), hemeln.arrive + timedelta(minutes=30))
    day_tour, driven = simulated_day(
        plan,
        TUESDAY,
        "T01",
        interval=10,
        jitter_m=12,
        outages=[blind],
        seed=11,
        lead_in=AT_THE_DEPOT,
    )
    session, entries = replay(tmp_path, driven)
    try:
        assert_matches_the_day(day_tour, driven, entries)
    finally:
        session.opened.close()
