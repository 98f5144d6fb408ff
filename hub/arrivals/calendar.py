"""A stop's coming visits as an iCalendar feed, for the calendar apps of villagers and of a
seniors' home's staff (subscribed to at ``/tafel/{token}/kalender.ics``).

Times are written as local wall times with the plan's TZID and a VTIMEZONE that covers the
feed's weeks: a visit at 09:40 stays at 09:40 across the change to and from summer time,
also in apps that do not know the zone by its name. Each visit keeps one UID per date, tour
and stop, so when it is cancelled later the app replaces the event (STATUS:CANCELLED,
"Fällt aus: …") instead of showing both. The feed holds times and places only: no sales
figures, no positions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from tourkasse.tour import TourPlan
from tourkasse.visits import PlannedVisit, stop_of, visits

WEEKS = 8
PRODID = "-//Tourkasse//Fahrplan des Verkaufswagens//DE"
REFRESH = timedelta(hours=6)  # (PT6H) how often a subscribing app should fetch the feed again
UID_DOMAIN = "tourkasse"


def visit_uid(visit: PlannedVisit) -> str:
    """The event's UID: the same for a visit on every fetch, cancelled or not."""
    return f"{visit.date.isoformat()}.{visit.tour.id}.{visit.stop.id}@{UID_DOMAIN}"


def stop_calendar(plan: TourPlan, stop_id: str, today: date, now: datetime) -> Calendar | None:
    """The calendar of ``stop_id``'s visits from ``today`` for eight weeks, cancelled ones
    included; ``now`` is the DTSTAMP. None for a stop the plan does not have."""
    stop = stop_of(plan, stop_id)
    if stop is None:
        return None
    zone = ZoneInfo(plan.timezone)
    stamp = now.astimezone(UTC)
    calendar = Calendar.new(
        name=f"Verkaufswagen: {stop.name}",
        description=f"Wann der Verkaufswagen nach {stop.name} kommt",
        prodid=PRODID,
        refresh_interval=REFRESH,
        uid=f"stop.{stop.id}@{UID_DOMAIN}",
    )
    calendar.add("x-wr-timezone", plan.timezone)
    calendar.add("x-published-ttl", "PT6H")  # REFRESH-INTERVAL as older apps know it
    for visit in visits(plan, stop_id, today, WEEKS * 7):
        calendar.add_component(_event(visit, zone, stamp))
    # the zone's rules for the feed's weeks (a week to spare on either side)
    calendar.add_missing_timezones(
        first_date=today - timedelta(days=7), last_date=today + timedelta(weeks=WEEKS + 1)
    )
    return calendar


def stop_feed(plan: TourPlan, stop_id: str, today: date, now: datetime) -> bytes | None:
    """The feed as bytes (UTF-8, CRLF lines), or None for an unknown stop."""
    calendar = stop_calendar(plan, stop_id, today, now)
    return None if calendar is None else calendar.to_ical()


def summary(visit: PlannedVisit) -> str:
    """'Verkaufswagen in Hemeln, Dorfplatz', or 'Verkaufswagen: Seniorenzentrum Am Rehberg'
    where "in" would read wrong (a seniors' home, a farm yard, a market)."""
    name = visit.stop.name
    text = f"Verkaufswagen in {name}" if visit.stop.kind == "village" else f"Verkaufswagen: {name}"
    return f"Fällt aus: {text}" if visit.cancelled else text


def description(visit: PlannedVisit) -> str:
    if visit.cancelled:
        why = visit.reason or "ohne Angabe eines Grundes"
        return f"Der Verkaufswagen kommt an diesem Tag nicht. Grund: {why}"
    return (
        f"Der Verkaufswagen (Tour „{visit.tour.name}“) hält von {visit.stop.arrive} "
        f"bis {visit.stop.depart} Uhr. Wenn er sich verspätet, zeigt es die Anzeige des Halts."
    )


def _event(visit: PlannedVisit, zone: ZoneInfo, stamp: datetime) -> Event:
    event = Event.new(
        uid=visit_uid(visit),
        stamp=stamp,
        start=visit.arrive.astimezone(zone),
        end=visit.depart.astimezone(zone),
        summary=summary(visit),
        description=description(visit),
        location=visit.stop.address,
        status="CANCELLED" if visit.cancelled else "CONFIRMED",
        transparency="TRANSPARENT",  # a visit to the shop does not make anyone busy
    )
    return event
