"""On the screen: a clock behind the journal blocks signing on with a clear message, and GPS
time, through the agent, unblocks it without anyone touching the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import TickingClock
from tests.truck.pos.conftest import make_session, sign_on, write_config
from tourkasse.journal import EntryKind
from truck.agent.position import PositionAgent
from truck.devices.gps.fix import Fix, GpsState
from truck.pos.app import TillApp
from truck.pos.screens.signon import SignOnScreen
from truck.store import journal
from truck.store.track import open_track

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


async def test_gps_time_unblocks_a_till_whose_journal_ran_ahead(tmp_path):
    clock = TickingClock(NOW + timedelta(hours=2))  # the clock ran two hours ahead yesterday …
    session = make_session(write_config(tmp_path), clock)
    session.sign_on("7", "1234")
    session.sign_off()
    clock.set(NOW)  # … and is right again this morning: the journal lies in the future
    config = session.opened.config
    track_db = open_track(config.paths.track)
    agent = PositionAgent(config, session.opened.db, track_db, None, clock)
    app = TillApp(session)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_on(pilot)
            assert isinstance(app.screen, SignOnScreen)
            message = str(app.screen.query_one("#message").render())
            assert "Die Uhr der Kasse geht nach" in message
            assert "Verkauf gesperrt" in message and "F9" in message

            # the agent gets a fix: GPS agrees with the clock, so the journal ran ahead
            agent.handle(GpsState.FIX, Fix(NOW, 51.4441, 9.6602, 0.0, 0.0, 3))
            kinds = [e.kind for e in journal.entries(session.opened.db)]
            assert kinds[-1] is EntryKind.CLOCK_CORRECTION

            await pilot.press("enter")  # number and PIN are still there: sign on again
            await pilot.pause()
            assert not isinstance(app.screen, SignOnScreen)  # selling again
    finally:
        track_db.close()
        session.opened.close()
