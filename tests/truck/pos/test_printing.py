"""Receipts on paper: the bytes a sale sends, and a printer that refuses the connection."""

from __future__ import annotations

from tourkasse.journal import EntryKind
from tourkasse.vat import VatRate
from truck.config import load_truck_config
from truck.devices.printer.simulator import (
    PAPER_NEAR_END,
    PAPER_OUT,
    READY,
    NetworkPrinterSimulator,
)
from truck.fiscal.process_data import parse_process_data
from truck.fiscal.qr import parse_qr_string
from truck.pos.start import make_printer
from truck.store import devices, journal

from .conftest import make_session, scan, sign_on, write_config


async def test_the_receipt_bytes_of_a_sale_with_umlauts_weight_deposit_and_both_rates(
    app, session, scale
):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await scan(pilot, "4006385001010")  # Mineralwasser with its Pfand (19 %)
        await pilot.press(*"1002", "enter")  # Brötchen (7 %)
        scale.place(347)
        await pilot.press(*"2101", "enter")  # Gouda from the scale
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("f8")  # 50 €
        await pilot.pause()
    done = session.last_done
    document, receipt = session.document(done.number)
    data = session.printer.render_bytes(document)
    assert b"Br\x94tchen" in data  # ö in code page 858
    assert b"\xd5" in data  # €
    assert b"\x1bt\x13" in data  # code page 858 selected
    assert b"0,347 kg x 16,90 \xd5/kg" in data  # the weighed line with weight and price per kg
    assert b"  Pfand Einweg" in data  # the deposit under its drink
    assert b"A 19 %" in data and b"B 7 %" in data
    assert b"\x1dV" in data  # cut
    assert b"\x1bp" in data  # the drawer opens for cash
    assert done.signed.tse.qr.encode() in data  # the QR code's payload
    # and what was printed is what the file printer got
    assert data in session.opened.config.printer.path.read_bytes()
    qr = parse_qr_string(done.signed.tse.qr)
    bon_type, gross, payments = parse_process_data(qr.process_data)
    assert bon_type == "Beleg"
    assert gross[VatRate.NORMAL] == receipt.gross_by_rate[VatRate.NORMAL]
    assert gross[VatRate.REDUCED] == receipt.gross_by_rate[VatRate.REDUCED]
    assert payments == [(receipt.total, "Bar")]


async def test_a_printer_that_refuses_the_connection_leaves_the_sale_booked(tmp_path, pos_clock):
    with NetworkPrinterSimulator() as working:
        printer_settings = f'kind = "network"\nhost = "127.0.0.1"\nport = {working.port}'
        config_path = write_config(tmp_path, printer=printer_settings)
        session = make_session(config_path, pos_clock)
        from truck.pos.app import TillApp

        app = TillApp(session)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await sign_on(pilot)
                await pilot.press(*"1002", "enter", "f10")
                await pilot.pause()
                await pilot.press("f9")  # exact
                await pilot.pause()
                first = session.last_done.number
                assert working.recorder.wait_for(lambda r: b"Br\x94tchen" in r.print_data)

                working.refuse_connections()  # the printer is switched off
                await pilot.press(*"1003", "enter", "f10")
                await pilot.pause()
                await pilot.press("f9")
                await pilot.pause()
                second = session.last_done.number
                message = str(app.screen.query_one("#message").render())
                assert f"Bon {second} ist gebucht, aber nicht gedruckt" in message
                assert "Drucker nicht erreichbar" in message
                assert session.unprinted == [second]
                assert "Drucker: Störung" in str(app.screen.query_one("#status").render())
                assert not devices.current(session.opened.db)["printer"].ok

                with NetworkPrinterSimulator() as again:  # switched on again (a new port here)
                    config = load_truck_config(
                        write_config(
                            tmp_path,
                            printer=printer_settings.replace(str(working.port), str(again.port)),
                        )
                    )
                    session.printer = make_printer(config)
                    await pilot.press("f12")
                    await pilot.pause()
                    await pilot.press(*(["down"] * 6), "enter")  # "Offene Bons drucken"
                    await pilot.pause()
                    assert again.recorder.wait_for(lambda r: b"Butterkuchen" in r.print_data)
                    assert session.unprinted == []
                failures = [
                    (e.kind, e.body["device"])
                    for e in journal.entries(session.opened.db)
                    if e.kind in (EntryKind.DEVICE_FAILURE_START, EntryKind.DEVICE_FAILURE_END)
                ]
                assert failures == [
                    (EntryKind.DEVICE_FAILURE_START, "printer"),
                    (EntryKind.DEVICE_FAILURE_END, "printer"),
                ]
                assert first < second
        finally:
            session.opened.close()


async def test_reprint_marks_a_copy_and_void_makes_a_negative_receipt(app, session):
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_on(pilot)
        await pilot.press(*"1002", "enter", "f10")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press(*(["down"] * 5), "enter")  # reprint
        await pilot.pause()
        await pilot.press("enter")  # no number or time: the latest receipts
        await pilot.pause()
        await pilot.press("enter")  # the newest receipt
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press(*(["down"] * 4), "enter")  # void a receipt
        await pilot.pause()
        await pilot.press("1", "enter")  # found by its number
        await pilot.pause()
        await pilot.press("enter", "j")
        await pilot.pause()
        assert "storniert" in str(app.screen.query_one("#message").render())
    printed = session.opened.config.printer.path.read_bytes()
    assert b"*** KOPIE ***" in printed
    assert b"STORNO ZU BON 1" in printed
    assert session.opened.till.figures().turnover == 0
    kinds = [e.kind for e in journal.entries(session.opened.db, kinds=(EntryKind.RECEIPT,))]
    assert len(kinds) == 2


async def test_paper_out_in_the_middle_of_the_day(tmp_path, pos_clock):

    with NetworkPrinterSimulator() as printer:
        settings = f'kind = "network"\nhost = "127.0.0.1"\nport = {printer.port}'
        session = make_session(write_config(tmp_path, printer=settings), pos_clock)
        from truck.pos.app import TillApp

        app = TillApp(session)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await sign_on(pilot)

                async def sell(code: str) -> None:
                    await pilot.press(*code, "enter", "f10")
                    await pilot.pause()
                    await pilot.press("f9")
                    await pilot.pause()
                    await pilot.pause()

                def status() -> str:
                    return str(app.screen.query_one("#status").render())

                printer.recorder.set_status(PAPER_NEAR_END)
                await sell("1002")
                assert "Papier geht zur Neige" in status()  # asked after the receipt

                printer.recorder.set_status(PAPER_OUT)
                await app.screen.poll_printer()  # the periodic question
                assert "Drucker: Störung (Papier leer" in status()
                await sell("1003")
                assert session.unprinted == [session.last_done.number]
                assert b"Butterkuchen" not in printer.recorder.print_data

                printer.recorder.set_status(READY)  # a new roll
                await app.screen.poll_printer()
                assert "Drucker: ok" in status()
                await pilot.press("f12")
                await pilot.pause()
                await pilot.press(*(["down"] * 6), "enter")  # print the pending receipt
                await pilot.pause()
                assert printer.recorder.wait_for(lambda r: b"Butterkuchen" in r.print_data)
                assert session.unprinted == []
        finally:
            session.opened.close()
