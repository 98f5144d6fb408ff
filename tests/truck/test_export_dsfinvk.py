"""``tourkasse truck export dsfinvk`` as the person at the truck runs it for a tax auditor."""

from __future__ import annotations

import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import TickingClock, example_config_text
from tests.support.dsfinvk_check import check_export
from tests.truck.till.test_sales import five_line_sale
from tourkasse.dsfinvk import read_journal
from truck.cli import main
from truck.config import load_truck_config
from truck.fiscal.software_tse import SoftwareTse
from truck.store.articles import replace_articles
from truck.store.database import open_database
from truck.till.opening import open_till
from truck.till.till import CashMovement, Till

TILL_SERIAL = "TK-T01-0001"  # of config/truck.example.toml


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def a_truck(folder: Path, catalogue) -> Path:
    """The example config in ``folder``, its software TSE set up and its articles read in."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "truck.toml"
    path.write_text(example_config_text(), encoding="utf-8")
    config = load_truck_config(path)
    SoftwareTse(config.paths.tse, create=True).close()
    db = open_database(config.paths.journal)
    replace_articles(db, catalogue.articles, catalogue.departments)
    db.close()
    return path


def three_days_of_selling(path: Path) -> None:
    """Three closings on 24., 25. and 26.11.2026; on the 25th receipt 2 of the 24th is voided."""
    clock = TickingClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))
    for day in (24, 25, 26):
        clock.set(datetime(2026, 11, day, 7, 30, tzinfo=UTC))
        opened = open_till(load_truck_config(path), clock=clock)
        try:
            till = opened.till
            if day == 24:
                till.opening_float(10000)
            till.sell(five_line_sale(opened.db))
            if day == 25:
                till.void(2)
                till.cash_movement(CashMovement.GELDTRANSIT, 5000, "zur Bank")
            till.daily_closing({2000: 5})  # 100,00 € counted, whatever was expected
        finally:
            opened.close()


def journal_of(path: Path):
    db = open_database(load_truck_config(path).paths.journal)
    try:
        data = [bytes(row[0]) for row in db.execute("SELECT data FROM journal ORDER BY seq")]
    finally:
        db.close()
    return data, read_journal(data, truck="T01")


def test_the_export_goes_onto_the_stick_as_folder_and_zip(tmp_path, capsys, catalogue):
    path = a_truck(tmp_path / "truck", catalogue)
    three_days_of_selling(path)
    usb = tmp_path / "usb"
    usb.mkdir()  # the USB stick, mounted

    code, out, err = run(capsys, "export", "dsfinvk", "--config", str(path), "--out", str(usb))

    assert (code, err) == (0, "")
    name = f"dsfinvk_{TILL_SERIAL}_Z1-3"
    assert out.splitlines() == [
        f"DSFinV-K: 3 Tagesabschlüsse 1–3 (2026-11-24 bis 2026-11-26), Kasse {TILL_SERIAL}",
        f"Geschrieben: {usb / name}/ (22 Dateien) und {usb / name}.zip",
    ]
    _, entries = journal_of(path)
    tables = check_export(usb / name, entries)
    check_export(usb / f"{name}.zip", entries)
    with zipfile.ZipFile(usb / f"{name}.zip") as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == {
            p.name: p.read_bytes() for p in (usb / name).iterdir()
        }
    (company,) = {row["NAME"] for row in tables["cashpointclosing.csv"]}
    assert company == load_truck_config(path).shop.name  # from the closing entries
    (ref,) = tables["references.csv"]
    assert (ref["Z_NR"], ref["REF_Z_NR"], ref["REF_BON_ID"]) == ("2", "1", "2")


def test_closings_by_day_or_number(tmp_path, capsys, catalogue):
    path = a_truck(tmp_path / "truck", catalogue)
    three_days_of_selling(path)
    usb = tmp_path / "usb"
    usb.mkdir()  # the USB stick, mounted
    config = ("--config", str(path), "--out", str(usb))

    code, out, _ = run(
        capsys, "export", "dsfinvk", *config, "--from", "2026-11-25", "--to", "2026-11-25"
    )
    assert code == 0 and out.startswith("DSFinV-K: Tagesabschluss 2 (2026-11-25)")
    by_day = (usb / f"dsfinvk_{TILL_SERIAL}_Z2.zip").read_bytes()
    code, out, _ = run(capsys, "export", "dsfinvk", *config, "--z-from", "2", "--z-to", "2")
    assert code == 0
    assert (usb / f"dsfinvk_{TILL_SERIAL}_Z2.zip").read_bytes() == by_day  # the same bytes again
    code, out, _ = run(capsys, "export", "dsfinvk", *config, "--z-from", "2")
    assert code == 0 and "2 Tagesabschlüsse 2–3" in out


def test_bad_input_is_refused_in_german(tmp_path, capsys, catalogue):
    path = a_truck(tmp_path / "truck", catalogue)
    usb = tmp_path / "usb"
    usb.mkdir()  # the USB stick, mounted
    config = ("--config", str(path), "--out", str(usb))

    code, _, err = run(capsys, "export", "dsfinvk", *config)
    assert code == 1 and "Das Journal enthält noch keinen Tagesabschluss" in err
    three_days_of_selling(path)
    code, _, err = run(capsys, "export", "dsfinvk", *config, "--from", "2026-12-01")
    assert code == 1
    assert err == (
        "Abgelehnt: Keine Tagesabschlüsse für Geschäftstage 01.12.2026 bis … (vorhanden: "
        "Abschlüsse 1–3, 24.11.2026 bis 26.11.2026)\n"
    )
    code, _, err = run(capsys, "export", "dsfinvk", *config, "--to", "26.11.2026")
    assert (code, err) == (
        1,
        "Abgelehnt: --to: „26.11.2026“ ist kein Datum (erwartet JJJJ-MM-TT, z. B. 2026-11-24)\n",
    )
    code, _, err = run(capsys, "export", "dsfinvk", *config, "--z-from", "drei")
    assert code == 1 and "„drei“ ist keine Abschlussnummer" in err
    code, _, err = run(capsys, "export", "dsfinvk", *config, "--z-from", "3", "--z-to", "1")
    assert code == 1 and "--z-from ist größer als --z-to" in err
    a_file = tmp_path / "datei"
    a_file.write_text("kein Ordner", encoding="utf-8")
    code, _, err = run(capsys, "export", "dsfinvk", "--config", str(path), "--out", str(a_file))
    assert (code, err) == (1, f"Abgelehnt: {a_file} ist eine Datei, kein Ordner\n")
    unmounted = tmp_path / "media" / "usb"  # the stick not plugged in: nothing made instead
    code, _, err = run(capsys, "export", "dsfinvk", "--config", str(path), "--out", str(unmounted))
    assert (code, err) == (
        1,
        f"Abgelehnt: Ordner {unmounted} gibt es nicht – ist der USB-Stick eingesteckt und "
        "eingebunden?\n",
    )
    assert not unmounted.exists()
    read_only = tmp_path / "schreibgeschuetzt"
    read_only.mkdir(mode=0o555)
    if os.geteuid() != 0:  # root may write anywhere: then the refusal cannot be seen this way
        code, _, err = run(
            capsys, "export", "dsfinvk", "--config", str(path), "--out", str(read_only)
        )
        assert code == 1 and "nicht beschreibbar (keine Schreibrechte)" in err
    broken = tmp_path / "broken.toml"
    broken.write_text(
        path.read_text(encoding="utf-8").replace("[shop]", "[shop]\npostcode = 1"), encoding="utf-8"
    )
    code, _, err = run(capsys, "export", "dsfinvk", "--config", str(broken), "--out", str(usb))
    assert code == 2 and err.startswith(f"Fehler in {broken}")


def test_closings_from_before_master_data_take_the_config_and_say_so(tmp_path, capsys, catalogue):
    path = a_truck(tmp_path / "truck", catalogue)
    config = load_truck_config(path)
    db = open_database(config.paths.journal)
    tse = SoftwareTse(config.paths.tse)
    clock = TickingClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))
    older = Till(db, tse, truck="T01", client_id=TILL_SERIAL, clock=clock)  # no master data
    older.sell(five_line_sale(db))
    older.daily_closing({})
    tse.close()
    db.close()

    (tmp_path / "usb").mkdir()
    code, out, err = run(
        capsys, "export", "dsfinvk", "--config", str(path), "--out", str(tmp_path / "usb")
    )

    assert (code, err) == (0, "")
    assert (
        f"Hinweis: Tagesabschluss 1 (2026-11-24) enthält keine Stammdaten: Unternehmen und Kasse "
        f"aus der Konfiguration {path} übernommen"
    ) in out.splitlines()
    check_export(tmp_path / "usb" / f"dsfinvk_{TILL_SERIAL}_Z1", journal_of(path)[1])


def test_the_command_as_typed_at_the_truck(tmp_path, catalogue):
    """Through the installed entry point, as staff would type it: no traceback, German."""
    import subprocess
    import sys

    path = a_truck(tmp_path / "truck", catalogue)
    three_days_of_selling(path)
    usb = tmp_path / "usb"
    usb.mkdir()  # the USB stick, mounted
    command = [
        sys.executable,
        "-m",
        "tourkasse",
        "truck",
        "export",
        "dsfinvk",
        "--config",
        str(path),
    ]
    done = subprocess.run([*command, "--out", str(usb)], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert (usb / f"dsfinvk_{TILL_SERIAL}_Z1-3.zip").is_file()
    done = subprocess.run(
        [*command, "--out", str(usb), "--z-from", "9"], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Abgelehnt: Keine Tagesabschlüsse für Abschlüsse 9 bis …")
