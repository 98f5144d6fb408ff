"""A stop's planned visits, as the boards, the calendar feed and the printed timetables show
them: the ordinary weeks, a cancelled tour and a skipped stop with the operator's reason, a
public holiday by its name, a stop with weekdays of its own, another truck on a date, and an
extra run on a day the tour does not normally run."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tourkasse.tour import parse_tour_plan
from tourkasse.visits import stop_of, tour_visits, visits

PLAN = """
state = "NI"
timezone = "Europe/Berlin"

[[tour]]
id = "nord"
name = "Nordtour"
truck = "T01"
weekdays = ["di", "fr"]

[tour.depot]
name = "Lager"
lat = 51.42
lon = 9.65

[[tour.stop]]
id = "hemeln"
name = "Hemeln, Dorfplatz"
address = "Weserstraße 12, 34346 Hann. Münden-Hemeln"
lat = 51.49
lon = 9.61
arrive = "09:40"
depart = "10:25"

[[tour.stop]]
id = "bursfelde"
name = "Bursfelde, am Kloster"
address = "Klosterhof 1, 34346 Hann. Münden-Bursfelde"
lat = 51.53
lon = 9.63
arrive = "10:45"
depart = "11:15"
weekdays = ["di"]

[[tour]]
id = "sued"
name = "Südtour"
truck = "T02"
weekdays = ["mi"]

[tour.depot]
name = "Lager"
lat = 51.42
lon = 9.65

[[tour.stop]]
id = "hemeln"
name = "Hemeln, Dorfplatz"
address = "Weserstraße 12, 34346 Hann. Münden-Hemeln"
lat = 51.49
lon = 9.61
arrive = "15:00"
depart = "15:30"

[[assignment]]
date = "2026-12-01"
tour = "nord"
truck = "T03"

[[exception]]
date = "2026-12-04"
tour = "nord"
skip = ["hemeln"]
note = "Weserstraße gesperrt"

[[exception]]
date = "2026-12-08"
tour = "nord"
cancelled = true
note = "Betriebsversammlung"

[[exception]]
date = "2026-12-10"
tour = "nord"
runs = true
note = "Sonderfahrt zum Adventsmarkt"

[[exception]]
date = "2027-01-01"
tour = "nord"
runs = true
"""


@pytest.fixture(scope="module")
def plan():
    return parse_tour_plan(PLAN, "test.toml")


def test_ordinary_weeks_at_local_wall_time_in_summer_and_winter(plan):
    found = visits(plan, "hemeln", date(2026, 11, 16), 7)  # Monday to Sunday
    assert [(v.date, v.tour.id, v.cancelled) for v in found] == [
        (date(2026, 11, 17), "nord", False),  # Tuesday
        (date(2026, 11, 18), "sued", False),  # Wednesday, the other tour
        (date(2026, 11, 20), "nord", False),  # Friday
    ]
    tuesday = found[0]
    assert tuesday.arrive == datetime(2026, 11, 17, 8, 40, tzinfo=UTC)  # 09:40 CET
    assert tuesday.depart == datetime(2026, 11, 17, 9, 25, tzinfo=UTC)
    assert tuesday.truck == "T01" and tuesday.reason == ""
    summer = visits(plan, "hemeln", date(2026, 7, 7), 1)[0]
    assert summer.arrive == datetime(2026, 7, 7, 7, 40, tzinfo=UTC)  # 09:40 CEST


def test_a_cancelled_tour_and_a_skipped_stop_give_the_operators_reason(plan):
    found = {v.date: v for v in visits(plan, "hemeln", date(2026, 12, 4), 5)}
    skipped, cancelled = found[date(2026, 12, 4)], found[date(2026, 12, 8)]
    assert skipped.cancelled and skipped.reason == "Weserstraße gesperrt"
    assert cancelled.cancelled and cancelled.reason == "Betriebsversammlung"
    # the skip is for Hemeln only: Bursfelde (a Tuesday stop) is cancelled with the tour only
    assert visits(plan, "bursfelde", date(2026, 12, 4), 1) == []  # a Friday
    day = tour_visits(plan, "nord", date(2026, 12, 4))
    assert [(v.stop.id, v.cancelled) for v in day] == [("hemeln", True)]


def test_a_public_holiday_cancels_by_its_name_unless_the_tour_runs(plan):
    christmas = visits(plan, "hemeln", date(2026, 12, 25), 1)  # a Friday
    assert len(christmas) == 1
    assert christmas[0].cancelled and christmas[0].reason == "1. Weihnachtstag"
    new_year = visits(plan, "hemeln", date(2027, 1, 1), 1)[0]  # Friday, runs = true
    assert not new_year.cancelled and new_year.reason == ""


def test_a_cancellation_without_a_note_on_a_holiday_still_names_the_holiday():
    text = PLAN + '[[exception]]\ndate = "2026-12-25"\ntour = "nord"\ncancelled = true\n'
    visit = visits(parse_tour_plan(text, "test.toml"), "hemeln", date(2026, 12, 25), 1)[0]
    assert visit.cancelled and visit.reason == "1. Weihnachtstag"


def test_a_stop_with_its_own_weekdays_is_due_only_on_those(plan):
    found = visits(plan, "bursfelde", date(2026, 11, 16), 14)
    assert [v.date for v in found] == [date(2026, 11, 17), date(2026, 11, 24)]  # Tuesdays
    friday = tour_visits(plan, "nord", date(2026, 11, 20))
    assert [v.stop.id for v in friday] == ["hemeln"]
    tuesday = tour_visits(plan, "nord", date(2026, 11, 17))
    assert [v.stop.id for v in tuesday] == ["hemeln", "bursfelde"]  # the tour's order


def test_another_truck_on_a_date(plan):
    assignment = tour_visits(plan, "nord", date(2026, 12, 1))
    assert {v.truck for v in assignment} == {"T03"}
    assert {v.truck for v in tour_visits(plan, "nord", date(2026, 12, 11))} == {"T01"}


def test_an_extra_run_visits_every_stop_of_the_tour(plan):
    thursday = tour_visits(plan, "nord", date(2026, 12, 10))
    assert [(v.stop.id, v.cancelled) for v in thursday] == [
        ("hemeln", False),
        ("bursfelde", False),  # its own weekday is Tuesday, but the extra run takes all
    ]
    assert thursday[0].arrive == datetime(2026, 12, 10, 8, 40, tzinfo=UTC)
    assert tour_visits(plan, "nord", date(2026, 12, 17)) == []  # an ordinary Thursday


def test_stops_and_tours_that_are_not_in_the_plan(plan):
    assert stop_of(plan, "hemeln").name == "Hemeln, Dorfplatz"
    assert stop_of(plan, "atlantis") is None
    assert visits(plan, "atlantis", date(2026, 11, 16), 14) == []
    assert tour_visits(plan, "west", date(2026, 11, 17)) == []
