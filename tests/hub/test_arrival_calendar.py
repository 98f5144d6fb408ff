"""A stop's calendar feed: what a calendar app reads from ``/tafel/{token}/kalender.ics``.

The feed parses with the icalendar library; a visit at 09:40 stays at 09:40 in Europe/Berlin
across the change to summer time and back (by the feed's own VTIMEZONE, not only by the zone's
name); cancelled visits stay in with STATUS:CANCELLED and the reason, under the same UID as
before the cancellation; served without a login with the calendar content type; a renewed
link shows nothing about the stop.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar, Event

from hub.arrivals.calendar import stop_feed
from hub.config import HubConfig, HubToursSettings, StoreSettings
from hub.store import open_store
from hub.web.app import create_app
from tourkasse.tour import parse_tour_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "tour.example.toml"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
HEMELN = "Hemeln, Dorfplatz an der Weser"


@pytest.fixture(scope="module")
def plan():
    return parse_tour_plan(EXAMPLE.read_text(encoding="utf-8"), "tour.example.toml")


def feed_of(plan, stop: str, today: date) -> Calendar:
    raw = stop_feed(plan, stop, today, NOW)
    assert raw is not None
    return Calendar.from_ical(raw)


def by_day(calendar: Calendar) -> dict[date, Event]:
    return {event.start.date(): event for event in calendar.walk("VEVENT")}


def own_zone(calendar: Calendar):
    """The zone as the feed's VTIMEZONE defines it (as an app that does not know
    Europe/Berlin by name reads it)."""
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    return zone.to_tz(lookup_tzid=False)


def test_the_feed_names_the_stop_and_holds_eight_weeks_of_its_visits(plan):
    calendar = feed_of(plan, "hemeln", date(2027, 1, 11))  # a Monday
    assert calendar["X-WR-CALNAME"] == f"Verkaufswagen: {HEMELN}"
    assert "Tourkasse" in calendar["PRODID"] and calendar["VERSION"] == "2.0"
    events = calendar.walk("VEVENT")
    assert len(events) == 16  # Tuesdays and Fridays, 8 weeks, no holiday among them
    first = events[0]
    assert first.start == datetime(2027, 1, 12, 9, 40, tzinfo=BERLIN)
    assert first.end == datetime(2027, 1, 12, 10, 25, tzinfo=BERLIN)
    assert str(first["SUMMARY"]) == f"Verkaufswagen in {HEMELN}"
    assert str(first["LOCATION"]) == "Weserstraße 12, 34346 Hann. Münden-Hemeln"
    assert first["DTSTAMP"].dt == NOW
    assert max(e.start.date() for e in events) == date(2027, 3, 5)  # the last Friday
    assert len({str(e["UID"]) for e in events}) == 16


def test_the_change_to_summer_time_keeps_the_visit_at_0940(plan):
    calendar = feed_of(plan, "hemeln", date(2027, 3, 16))  # summer time from 28 March
    days = by_day(calendar)
    before, after = days[date(2027, 3, 23)], days[date(2027, 3, 30)]
    zone = own_zone(calendar)
    for event in (before, after):
        assert str(event["DTSTART"].params["TZID"]) == "Europe/Berlin"
        local = event.start.replace(tzinfo=zone)
        assert local.time() == time(9, 40)
    assert days[date(2027, 3, 23)].start.replace(tzinfo=zone).utcoffset() == timedelta(hours=1)
    assert days[date(2027, 3, 30)].start.replace(tzinfo=zone).utcoffset() == timedelta(hours=2)
    assert before.start.astimezone(UTC).time() == time(8, 40)
    assert after.start.astimezone(UTC).time() == time(7, 40)
    assert after.start.replace(tzinfo=zone).astimezone(UTC).time() == time(7, 40)


def test_the_change_back_to_winter_time_keeps_the_visit_at_0940(plan):
    calendar = feed_of(plan, "hemeln", date(2026, 10, 13))  # winter time from 25 October
    days = by_day(calendar)
    zone = own_zone(calendar)
    friday, tuesday = days[date(2026, 10, 23)], days[date(2026, 10, 27)]
    assert friday.start.replace(tzinfo=zone).utcoffset() == timedelta(hours=2)
    assert tuesday.start.replace(tzinfo=zone).utcoffset() == timedelta(hours=1)
    assert friday.start.time() == tuesday.start.time() == time(9, 40)
    assert friday.start.astimezone(UTC).time() == time(7, 40)
    assert tuesday.start.astimezone(UTC).time() == time(8, 40)


def test_cancelled_visits_stay_in_the_feed_with_their_reason(plan):
    # Good Friday 2027 (a holiday in Lower Saxony)
    easter = by_day(feed_of(plan, "hemeln", date(2027, 3, 16)))[date(2027, 3, 26)]
    assert easter["STATUS"] == "CANCELLED"
    assert str(easter["SUMMARY"]) == f"Fällt aus: Verkaufswagen in {HEMELN}"
    assert "Karfreitag" in str(easter["DESCRIPTION"])
    # the operator's reasons: a skipped stop, a cancelled tour
    december = by_day(feed_of(plan, "bursfelde", date(2026, 12, 15)))
    skipped, cancelled = december[date(2026, 12, 22)], december[date(2026, 12, 29)]
    assert skipped["STATUS"] == cancelled["STATUS"] == "CANCELLED"
    assert "Straße gesperrt" in str(skipped["DESCRIPTION"])
    assert "Zwischen den Jahren keine Tour" in str(cancelled["DESCRIPTION"])
    assert december[date(2026, 12, 15)]["STATUS"] == "CONFIRMED"


def test_a_visit_cancelled_later_keeps_its_uid_so_the_app_updates_it(plan):
    text = EXAMPLE.read_text(encoding="utf-8")
    before_the_note = parse_tour_plan(
        text.replace("cancelled = true\n", "cancelled = false\n"), "tour.toml"
    )
    was = by_day(feed_of(before_the_note, "hemeln", date(2026, 12, 15)))[date(2026, 12, 29)]
    now = by_day(feed_of(plan, "hemeln", date(2026, 12, 15)))[date(2026, 12, 29)]
    assert was["STATUS"] == "CONFIRMED" and now["STATUS"] == "CANCELLED"
    assert str(was["UID"]) == str(now["UID"])


def test_the_feed_tells_nothing_but_times_and_the_place(plan):
    raw = stop_feed(plan, "rehberg", date(2026, 12, 15), NOW)
    assert raw is not None
    text = raw.decode("utf-8")
    assert "SUMMARY:Verkaufswagen: Seniorenzentrum Am Rehberg" in text
    others = ("Gimte", "Hemeln", "Bursfelde", "Wiershausen", "T01", "T02", "51.41", "GEO")
    assert not [word for word in others if word in text]
    assert "Nolte" not in text  # the stop's contact is for the operator
    assert stop_feed(plan, "atlantis", date(2026, 12, 15), NOW) is None


# --- over HTTP ---------------------------------------------------------------------------
@pytest.fixture
def hub(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    config = HubConfig(store=StoreSettings(url=url), tours=HubToursSettings(file=EXAMPLE))
    with open_store(url) as store:
        token = store.board_links.ensure("hemeln", "olga", NOW).token
    return url, token, TestClient(create_app(config, live_events=False))


def test_a_calendar_app_subscribes_without_a_login(hub):
    _url, token, client = hub
    answer = client.get(f"/tafel/{token}/kalender.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(answer.content)
    assert calendar["X-WR-CALNAME"] == f"Verkaufswagen: {HEMELN}"
    events = calendar.walk("VEVENT")
    assert events, "the example tour runs every week"
    today = datetime.now(BERLIN).date()
    assert all(today <= e.start.date() < today + timedelta(weeks=8) for e in events)
    assert {e.start.time() for e in events} == {time(9, 40)}
    assert {str(e["LOCATION"]) for e in events} == {"Weserstraße 12, 34346 Hann. Münden-Hemeln"}


def test_a_renewed_link_shows_nothing_about_the_stop(hub):
    url, token, client = hub
    with open_store(url) as store:
        new = store.board_links.renew("hemeln", "olga", NOW).token
    for path in (f"/tafel/{token}/kalender.ics", "/tafel/erfunden/kalender.ics"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert "Hemeln" not in answer.text and "BEGIN:VCALENDAR" not in answer.text
        assert "Diese Anzeige gibt es nicht (mehr)" in answer.text
    assert client.get(f"/tafel/{new}/kalender.ics").status_code == 200
