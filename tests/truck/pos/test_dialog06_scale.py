"""The till with a Dialog 06 scale on a pseudo-terminal: statuses, and the scale unplugged and
plugged in again while the till runs."""

from __future__ import annotations

from tourkasse.journal import EntryKind
from truck.devices.scale.dialog06_simulator import Dialog06Simulator
from truck.pos.app import TillApp
from truck.pos.screens.dialogs import WeighAgain
from truck.store import journal

from .conftest import make_session, sign_on, write_config


def scale_config(directory, protocol: str, device: str):
    """The example config with a serial scale of ``protocol`` on ``device``."""
    config = write_config(directory)
    text = config.read_text(encoding="utf-8").replace(
        'protocol = "simulated"', f'protocol = "{protocol}"\ndevice = "{device}"'
    )
    config.write_text(text, encoding="utf-8")
    return config


async def weigh_gouda(pilot, app) -> str:
    """Gouda by its PLU goes on the scale; the message line says how it went."""
    await pilot.press(*"2101", "enter")
    await pilot.pause()
    return message(app)


def message(app) -> str:
    """The sale screen's message line, also while a dialog is open above it."""
    sale = next(screen for screen in app.screen_stack if screen.query("#message"))
    return str(sale.query_one("#message").render())


async def test_weighing_on_a_dialog06_scale_that_vanishes_and_returns(tmp_path, pos_clock):
    with Dialog06Simulator() as scale:
        config = scale_config(tmp_path, "dialog06", scale.device)
        session = make_session(config, pos_clock, scale_from_config=True)
        app = TillApp(session)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await sign_on(pilot)

                scale.weight = 347
                await weigh_gouda(pilot, app)
                assert [(line.quantity, line.total) for line in session.basket_lines] == [
                    (347, 586)
                ]

                scale.statuses.append("21")  # lift and place again
                assert "Gewicht unverändert" in await weigh_gouda(pilot, app)
                dialog = app.screen
                assert isinstance(dialog, WeighAgain)
                assert "Gewicht unverändert — bitte neu auflegen" in dialog.message
                await pilot.press("escape")  # not now
                await pilot.pause()
                assert "Nicht gewogen" in message(app)
                assert len(session.basket_lines) == 1  # nothing half-weighed

                scale.statuses.extend(["32", "30"])  # overload, then too little: then right
                await weigh_gouda(pilot, app)
                assert "Überlast" in app.screen.message
                await pilot.press("enter")  # weigh again
                await pilot.pause()
                assert "Unter Mindestlast" in app.screen.message
                assert len(session.basket_lines) == 1
                scale.weight = 250
                await pilot.press("enter")
                await pilot.pause()
                assert not isinstance(app.screen, WeighAgain)
                assert [line.quantity for line in session.basket_lines] == [347, 250]
                await pilot.press("f4")  # the second Gouda was for the next customer
                await pilot.pause()

                scale.silent = True  # unplugged
                assert "Waage nicht verbunden" in await weigh_gouda(pilot, app)
                assert "Waage: Störung" in str(app.screen.query_one("#status").render())
                await pilot.press(*"1002", "enter")  # everything else keeps selling
                await pilot.pause()
                assert len(session.basket_lines) == 2

                scale.silent = False  # plugged in again: no restart
                scale.weight = 120
                await weigh_gouda(pilot, app)
                assert session.basket_lines[-1].quantity == 120
                assert "Waage: ok" in str(app.screen.query_one("#status").render())
            faults = [
                e.kind
                for e in journal.entries(session.opened.db)
                if e.kind in (EntryKind.DEVICE_FAILURE_START, EntryKind.DEVICE_FAILURE_END)
            ]
            assert faults == [EntryKind.DEVICE_FAILURE_START, EntryKind.DEVICE_FAILURE_END]
        finally:
            session.opened.close()


async def test_a_weight_only_scale_prices_only_where_the_till_may_compute(tmp_path, pos_clock):
    from tourkasse.receipt import Receipt
    from truck.devices.scale.toledo8217_simulator import Toledo8217Simulator

    for allowed in (False, True):
        with Toledo8217Simulator() as scale:
            workdir = tmp_path / str(allowed)
            workdir.mkdir()
            config = scale_config(workdir, "toledo8217", scale.device)
            text = config.read_text(encoding="utf-8").replace(
                "till_computed_price = false", f"till_computed_price = {str(allowed).lower()}"
            )
            config.write_text(text, encoding="utf-8")
            session = make_session(config, pos_clock, scale_from_config=True)
            app = TillApp(session)
            try:
                async with app.run_test(size=(80, 24)) as pilot:
                    await sign_on(pilot)
                    scale.grams = 347
                    await pilot.press(*"2101", "enter")
                    await pilot.pause()
                    if not allowed:
                        assert session.basket_lines == ()
                        assert "nicht aus dem Gewicht berechnen" in str(
                            app.screen.query_one("#message").render()
                        )
                        continue
                    assert session.basket_lines, str(app.screen.query_one("#message").render())
                    (line,) = session.basket_lines
                    assert (line.quantity, line.total) == (347, 586)
                    await pilot.press("f10")
                    await pilot.pause()
                    await pilot.press("f9")
                    await pilot.pause()
                entry = journal.last_of(session.opened.db, EntryKind.RECEIPT)
                stored = Receipt.from_dict(entry.body["receipt"])
                assert stored.lines[0].weighing.till_computed is True  # marked in the journal
            finally:
                session.opened.close()


async def test_a_serial_scanner_rings_up_on_the_sale_screen(tmp_path, pos_clock):
    import os
    import pty
    import tty

    master, slave = pty.openpty()
    tty.setraw(slave)
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        'kind = "keyboard"', f'kind = "serial"\ndevice = "{os.ttyname(slave)}"'
    )
    config.write_text(text, encoding="utf-8")
    session = make_session(config, pos_clock)
    app = TillApp(session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_on(pilot)
            os.write(master, b"4006381001014\r\n")
            for _ in range(100):  # the scanner's thread hands the code over: wait for the line
                if session.basket_lines:
                    break
                await pilot.pause(0.02)
            assert [line.text for line in session.basket_lines] == ["Landbrot 1000 g"]
    finally:
        session.opened.close()
        os.close(master)
        os.close(slave)


async def test_the_scale_adapter_pulled_out_and_plugged_back_while_the_till_runs(
    tmp_path, pos_clock
):
    link = tmp_path / "tourkasse-scale"
    first = Dialog06Simulator(link=link)
    config = scale_config(tmp_path, "dialog06", link)
    session = make_session(config, pos_clock, scale_from_config=True)
    app = TillApp(session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_on(pilot)

            first.weight = 300
            await weigh_gouda(pilot, app)
            assert len(session.basket_lines) == 1

            first.close()  # the adapter is pulled out: the device is gone
            assert "Waage nicht verbunden" in await weigh_gouda(pilot, app)
            assert "nicht verbunden" in await weigh_gouda(pilot, app)  # and stays gone, no crash

            with Dialog06Simulator(link=link) as second:  # plugged back in
                second.weight = 450
                await weigh_gouda(pilot, app)
                assert session.basket_lines[-1].quantity == 450
    finally:
        session.opened.close()
