"""``tourkasse truck agent``: the truck's agent as its own process.

It reads the GPS receiver through gpsd, notices arriving at and leaving each stop of the day's
tour, keeps the track and checks the clock — whether the till runs or not. (Syncing with the
hub, when ``[hub] enabled``, runs beside it on its own thread: truck.agent.sync.)
It stops on Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from truck.agent.position import GpsSource, PositionAgent
from truck.agent.sync import Sync
from truck.config import TruckConfig
from truck.devices.gps.fix import GpsState
from truck.devices.gps.gpsd_source import GpsdSource, utc_now
from truck.store import downloads
from truck.store.database import open_database
from truck.store.track import open_track


def run_agent(
    config: TruckConfig,
    *,
    stop: threading.Event,
    source: GpsSource | None = None,
    clock: Callable[[], datetime] = utc_now,
    say: Callable[[str], None] = print,
) -> None:
    """Read fixes until ``stop`` is set; say what happens in German, one line per event."""
    gps = config.gps
    if source is None:
        source = GpsdSource(
            gps.host,
            gps.port,
            timeout=gps.timeout_ms / 1000,
            max_age=timedelta(seconds=gps.max_fix_age_s),
            clock=clock,
        )
    db = open_database(config.paths.journal)
    # the tour plan the till has taken over from the hub, else the configured file; a newer
    # plan reaches stop detection at the agent's next start
    plan = downloads.tour_plan(db, config.tour.file)
    track_db = open_track(config.paths.track)
    zone = ZoneInfo(plan.timezone if plan is not None else "Europe/Berlin")
    agent = PositionAgent(config, db, track_db, plan, clock)
    sync, sync_stop, sync_thread = None, threading.Event(), None
    if config.hub.enabled:
        sync = Sync(config, clock=clock, say=say)
        sync_thread = threading.Thread(target=sync.run, args=(sync_stop,), name="sync")
        sync_thread.start()
    last_state = None
    try:
        while not stop.is_set():
            state, fix = source.read()
            if sync is not None and state is GpsState.FIX and fix is not None:
                sync.position(fix)
            if state is not last_state:
                say(f"GPS: {state.text}")
                last_state = state
            for event in agent.handle(state, fix):
                name = agent.stop_name(event.stop_id)
                what = "Ankunft" if event.kind == "arrival" else "Abfahrt"
                say(f"{event.at.astimezone(zone):%H:%M:%S} {what}: {name}")
            stop.wait(gps.poll_ms / 1000)
    finally:
        sync_stop.set()
        if sync_thread is not None:
            sync_thread.join()
        close = getattr(source, "close", None)
        if close is not None:
            close()
        db.close()
        track_db.close()


def main(config: TruckConfig) -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"Agent für Wagen {config.truck.id} läuft (gpsd {config.gps.host}:{config.gps.port})")
    run_agent(config, stop=stop)
    print("Agent beendet.")
    return 0
