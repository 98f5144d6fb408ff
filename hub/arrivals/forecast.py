"""Expected arrivals: for every stop still ahead on today's tour, when the truck will be there.

The truck's word today — its stop events and its latest position — says where it is. From
there the prediction drives on: to the next stop at the truck's usual speed on that leg, over
the distance that is left; at each later stop it stays the planned time, or, when late, the
shortest stay staff make when customers are waiting (``[arrivals] shortest_stay_percent`` of
the planned stay, at least ``shortest_stay_minutes``), so that a delay shrinks with the slack
in later stays; and it never arrives before the planned time (a driver who is early waits).
Everything is a function of ``now`` and what the hub has stored: recomputed on every position
and stop event, and a recorded day gives the same answers when it is replayed.

When the truck has been silent for ``silent_after_minutes`` (a dead zone, switched off), the
prediction rests on its last word and says how old that is; after ``schedule_after_minutes``
the board shows the plan again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

from hub.arrivals.drives import Leg, UsualSpeeds, depot, places, usual_speeds
from hub.arrivals.model import Arrival, State
from hub.arrivals.stop_events import StopEvent, stop_events
from hub.config import ArrivalSettings
from hub.store import HubStore
from tourkasse.geo import distance_m
from tourkasse.tour import TourPlan
from tourkasse.visits import PlannedVisit, tour_visits

SCALE = 10_000_000  # positions travel in 1e-7 degrees
AT_THE_DEPOT_M = 300.0  # closer than this to the depot before the first stop: not yet left
SPEEDS_FOR = 3600.0  # seconds a learnt set of usual speeds is used before it is learnt again


WAITING = (State.EXPECTED, State.SCHEDULED, State.HERE)  # what a silent truck leaves open


@dataclass(frozen=True)
class Sighting:
    """Where the truck was last seen by GPS."""

    at: datetime
    lat: float
    lon: float


def arrivals_today(
    store: HubStore, plan: TourPlan | None, now: datetime, settings: ArrivalSettings
) -> list[Arrival]:
    """Every stop of today's tours, cancelled ones too, in the order of each tour."""
    return _arrivals(store, plan, now, settings, None)


def arrival_at(
    store: HubStore, plan: TourPlan | None, stop_id: str, now: datetime, settings: ArrivalSettings
) -> Arrival | None:
    """Today's visit of one stop; None when the truck does not come today. Reads only what
    the truck of that stop's tour said."""
    return next(
        (a for a in _arrivals(store, plan, now, settings, stop_id) if a.stop == stop_id), None
    )


def _arrivals(
    store: HubStore,
    plan: TourPlan | None,
    now: datetime,
    settings: ArrivalSettings,
    stop_id: str | None,
) -> list[Arrival]:
    if plan is None:
        return []
    zone = ZoneInfo(plan.timezone)
    local = now.astimezone(zone)
    today = local.date()
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    tours = [
        visits
        for tour in plan.tours
        if (visits := tour_visits(plan, tour.id, today))
        and (stop_id is None or any(v.stop.id == stop_id for v in visits))
    ]
    if not tours:
        return []
    trucks = {planned[0].truck for planned in tours}
    only = next(iter(trucks)) if len(trucks) == 1 else None
    events = [e for e in stop_events(store, day_start, truck=only) if e.at <= now]
    seen = {
        p.truck: Sighting(datetime.fromisoformat(p.time), p.lat / SCALE, p.lon / SCALE)
        for p in store.positions()
    }
    speeds = _speeds(store, plan, day_start, settings)
    where = places(plan)
    found: list[Arrival] = []
    for planned in tours:
        truck = planned[0].truck
        sighting = seen.get(truck)
        if sighting is not None and not day_start <= sighting.at <= now:
            sighting = None  # yesterday's, or (a replay) ahead of the moment asked about
        start, end = _window(planned, [t for t in tours if t[0].truck == truck])
        mine = [e for e in events if e.truck == truck and start <= e.at < end]
        if sighting is not None and not start <= sighting.at < end:
            sighting = None  # where the truck is on another tour of its day
        found += Tour(planned, mine, sighting, speeds, settings, where, zone).arrivals(now)
    return found


def _window(
    planned: list[PlannedVisit], trucks_tours: list[list[PlannedVisit]]
) -> tuple[datetime, datetime]:
    """The part of the day that belongs to this tour when its truck drives several: from
    halfway between the tour before and this one to halfway to the tour after."""
    start, end = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    first, last = planned[0].arrive, planned[-1].depart
    for other in trucks_tours:
        if other is planned:
            continue
        if other[-1].depart <= first:
            start = max(start, other[-1].depart + (first - other[-1].depart) / 2)
        elif other[0].arrive >= last:
            end = min(end, last + (other[0].arrive - last) / 2)
    return start, end


class Tour:
    """One truck's tour today, and what it has told the hub of it."""

    def __init__(
        self,
        planned: list[PlannedVisit],
        events: list[StopEvent],
        sighting: Sighting | None,
        speeds: UsualSpeeds,
        settings: ArrivalSettings,
        where: dict[str, tuple[float, float]],
        zone: ZoneInfo,
    ) -> None:
        self.planned = planned
        self.events = events
        self.sighting = sighting
        self.speeds = speeds
        self.settings = settings
        self.where = where
        self.depot = depot(planned[0].tour.id)
        self.zone = zone

    def arrivals(self, now: datetime) -> list[Arrival]:
        arrived: dict[str, datetime] = {}
        departed: dict[str, datetime] = {}
        current: str | None = None
        for event in self.events:
            if event.arrived and event.stop is not None:
                if current is not None and current != event.stop:
                    departed[current] = event.at  # its leaving was not seen: it is elsewhere
                arrived.setdefault(event.stop, event.at)
                departed.pop(event.stop, None)  # back again: it is there
                current = event.stop
            else:
                # leaving a stop whose arrival GPS missed is a visit all the same
                left = current or event.stop
                if left is not None:
                    departed[left] = event.at
                current = None
        visited = set(arrived) | set(departed)
        basis = self._basis()
        silence = now - basis if basis is not None else None
        silent = silence is not None and silence > timedelta(
            minutes=self.settings.silent_after_minutes
        )
        gone_quiet = silence is not None and silence > timedelta(
            minutes=self.settings.schedule_after_minutes
        )
        here = next((v for v in self.planned if v.stop.id == current), None)
        if here is not None and gone_quiet and now >= here.depart:
            current = None  # silent at a stop long past its time: it will have left by now
        if current is not None and current not in self.where:
            current = None  # a stop the plan does not know: on the road, as far as we can say
        active = [v for v in self.planned if not v.cancelled]
        seen_up_to = max((i for i, v in enumerate(active) if v.stop.id in visited), default=-1)
        ahead = [v for i, v in enumerate(active) if i > seen_up_to and v.stop.id not in visited]
        expected = self._expected(ahead, current, arrived, now)
        rows = []
        for visit in self.planned:
            stop = visit.stop.id
            row = Arrival(
                stop=stop,
                name=visit.stop.name,
                tour=visit.tour.id,
                truck=visit.truck,
                state=State.SCHEDULED,
                planned=visit.arrive,
                planned_depart=visit.depart,
            )
            # what the truck did counts before what was planned: it came although called off
            if stop == current:
                row = replace(row, state=State.HERE, arrived=arrived[stop])
            elif stop in visited:
                row = replace(
                    row,
                    state=State.VISITED,
                    arrived=arrived.get(stop),
                    departed=departed.get(stop),
                )
            elif visit.cancelled:
                row = replace(row, state=State.CANCELLED, reason=visit.reason)
            elif visit not in ahead:
                # passed by for a later stop: it may still come back, until its time is over
                if now >= visit.depart:
                    row = replace(row, state=State.MISSED)
            elif stop in expected:
                row = replace(row, state=State.EXPECTED, expected=expected[stop], basis_at=basis)
            if row.state is State.SCHEDULED and now >= visit.depart:
                row = replace(row, overdue=True)
            if silent and basis is not None and row.state in WAITING:
                row = replace(row, basis_at=basis, silent_for=now - basis)
            rows.append(row)
        return rows

    # --- the prediction -------------------------------------------------------------------

    def _basis(self) -> datetime | None:
        """The time of the truck's latest word today."""
        times = [e.at for e in self.events]
        if self.sighting is not None:
            times.append(self.sighting.at)
        return max(times, default=None)

    def _expected(
        self,
        ahead: list[PlannedVisit],
        current: str | None,
        arrived: dict[str, datetime],
        now: datetime,
    ) -> dict[str, datetime]:
        basis = self._basis()
        if not ahead or basis is None:
            return {}
        if now - basis > timedelta(minutes=self.settings.schedule_after_minutes):
            return {}  # too old to say anything but the plan
        if now - basis > timedelta(minutes=self.settings.silent_after_minutes):
            now = basis  # as of the truck's last word; the board says how old it is
        first = ahead[0]
        if current is not None:
            visit = next((v for v in self.planned if v.stop.id == current), None)
            leave = now
            if visit is not None:
                stay = self._shortest_stay(visit)
                leave = max(visit.depart, arrived[current] + stay, now)
            at = leave + self._drive((current, first.stop.id))
        else:
            at = self._to_next(first, now)
        found: dict[str, datetime] = {}
        previous: PlannedVisit | None = None
        for visit in ahead:
            if previous is not None:
                leave = max(
                    previous.depart, found[previous.stop.id] + self._shortest_stay(previous)
                )
                at = leave + self._drive((previous.stop.id, visit.stop.id))
            found[visit.stop.id] = max(at, visit.arrive)
            previous = visit
        return found

    def _to_next(self, visit: PlannedVisit, now: datetime) -> datetime:
        """When the truck, on the road or not yet set off, arrives at its next stop."""
        last_left = self.events[-1] if self.events and not self.events[-1].arrived else None
        origin = (
            last_left.stop if last_left is not None and last_left.stop else None
        ) or self._previous_stop(visit)
        target = self.where[visit.stop.id]
        sighting = self.sighting
        if sighting is not None and (last_left is None or sighting.at >= last_left.at):
            here = (sighting.lat, sighting.lon)
            if origin == self.depot and distance_m(*here, *self.where[self.depot]) < AT_THE_DEPOT_M:
                return max(now, self._depot_leave()) + self._drive((origin, visit.stop.id))
            speed = self.speeds.of((origin, visit.stop.id))
            left = distance_m(*here, *target) / speed
            return max(sighting.at + timedelta(seconds=left), now)
        if last_left is not None:
            return max(last_left.at + self._drive((origin, visit.stop.id)), now)
        return max(now, self._depot_leave()) + self._drive((origin, visit.stop.id))

    def _previous_stop(self, visit: PlannedVisit) -> str:
        """Where the truck comes to ``visit`` from by the plan: the stop before, or the depot."""
        before = self.depot
        for other in self.planned:
            if other is visit:
                return before
            if not other.cancelled:
                before = other.stop.id
        return before

    def _depot_leave(self) -> datetime:
        """When the truck leaves the depot by the plan."""
        first = self.planned[0]
        leave = time.fromisoformat(first.tour.depot.leave)
        return datetime.combine(first.date, leave, self.zone).astimezone(UTC)

    def _drive(self, leg: Leg) -> timedelta:
        origin, target = leg
        if origin not in self.where or target not in self.where:
            return timedelta()
        metres = distance_m(*self.where[origin], *self.where[target])
        return timedelta(seconds=metres / self.speeds.of(leg))

    def _shortest_stay(self, visit: PlannedVisit) -> timedelta:
        planned = visit.depart - visit.arrive
        share = planned * self.settings.shortest_stay_percent / 100
        return min(planned, max(share, timedelta(minutes=self.settings.shortest_stay_minutes)))


# --- one answer a second for every board that asks ----------------------------------------

_answers: dict[tuple[str, int, int], list[Arrival]] = {}
_answering = threading.Lock()


def arrivals_this_second(
    store: HubStore, plan: TourPlan | None, now: datetime, settings: ArrivalSettings
) -> list[Arrival]:
    """``arrivals_today``, worked out once a second however many boards ask at once (each
    open board looks every second whether its stop's answer changed)."""
    key = (store.url, id(plan), int(now.timestamp()))
    with _answering:
        known = _answers.get(key)
    if known is not None:
        return known
    found = arrivals_today(store, plan, now, settings)
    with _answering:
        if len(_answers) > 16:
            _answers.clear()
        _answers[key] = found
    return found


# --- the usual speeds, learnt once an hour ------------------------------------------------

_learnt: dict[tuple[str, str, int], tuple[float, UsualSpeeds]] = {}
_learning = threading.Lock()


def _speeds(
    store: HubStore, plan: TourPlan, day_start: datetime, settings: ArrivalSettings
) -> UsualSpeeds:
    key = (store.url, day_start.isoformat(), settings.history_weeks)
    with _learning:
        known = _learnt.get(key)
        if known is not None and monotonic() - known[0] < SPEEDS_FOR:
            return known[1]
    since = day_start - timedelta(weeks=settings.history_weeks)
    speeds = usual_speeds(store, plan, since, day_start)
    with _learning:
        if len(_learnt) > 16:
            _learnt.clear()  # yesterday's and other stores': learnt again when asked
        _learnt[key] = (monotonic(), speeds)
    return speeds
