"""Tours and stops: the plan of a day, holidays, exceptions, a truck swap; a broken tour file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tourkasse.config import ConfigError
from tourkasse.tour import load_tour_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "tour.example.toml"


@pytest.fixture(scope="module")
def plan():
    return load_tour_plan(EXAMPLE)


def test_a_tuesday_has_eight_stops_one_a_seniors_home_with_times_in_utc(plan):
    day = plan.day(date(2026, 11, 24), "T01")
    assert day is not None and day.tour.id == "werra-weser"
    assert len(day.stops) == 8
    assert [s.stop.kind for s in day.stops].count("seniors_home") == 1
    first = day.stops[0]
    assert first.stop.name == "Gimte, Dorfgemeinschaftshaus"
    assert first.arrive == datetime(2026, 11, 24, 7, 10, tzinfo=UTC)  # 08:10 in winter
    summer = plan.day(date(2026, 7, 7), "T01")
    assert summer.stops[0].arrive == datetime(2026, 7, 7, 6, 10, tzinfo=UTC)  # 08:10 in summer
    assert day.leave == datetime(2026, 11, 24, 6, 50, tzinfo=UTC)


def test_on_fridays_bursfelde_is_left_out_and_on_other_days_nothing_runs(plan):
    friday = plan.day(date(2026, 11, 27), "T01")
    assert "bursfelde" not in [s.stop.id for s in friday.stops] and len(friday.stops) == 7
    assert plan.day(date(2026, 11, 25), "T01") is None  # a Wednesday


def test_holidays_exceptions_and_a_truck_swap(plan):
    assert plan.day(date(2026, 12, 25), "T01") is None  # Christmas Day, a Friday
    assert plan.day(date(2026, 4, 3), "T01") is None  # Good Friday
    assert plan.day(date(2026, 12, 29), "T01") is None  # cancelled by exception
    skipped = plan.day(date(2026, 12, 22), "T01")
    assert "bursfelde" not in [s.stop.id for s in skipped.stops]
    assert skipped.note == "Bursfelde entfällt: Straße gesperrt"
    assert plan.day(date(2026, 12, 1), "T01") is None  # T01 is in the workshop …
    assert plan.day(date(2026, 12, 1), "T02").tour.id == "werra-weser"  # … T02 drives


def test_a_tour_runs_on_a_holiday_when_an_exception_says_so(tmp_path, plan):
    text = EXAMPLE.read_text(encoding="utf-8") + (
        '\n[[exception]]\ndate = "2026-12-25"\ntour = "werra-weser"\nruns = true\n'
    )
    path = tmp_path / "tour.toml"
    path.write_text(text, encoding="utf-8")
    christmas = load_tour_plan(path).day(date(2026, 12, 25), "T01")
    assert christmas is not None and len(christmas.stops) == 8


def problems_of(tmp_path, text: str) -> set[tuple[str, str]]:
    path = tmp_path / "tour.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_tour_plan(path)
    return {(p.key, p.message) for p in caught.value.problems}


def test_a_broken_tour_file_names_the_key_and_what_is_wrong(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    found = problems_of(
        tmp_path,
        text.replace('state = "NI"', 'state = "Niedersachsen"')
        .replace('depart = "08:40"', 'depart = "8:40"')
        .replace("lat = 51.4441", "lat = 514441"),
    )
    assert {key for key, _ in found} == {"state", "tour[0].stop[0].depart", "tour[0].stop[0].lat"}
    assert ("tour[0].stop[0].depart", 'erwartet eine Uhrzeit wie "08:30", gefunden "8:40"') in found


def test_rules_across_entries_are_checked(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    found = problems_of(tmp_path, text.replace('depart = "08:40"', 'depart = "08:00"'))
    assert found == {("tour[0].stop[0].depart", "liegt nicht nach der Ankunft 08:10")}
    found = problems_of(tmp_path, text.replace('id = "volkmarshausen"', 'id = "gimte"'))
    assert found == {("tour[0].stop[1].id", '"gimte" kommt mehrfach vor')}
    found = problems_of(
        tmp_path,
        text.replace('tour = "werra-weser"\ncancelled', 'tour = "werra"\ncancelled').replace(
            'skip = ["bursfelde"]', 'skip = ["bursfeld"]'
        ),
    )
    assert found == {
        ("exception[1].tour", 'unbekannte Tour "werra" (bekannt: werra-weser)'),
        ("exception[0].skip", 'unbekannter Halt "bursfeld"'),
    }
