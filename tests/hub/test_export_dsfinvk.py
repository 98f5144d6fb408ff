"""``tourkasse hub export dsfinvk``: the hub's export of a truck's closings is the truck's own.

The truck sells on the real till (SQLite journal, software TSE) and exports; the same journal
bytes go into the hub store (SQLite and PostgreSQL, see conftest.py) and the hub exports the
same closings: the zip files must be identical, byte for byte.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.cli import main as hub_main
from hub.store import open_store
from tests.conftest import TickingClock
from tests.support.dsfinvk_check import check_export
from tests.truck.fiscal.failing_tse import FailingTse
from tests.truck.test_export_dsfinvk import (
    TILL_SERIAL,
    a_truck,
    journal_of,
    three_days_of_selling,
)
from tests.truck.till.test_dsfinvk_outage import MASTER
from tests.truck.till.test_sales import five_line_sale
from tourkasse.protocol import JournalBatch
from truck.cli import main as truck_main
from truck.config import load_truck_config
from truck.fiscal.software_tse import SoftwareTse
from truck.store.database import open_database
from truck.till.till import Till

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def hub_config(folder: Path, url: str) -> Path:
    path = folder / "hub.toml"
    path.write_text(f'timezone = "Europe/Berlin"\n\n[store]\nurl = "{url}"\n', encoding="utf-8")
    return path


def to_hub(url: str, data: list[bytes]) -> None:
    with open_store(url) as store:
        for first in range(0, len(data), 20):
            batch = JournalBatch("T01", tuple(data[first : first + 20]), first + 1)
            outcome = store.accept_batch(batch, received_at=NOW)
            assert outcome.reason is None, outcome


def hub(capsys, config: Path, *args: str) -> tuple[int, str, str]:
    code = hub_main(["export", "dsfinvk", *args, "--config", str(config)])
    out, err = capsys.readouterr()
    return code, out, err


def truck(capsys, path: Path, out: Path, *args: str) -> tuple[int, str, str]:
    out.mkdir(parents=True, exist_ok=True)  # the USB stick, mounted
    code = truck_main(["export", "dsfinvk", "--config", str(path), "--out", str(out), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def sold(tmp_path, catalogue, hub_url) -> Path:
    """A truck with three closings, its journal also in the hub store."""
    path = a_truck(tmp_path / "truck", catalogue)
    three_days_of_selling(path)
    to_hub(hub_url, journal_of(path)[0])
    return path


def test_the_hubs_export_is_byte_for_byte_the_trucks(tmp_path, capsys, hub_url, sold):
    config = hub_config(tmp_path, hub_url)
    usb = tmp_path / "usb"
    assert truck(capsys, sold, usb)[0] == 0
    assert truck(capsys, sold, usb, "--from", "2026-11-25", "--to", "2026-11-26")[0] == 0

    code, out, err = hub(capsys, config, "--truck", "T01", "--out", str(tmp_path / "alle.zip"))

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"DSFinV-K: 3 Tagesabschlüsse 1–3 (2026-11-24 bis 2026-11-26), Kasse {TILL_SERIAL}",
        f"Geschrieben: {tmp_path / 'alle.zip'} (22 Dateien)",
    ]
    trucks_zip = usb / f"dsfinvk_{TILL_SERIAL}_Z1-3.zip"
    assert (tmp_path / "alle.zip").read_bytes() == trucks_zip.read_bytes()
    check_export(tmp_path / "alle.zip", journal_of(sold)[1])

    code, _, _ = hub(
        capsys, config, "--truck", "T01", "--from", "2026-11-25", "--to", "2026-11-26",
        "--out", str(tmp_path / "zwei.zip"),
    )  # fmt: skip
    assert code == 0
    assert (tmp_path / "zwei.zip").read_bytes() == (
        usb / f"dsfinvk_{TILL_SERIAL}_Z2-3.zip"
    ).read_bytes()


def test_bad_input_is_refused_in_german(tmp_path, capsys, hub_url, sold):
    config = hub_config(tmp_path, hub_url)
    out = str(tmp_path / "x.zip")

    assert hub(capsys, config, "--truck", "T99", "--out", out)[::2] == (
        2,
        "Wagen T99 ist der Zentrale unbekannt (bekannt: T01)\n",
    )
    code, _, err = hub(capsys, config, "--truck", "T01", "--from", "2027-01-01", "--out", out)
    assert (code, err) == (
        2,
        "Keine Tagesabschlüsse für Geschäftstage 01.01.2027 bis … (vorhanden: Abschlüsse 1–3, "
        "24.11.2026 bis 26.11.2026)\n",
    )
    code, _, err = hub(capsys, config, "--truck", "T01", "--to", "gestern", "--out", out)
    assert code == 2 and "„gestern“ ist kein Datum" in err
    code, _, err = hub(capsys, config, "--truck", "T01", "--out", str(tmp_path))
    assert code == 2 and err.startswith(f"{tmp_path} ist ein Ordner; bitte eine Datei angeben")
    missing = tmp_path / "fehlt" / "x.zip"
    code, _, err = hub(capsys, config, "--truck", "T01", "--out", str(missing))
    assert (code, err) == (2, f"Ordner {missing.parent} gibt es nicht\n")
    kept = tmp_path / "behalten.txt"
    kept.write_text("nicht überschreiben", encoding="utf-8")
    link = tmp_path / "verweis.zip"
    link.symlink_to(kept)  # renaming the zip into place would replace the link, not write to it
    code, _, err = hub(capsys, config, "--truck", "T01", "--out", str(link))
    assert (code, err) == (
        2,
        f"{link} ist keine gewöhnliche Datei; bitte eine neue Datei angeben\n",
    )
    assert link.is_symlink() and kept.read_text(encoding="utf-8") == "nicht überschreiben"
    broken = tmp_path / "broken.toml"
    broken.write_text('[store]\nurl = "mysql://irgendwo"\n', encoding="utf-8")
    code, _, err = hub(capsys, broken, "--truck", "T01", "--out", out)
    assert code == 2 and err.startswith(f"Fehler in {broken}") and "Traceback" not in err
    assert not Path(out).exists()


def test_older_closings_take_master_data_from_a_truck_config(tmp_path, capsys, catalogue, hub_url):
    path = a_truck(tmp_path / "truck", catalogue)
    config = load_truck_config(path)
    db = open_database(config.paths.journal)
    with SoftwareTse(config.paths.tse) as tse:
        clock = TickingClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))
        older = Till(db, tse, truck="T01", client_id=TILL_SERIAL, clock=clock)  # no master data
        older.sell(five_line_sale(db))
        older.daily_closing({})
    db.close()
    to_hub(hub_url, journal_of(path)[0])
    hub_toml = hub_config(tmp_path, hub_url)
    out = tmp_path / "alt.zip"

    code, _, err = hub(capsys, hub_toml, "--truck", "T01", "--out", str(out))
    assert code == 2
    assert err == (
        "Tagesabschluss 1 (2026-11-24) enthält keine Stammdaten (Unternehmen, Kasse), und es "
        "wurden keine Ersatz-Stammdaten angegeben (Ersatz mit --stammdaten TRUCK.toml)\n"
    )
    code, stdout, err = hub(
        capsys, hub_toml, "--truck", "T01", "--stammdaten", str(path), "--out", str(out)
    )
    assert (code, err) == (0, "")
    assert (
        f"Hinweis: Tagesabschluss 1 (2026-11-24) enthält keine Stammdaten: Unternehmen und Kasse aus {path} übernommen"
        in stdout
    )
    check_export(out, journal_of(path)[1])
    code, _, err = hub(
        capsys, hub_toml, "--truck", "T01", "--stammdaten", str(tmp_path / "nix.toml"), "--out", str(out)
    )  # fmt: skip
    assert (code, err) == (2, f"Stammdaten-Datei {tmp_path / 'nix.toml'} gibt es nicht\n")


def test_a_day_with_a_tse_outage_exports_the_same_on_truck_and_hub(
    tmp_path, capsys, catalogue, hub_url
):
    """The till sells on with the TSE out for two receipts in the middle of the day; one of
    them is voided on the next day. Truck and hub export the same bytes, failures included."""
    path = a_truck(tmp_path / "truck", catalogue)
    config = load_truck_config(path)
    clock = TickingClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))
    db = open_database(config.paths.journal)
    with SoftwareTse(config.paths.tse, clock=clock) as tse:
        failing = FailingTse(tse)
        till = Till(db, failing, truck="T01", client_id=TILL_SERIAL, clock=clock, master=MASTER)
        till.opening_float(10000)  # Bon 1
        till.sell(five_line_sale(db))  # 2: signed
        failing.failing = True
        till.sell(five_line_sale(db))  # 3: TSE out
        till.sell(five_line_sale(db))  # 4: TSE out
        failing.failing = False
        till.sell(five_line_sale(db))  # 5: signed again
        first = till.daily_closing({10000: 1, 5000: 1, 200: 2, 2: 2})  # 100 + 4 × 13,51
        clock.set(datetime(2026, 11, 25, 7, 30, tzinfo=UTC))
        till.void(3)  # 6: the void of a receipt sold in the outage, a closing later
        second = till.daily_closing({10000: 1, 2000: 2, 50: 1, 2: 1, 1: 1})  # 154,04 − 13,51
    db.close()
    data, entries = journal_of(path)
    to_hub(hub_url, data)
    usb = tmp_path / "usb"
    assert truck(capsys, path, usb)[0] == 0

    code, _, err = hub(
        capsys, hub_config(tmp_path, hub_url), "--truck", "T01", "--out", str(tmp_path / "h.zip")
    )

    assert (code, err) == (0, "")
    trucks_zip = usb / f"dsfinvk_{TILL_SERIAL}_Z1-2.zip"
    assert (tmp_path / "h.zip").read_bytes() == trucks_zip.read_bytes()
    tables = check_export(tmp_path / "h.zip", entries)
    failed = {r["BON_ID"] for r in tables["transactions_tse.csv"] if r["TSE_TA_FEHLER"]}
    assert (first.difference, second.difference) == (0, 0)  # counted as worked out by hand
    assert failed == {"3", "4"}
    assert all(
        "TSE ausgefallen" in r["TSE_TA_FEHLER"]
        for r in tables["transactions_tse.csv"]
        if r["BON_ID"] in failed
    )
    (void,) = tables["references.csv"]
    assert (void["BON_ID"], void["REF_BON_ID"], void["REF_Z_NR"]) == ("6", "3", "1")
