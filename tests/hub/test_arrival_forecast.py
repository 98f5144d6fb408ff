"""Expected arrivals worked out by hand: the states of a day, the delay carried forward and
shrunk by shorter stays, the usual speed on a leg (standing time taken out), silent trucks.

The test tour (tests/support/tour_days.py), Tuesday 24 November 2026 (CET, UTC+1):
Gimte 08:05–08:35, Volkmarshausen 08:38–09:05, Seniorenheim Weserblick 09:13–09:55,
Bursfelde 10:01–10:30. Without history a leg is driven at 30 km/h straight-line.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.arrivals.forecast import arrival_at, arrivals_today
from hub.arrivals.model import State
from hub.config import ArrivalSettings
from hub.store import open_store
from tests.support.journals import JournalWriter
from tests.support.tour_days import TOUR, afternoon_tour, tour_plan
from tourkasse import protocol
from tourkasse.journal import EntryKind
from tourkasse.tour import parse_tour_plan

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 11, 24)
# shortest stay: 60 % (the hub's default is 80), at least 5 minutes; silent 3, plan 30
SETTINGS = ArrivalSettings(shortest_stay_percent=60)


def local(clock: str, on: date = TUESDAY) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime(on.year, on.month, on.day, hours, minutes, tzinfo=BERLIN).astimezone(UTC)


class Truck:
    """What T01 tells the hub: stop events and positions."""

    def __init__(self, store, name: str = "T01") -> None:
        self.store = store
        self.writer = JournalWriter(name, start=datetime(2000, 1, 1, tzinfo=UTC))
        self.name = name

    def event(self, kind: EntryKind, stop: str | None, at: datetime) -> None:
        self.writer.at = at
        body = {"stop": stop, "name": stop or "", "tour": "weser-heime", "gps_time": at.isoformat()}
        if kind is EntryKind.STOP_CHOSEN:
            body = {"stop": stop, "name": stop or ""}
        entry = self.writer.add(kind, body, minutes=0)
        batch = protocol.JournalBatch(self.name, (entry.data,), first=entry.seq)
        assert self.store.accept_batch(batch, received_at=at).through == entry.seq

    def arrive(self, stop: str, clock: str) -> None:
        self.event(EntryKind.STOP_ARRIVAL, stop, local(clock))

    def leave(self, stop: str, clock: str) -> None:
        self.event(EntryKind.STOP_DEPARTURE, stop, local(clock))

    def at(self, lat: float, lon: float, when: datetime, speed_cm_s: int = 1200) -> None:
        point = protocol.Position(
            self.name, when.isoformat(), round(lat * 1e7), round(lon * 1e7), speed_cm_s
        )
        self.store.save_position(point, received_at=when)


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path}/hub.sqlite") as opened:
        yield opened


@pytest.fixture
def plan():
    return tour_plan()


def states(store, plan, now):
    return {a.stop: a for a in arrivals_today(store, plan, now, SETTINGS)}


def test_before_the_truck_says_anything_the_board_shows_the_plan(store, plan):
    found = states(store, plan, local("07:30"))
    assert [a.state for a in found.values()] == [State.SCHEDULED] * 4
    assert found["weserblick"].text(BERLIN) == "kommt laut Fahrplan um 09:13"
    assert found["weserblick"].basis_text(BERLIN) == ""


def test_a_day_without_a_visit_has_none(store, plan):
    wednesday = local("09:00", date(2026, 11, 25))
    assert arrivals_today(store, plan, wednesday, SETTINGS) == []
    assert arrival_at(store, plan, "weserblick", wednesday, SETTINGS) is None


def test_here_visited_and_a_stop_passed_without_a_halt(store, plan):
    truck = Truck(store)
    truck.arrive("gimte", "08:06")
    truck.leave("gimte", "08:35")
    truck.arrive("weserblick", "09:10")  # Volkmarshausen was not seen
    found = states(store, plan, local("09:11"))
    assert found["gimte"].text(BERLIN) == "war heute da (08:06–08:35)"
    assert found["volkmarshausen"].text(BERLIN) == "heute kein Halt erfasst"
    assert found["weserblick"].text(BERLIN) == "ist da"
    assert found["bursfelde"].state is State.EXPECTED


def test_staff_saying_where_the_truck_is_counts_as_arriving(store, plan):
    truck = Truck(store)
    truck.event(EntryKind.STOP_CHOSEN, "gimte", local("08:07"))
    truck.event(EntryKind.STOP_CHOSEN, None, local("08:36"))  # "on the road"
    found = states(store, plan, local("08:37"))
    assert found["gimte"].text(BERLIN) == "war heute da (08:07–08:36)"


def test_a_cancelled_stop_says_so_with_the_operators_reason(store):
    text = tour_plan_text_with_exception('skip = ["volkmarshausen"]\nnote = "Straße gesperrt"')
    found = states(store, parse_tour_plan(text, "Testtour"), local("07:30"))
    assert found["volkmarshausen"].text(BERLIN) == "fällt heute aus: Straße gesperrt"
    assert found["weserblick"].state is State.SCHEDULED


def test_the_delay_shrinks_by_the_shortest_stays(store, plan):
    # 15 minutes late at Gimte; it may leave after 60 % of its 30 minutes: 08:38, and
    # drives the 969 m to Volkmarshausen at 30 km/h (116 s): 08:39:56, 2 min behind. It
    # could leave after 16.2 minutes but waits for its 09:05 there, then drives 6 854 m
    # (13 min 42 s): 09:18:50 at the home, 6 min behind. There 60 % of 42 minutes would be
    # 25.2, so it leaves at 09:55 as planned: 4 187 m (8 min 22 s), Bursfelde at 10:03:12.
    truck = Truck(store)
    truck.arrive("gimte", "08:20")
    truck.at(51.4441, 9.6602, local("08:25"), speed_cm_s=0)
    found = states(store, plan, local("08:25"))
    assert found["gimte"].text(BERLIN) == "ist da"
    assert found["volkmarshausen"].text(BERLIN) == "kommt ca. 08:40 (+2 min)"
    assert found["weserblick"].text(BERLIN) == "kommt ca. 09:19 (+6 min)"
    assert found["bursfelde"].text(BERLIN) == "kommt ca. 10:03 (+2 min)"


def test_standing_longer_than_the_shortest_stay_pushes_the_next_stops(store, plan):
    # at 08:50 still at Gimte: it leaves now at the earliest; 08:52 in Volkmarshausen
    # (+14), leaves 16.2 min later (09:08), at the home 09:22 (+9)
    truck = Truck(store)
    truck.arrive("gimte", "08:20")
    truck.at(51.4441, 9.6602, local("08:50"), speed_cm_s=0)
    found = states(store, plan, local("08:50"))
    assert found["volkmarshausen"].text(BERLIN) == "kommt ca. 08:52 (+14 min)"
    assert found["weserblick"].text(BERLIN) == "kommt ca. 09:22 (+9 min)"


def test_on_the_road_the_rest_of_the_leg_at_its_usual_speed(store, plan):
    # Two Tuesdays before, Volkmarshausen → Weserblick took 8 minutes of driving; once with
    # 3 minutes standing at road works on the way, which do not count.
    history = Truck(store, "T02")
    for week, standing in ((2, False), (1, True)):
        day = TUESDAY - timedelta(weeks=week)
        history.event(EntryKind.STOP_ARRIVAL, "volkmarshausen", local("08:38", day))
        history.event(EntryKind.STOP_DEPARTURE, "volkmarshausen", local("09:05", day))
        arrived = local("09:16" if standing else "09:13", day)
        history.event(EntryKind.STOP_ARRIVAL, "weserblick", arrived)
        if standing:
            road_works = local("09:08", day)
            points = [
                protocol.TrackPoint(
                    (road_works + timedelta(seconds=s)).isoformat(), 514700000, 96400000, 0
                )
                for s in range(0, 181, 30)  # standing 09:08 to 09:11
            ]
            moving = local("09:11", day) + timedelta(seconds=20)
            points.append(protocol.TrackPoint(moving.isoformat(), 514710000, 96390000, 1300))
            store.add_track(protocol.TrackBatch("T02", tuple(points)))
    # Today it left Volkmarshausen late, at 09:20, and is halfway at 09:24: four minutes
    # of driving left, 09:28
    truck = Truck(store)
    truck.arrive("volkmarshausen", "08:50")
    truck.leave("volkmarshausen", "09:20")
    truck.at((51.4468 + 51.4936) / 2, (9.6735 + 9.6091) / 2, local("09:24"))
    found = states(store, plan, local("09:24"))
    assert found["weserblick"].text(BERLIN) == "kommt ca. 09:28 (+15 min)"


def test_a_silent_truck_says_how_old_the_basis_is_then_the_plan(store, plan):
    truck = Truck(store)
    truck.arrive("gimte", "08:20")
    truck.at(51.4441, 9.6602, local("08:30"), speed_cm_s=0)
    soon = states(store, plan, local("08:32"))
    assert soon["volkmarshausen"].basis_text(BERLIN) == ""
    later = states(store, plan, local("08:40"))  # 10 minutes nothing
    assert later["volkmarshausen"].text(BERLIN) == "kommt ca. 08:40 (+2 min)"  # as at 08:30
    assert later["volkmarshausen"].basis_text(BERLIN) == (
        "Stand 08:30, seit 10 min keine Verbindung zum Wagen"
    )
    assert later["gimte"].text(BERLIN) == "ist da"
    much_later = states(store, plan, local("09:10"))  # 40 minutes
    assert much_later["weserblick"].state is State.SCHEDULED
    assert much_later["weserblick"].text(BERLIN) == "kommt laut Fahrplan um 09:13"
    assert much_later["weserblick"].basis_text(BERLIN) == (
        "seit 40 min keine Verbindung zum Wagen – Zeit laut Fahrplan"
    )


def test_yesterdays_position_is_no_basis(store, plan):
    truck = Truck(store)
    truck.at(51.4441, 9.6602, local("16:00", TUESDAY - timedelta(days=1)))
    found = states(store, plan, local("08:00"))
    assert {a.state for a in found.values()} == {State.SCHEDULED}


def tour_plan_text_with_exception(lines: str) -> str:
    return TOUR + f'\n[[exception]]\ndate = "{TUESDAY}"\ntour = "weser-heime"\n{lines}\n'


def test_a_stop_whose_time_is_over_without_word_from_the_truck_does_not_say_it_comes(store, plan):
    found = states(store, plan, local("09:00"))
    assert found["gimte"].text(BERLIN) == "laut Fahrplan 08:05–08:35, keine Meldung vom Wagen"
    assert found["weserblick"].text(BERLIN) == "kommt laut Fahrplan um 09:13"


def test_arriving_elsewhere_ends_the_stay_its_leaving_was_not_seen(store, plan):
    truck = Truck(store)
    truck.arrive("gimte", "08:05")
    truck.arrive("volkmarshausen", "08:38")  # GPS lost as it left Gimte
    found = states(store, plan, local("08:40"))
    assert found["gimte"].text(BERLIN) == "war heute da (08:05–08:38)"
    assert found["volkmarshausen"].text(BERLIN) == "ist da"


def test_a_stop_called_off_that_the_truck_came_to_anyway_shows_what_happened(store):
    text = tour_plan_text_with_exception('skip = ["gimte"]\nnote = "Fest"')
    truck = Truck(store)
    truck.arrive("gimte", "08:05")
    found = states(store, parse_tour_plan(text, "Testtour"), local("08:10"))
    assert found["gimte"].text(BERLIN) == "ist da"


def test_a_truck_silent_at_a_stop_long_past_its_time_is_no_longer_there(store, plan):
    truck = Truck(store)
    truck.arrive("weserblick", "09:13")
    assert states(store, plan, local("09:30"))["weserblick"].text(BERLIN) == "ist da"
    evening = states(store, plan, local("12:00"))["weserblick"]
    assert evening.text(BERLIN) == "war heute da (ab 09:13)"
    assert evening.basis_text(BERLIN) == ""


def test_leaving_a_stop_whose_arrival_was_missed_is_a_visit(store, plan):
    truck = Truck(store)
    truck.leave("weserblick", "09:55")
    found = states(store, plan, local("09:56"))
    assert found["weserblick"].text(BERLIN) == "war heute da (bis 09:55)"
    assert found["bursfelde"].state is State.EXPECTED


def test_a_stop_passed_by_for_a_later_one_keeps_the_plan_until_its_time_is_over(store, plan):
    truck = Truck(store)
    truck.arrive("bursfelde", "09:00")  # a detour: Bursfelde first
    assert states(store, plan, local("09:05"))["weserblick"].text(BERLIN) == (
        "kommt laut Fahrplan um 09:13"
    )
    assert states(store, plan, local("10:00"))["weserblick"].text(BERLIN) == (
        "heute kein Halt erfasst"
    )


def test_a_stop_the_plan_does_not_know_counts_as_on_the_road(store, plan):
    # staff chose an old stop; the truck is still in Volkmarshausen at 09:10: the home is a
    # 6 854 m leg (13 min 42 s at 30 km/h) away, not "on time"
    truck = Truck(store)
    truck.arrive("volkmarshausen", "08:40")
    truck.leave("volkmarshausen", "09:06")
    truck.event(EntryKind.STOP_CHOSEN, "alter-halt", local("09:08"))
    truck.at(51.4468, 9.6735, local("09:10"), speed_cm_s=0)
    found = states(store, plan, local("09:10"))
    assert found["weserblick"].text(BERLIN) == "kommt ca. 09:24 (+11 min)"


def test_one_truck_driving_two_tours_a_day_keeps_their_visits_apart(store):
    afternoon = afternoon_tour("gimte")
    plan = parse_tour_plan(TOUR + afternoon, "Testtour")
    truck = Truck(store)
    truck.arrive("gimte", "08:05")
    truck.leave("gimte", "08:35")
    found = [a for a in arrivals_today(store, plan, local("12:00"), SETTINGS) if a.stop == "gimte"]
    assert [a.text(BERLIN) for a in found] == [
        "war heute da (08:05–08:35)",
        "kommt laut Fahrplan um 13:05",
    ]
