"""Tour days for the arrival tests: a tight test tour, and earlier weeks of it in the hub store.

The weeks before are what the hub learns a leg's usual speed from: each driven on time by the
GPS simulator (``truck.devices.gps.drive``), kept as the stop events a truck's agent journals
and the track it sends — stored the way the ingest stores them, as another truck's journal
(trucks stand in for each other on a tour).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hub.store import HubStore
from tests.support.journals import JournalWriter
from tourkasse import protocol
from tourkasse.journal import EntryKind
from tourkasse.tour import TourPlan, parse_tour_plan
from truck.agent.simulated_day import halts_of
from truck.devices.gps.drive import Day, Halt, drive_day

SCALE = 10_000_000

# Legs timed only a little longer than the truck needs (2.8, 1.6, 6.7, 4.4 minutes driven):
# a truck that is late stays late unless staff shorten the stays.
TOUR = """
state = "NI"
timezone = "Europe/Berlin"

[[tour]]
id = "weser-heime"
name = "Weser und Heime"
truck = "T01"
weekdays = ["di"]

[tour.depot]
name = "Lager Hann. Münden"
lat = 51.4230
lon = 9.6540
leave = "08:00"

[[tour.stop]]
id = "gimte"
name = "Gimte, Dorfgemeinschaftshaus"
address = "Am Anger 2, 34346 Hann. Münden-Gimte"
lat = 51.4441
lon = 9.6602
radius_m = 80
arrive = "08:05"
depart = "08:35"

[[tour.stop]]
id = "volkmarshausen"
name = "Volkmarshausen, Ortsmitte"
address = "Lindenstraße 5, 34346 Hann. Münden-Volkmarshausen"
lat = 51.4468
lon = 9.6735
radius_m = 70
arrive = "08:38"
depart = "09:05"

[[tour.stop]]
id = "weserblick"
name = "Seniorenheim Weserblick"
address = "Weserstraße 12, 34346 Hann. Münden-Hemeln"
lat = 51.4936
lon = 9.6091
radius_m = 100
kind = "seniors_home"
arrive = "09:13"
depart = "09:55"

[[tour.stop]]
id = "bursfelde"
name = "Bursfelde, am Kloster"
address = "Klosterhof 1, 34346 Hann. Münden-Bursfelde"
lat = 51.5284
lon = 9.6322
radius_m = 90
arrive = "10:01"
depart = "10:30"
"""


def afternoon_tour(stop_id: str) -> str:
    """A second tour of T01 the same Tuesday, at 13:05–13:35 to one stop of the test tour
    (append it to ``TOUR``)."""
    stop = next(s for s in tour_plan().tours[0].stops if s.id == stop_id)
    return f"""
[[tour]]
id = "weser-mittag"
name = "Weser am Mittag"
truck = "T01"
weekdays = ["di"]

[tour.depot]
name = "Lager"
lat = 51.4230
lon = 9.6540
leave = "13:00"

[[tour.stop]]
id = "{stop.id}"
name = "{stop.name}"
address = "{stop.address}"
lat = {stop.lat}
lon = {stop.lon}
arrive = "13:05"
depart = "13:35"
"""


def tour_plan() -> TourPlan:
    return parse_tour_plan(TOUR, "Testtour")


def drive(
    plan: TourPlan,
    on: date,
    *,
    late_by: timedelta = timedelta(),
    halts: list[Halt] | None = None,
    interval: float = 10,
    seed: int = 0,
    lead_in: timedelta = timedelta(),
) -> Day:
    """The tour of ``on`` driven by the simulator, leaving the depot ``late_by`` late, with
    ``lead_in`` standing at the depot before (for a replay that starts listening late)."""
    day = plan.day(on, "T01")
    assert day is not None, f"keine Tour am {on}"
    depot = (day.tour.depot.lat, day.tour.depot.lon)
    driven = drive_day(
        depot,
        day.leave + late_by,
        halts if halts is not None else halts_of(day),
        interval=interval,
        jitter_m=4,
        seed=seed,
        end=depot,
    )
    first = driven.samples[0]
    steps = int(lead_in.total_seconds() // interval)
    before = tuple(
        replace(first, time=first.time - timedelta(seconds=interval * n), speed=0.0)
        for n in range(steps, 0, -1)
    )
    return replace(driven, samples=before + driven.samples)


def store_weeks(store: HubStore, plan: TourPlan, days: list[date], truck: str = "T02") -> None:
    """Earlier days of the tour, driven on time, as the hub would have stored them."""
    day_tours = [plan.day(on, "T01") for on in sorted(days)]
    writer = JournalWriter(truck, start=datetime(2000, 1, 1, tzinfo=UTC))
    for seed, day_tour in enumerate(day_tours):
        assert day_tour is not None
        driven = drive(plan, day_tour.date, interval=30, seed=100 + seed)
        for visit, scheduled in zip(driven.visits, day_tour.stops, strict=True):
            for kind, at in (
                (EntryKind.STOP_ARRIVAL, visit.arrived),
                (EntryKind.STOP_DEPARTURE, visit.departed),
            ):
                writer.at = at
                body = {
                    "stop": scheduled.stop.id,
                    "name": scheduled.stop.name,
                    "tour": day_tour.tour.id,
                    "gps_time": at.isoformat(),
                }
                writer.add(kind, body, minutes=0)
        points = tuple(
            protocol.TrackPoint(
                s.time.isoformat(), round(s.lat * SCALE), round(s.lon * SCALE), round(s.speed * 100)
            )
            for s in driven.samples
            if s.valid
        )
        store.add_track(protocol.TrackBatch(truck, points))
    entries = tuple(entry.data for entry in writer.entries)
    outcome = store.accept_batch(
        protocol.JournalBatch(truck, entries, first=1), received_at=datetime.now(UTC)
    )
    assert outcome.through == len(entries), outcome
