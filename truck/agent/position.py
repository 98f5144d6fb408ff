"""The agent's GPS side: fixes → stops in the journal, the track, the clock check.

It works with or without the till running and with or without network: everything it learns
goes into the journal (stop arrivals and departures, clock corrections) or the track file. An
entry that cannot be written yet (the clock is behind the journal) waits and is written later;
nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from tourkasse.journal import EntryKind
from tourkasse.tour import TourPlan
from truck.config import TruckConfig
from truck.core.clock import judge
from truck.core.stops import Geofence, Sighting, StopDetector, StopEvent
from truck.devices.gps.fix import Fix, GpsState
from truck.store import devices, journal, stops, track
from truck.store.journal import ClockBehindJournal


class GpsSource(Protocol):
    def read(self) -> tuple[GpsState, Fix | None]: ...


@dataclass
class _Pending:
    kind: EntryKind
    body: dict[str, Any]


@dataclass
class PositionAgent:
    config: TruckConfig
    db: Database
    track_db: Database
    plan: TourPlan | None
    clock: Callable[[], datetime]
    _detector: StopDetector | None = None
    _day: date | None = None
    _names: dict[str, tuple[str, str]] = field(default_factory=dict)  # stop id → (name, tour)
    _last_fix: datetime | None = None
    _last_track: datetime | None = None
    _last_prune: datetime | None = None
    _pending: list[_Pending] = field(default_factory=list)
    _reported: GpsState | None = None
    _clock_reported: tuple[bool, str] | None = None
    clock_message: str = ""

    def handle(self, state: GpsState, fix: Fix | None) -> list[StopEvent]:
        """One reading of the receiver; returns the stop events it brought."""
        self._report(state)
        self._write_pending()
        if state is not GpsState.FIX or fix is None:
            return []
        if self._last_fix is not None and fix.time <= self._last_fix:
            return []
        self._last_fix = fix.time
        events = self._detect(fix)
        self._sample_track(fix)
        if self.config.gps.clock_check:
            self._check_clock(fix)
        self._write_pending()
        return events

    def stop_name(self, stop_id: str) -> str:
        return self._names.get(stop_id, (stop_id, ""))[0]

    # --- stops --------------------------------------------------------------------------

    def _detect(self, fix: Fix) -> list[StopEvent]:
        if self.plan is None:
            return []
        local_day = fix.time.astimezone(ZoneInfo(self.plan.timezone)).date()
        if local_day != self._day:
            self._start_day(local_day)
        assert self._detector is not None
        events = self._detector.feed(Sighting(fix.time, fix.lat, fix.lon, fix.speed))
        for event in events:
            name, tour = self._names[event.stop_id]
            kind = EntryKind.STOP_ARRIVAL if event.kind == "arrival" else EntryKind.STOP_DEPARTURE
            body = {
                "stop": event.stop_id,
                "name": name,
                "tour": tour,
                "gps_time": event.at.isoformat(),
            }
            self._pending.append(_Pending(kind, body))
        return events

    def _start_day(self, day: date) -> None:
        """The stops of this truck's tour today; on a day without one, every known stop."""
        assert self.plan is not None
        stops_today = self.plan.watched_stops(day, self.config.truck.id)
        self._names = {stop.id: (stop.name, tour) for stop, tour in stops_today}
        fences = [Geofence(stop.id, stop.lat, stop.lon, stop.radius_m) for stop, _ in stops_today]
        where = stops.latest(self.db)
        at_stop = where.stop_id if where is not None and where.source == "gps" else None
        self._detector = StopDetector(fences, at_stop=at_stop)
        self._day = day

    # --- track and clock ------------------------------------------------------------------

    def _sample_track(self, fix: Fix) -> None:
        every = timedelta(seconds=self.config.gps.track_every_s)
        if self._last_track is None or fix.time - self._last_track >= every:
            track.add(self.track_db, track.TrackPoint(fix.time, fix.lat, fix.lon, fix.speed))
            self._last_track = fix.time
        now = self.clock()
        if self._last_prune is None or now - self._last_prune >= timedelta(hours=1):
            retention = timedelta(days=self.config.gps.track_retention_days)
            track.prune(self.track_db, now=now, retention=retention)
            self._last_prune = now

    def _check_clock(self, fix: Fix) -> None:
        last = journal.tail(self.db)
        verdict = judge(
            self.clock(),
            fix.time,
            last.at,
            timedelta(seconds=self.config.gps.clock_tolerance_s),
        )
        self.clock_message = verdict.message
        ok = verdict.kind != "clock_wrong"
        shown = (ok, "bereit" if ok else verdict.message)
        if shown != self._clock_reported:
            self._clock_reported = shown
            devices.report(
                self.db,
                truck=self.config.truck.id,
                device="clock",
                ok=shown[0],
                message=shown[1],
                clock=self.clock,
                journal_changes=False,
            )
        if verdict.kind == "journal_ahead":
            journal.append(
                self.db,
                truck=self.config.truck.id,
                kind=EntryKind.CLOCK_CORRECTION,
                body={
                    "source": "gps",
                    "journal_last": last.at.isoformat(),
                    "gps_time": fix.time.isoformat(),
                },
                clock=self.clock,
            )

    # --- journal ----------------------------------------------------------------------------

    def _write_pending(self) -> None:
        while self._pending:
            item = self._pending[0]
            try:
                stops.record(
                    self.db,
                    truck=self.config.truck.id,
                    kind=item.kind,
                    body=item.body,
                    clock=self.clock,
                )
            except ClockBehindJournal:
                return  # written once the clock is right again (or corrected)
            self._pending.pop(0)

    def _report(self, state: GpsState) -> None:
        if state is self._reported:
            return  # unchanged: no write for every reading
        self._reported = state
        truck = self.config.truck.id
        devices.report(
            self.db,
            truck=truck,
            device="gps",
            ok=state is GpsState.FIX,
            message="bereit" if state is GpsState.FIX else state.text,
            clock=self.clock,
            journal_changes=False,  # no fix in a forest is not a failure of anything
        )
        devices.report(
            self.db,
            truck=truck,
            device="gpsd",
            ok=state is not GpsState.GPSD_DOWN,
            message="bereit" if state is not GpsState.GPSD_DOWN else state.text,
            clock=self.clock,
        )
