"""The TSE's own export (TAR) through the TseExport interface: software TSE and fiskaly.

The fiskaly case runs against the local STAND-IN of fiskaly's API (tests/support/
fiskaly_standin.py), which builds its TAR from the log messages it signed.
"""

from __future__ import annotations

import re
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import TickingClock, example_config_text
from tests.support.fiskaly_standin import API_KEY, API_SECRET, FiskalyStandIn
from truck.config import load_truck_config
from truck.core.basket import Basket
from truck.core.payment import settle
from truck.fiscal.log_message import decode_log_message, verify_log_message
from truck.fiscal.software_tse import SoftwareTse
from truck.fiscal.tse import TseExport, TseUnavailable
from truck.store import articles
from truck.store.articles import replace_articles
from truck.store.database import open_database
from truck.till.till import CashMovement, Till
from truck.till.tse_export import export_tse_tar

CLIENT = "TK-T01-0001"
LOG_NAME = re.compile(
    r"Unixt_(\d+)_Sig-(\d+)_Log-Tra_No-(\d+)_(Start|Update|Finish)_Client-TK-T01-0001\.log"
)


@pytest.fixture
def till_clock() -> TickingClock:
    return TickingClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))


def a_day_of_selling(db, tse, clock) -> int:
    """An opening float, three sales, a void and a cash movement: six signed transactions."""
    till = Till(db, tse, truck="T01", client_id=CLIENT, clock=clock)
    till.opening_float(10000)
    numbers = []
    for quantity in (1, 2, 3):
        basket = Basket()
        found = articles.by_number(db, "1001")
        assert found is not None
        basket.add_article(found, quantity)
        receipt = basket.receipt(settle(basket.total, cash_tendered=basket.total))
        numbers.append(till.sell(receipt).number)
    till.void(numbers[0])
    till.cash_movement(CashMovement.GELDTRANSIT, 500, "zur Bank")
    return 6


def read_export(path: Path, public_key: bytes) -> dict[str, list[int]]:
    """Open the TAR as an auditor would: every log verifies; transaction numbers per kind."""
    assert tarfile.is_tarfile(path)
    found: dict[str, list[int]] = {"Start": [], "Update": [], "Finish": []}
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".log"):
                continue
            match = LOG_NAME.fullmatch(member.name)
            assert match, member.name
            extracted = tar.extractfile(member)
            assert extracted is not None
            message = extracted.read()
            assert verify_log_message(message, public_key), member.name
            log, _ = decode_log_message(message)
            assert int(match[1]) == int(log.log_time.timestamp())
            assert int(match[2]) == log.signature_counter
            assert int(match[3]) == log.transaction_number
            found[match[4]].append(log.transaction_number)
    return found


def test_software_tse_export_holds_one_verifying_log_per_signed_transaction(
    tmp_path, catalogue, till_clock
):
    db = open_database(tmp_path / "journal.sqlite")
    replace_articles(db, catalogue.articles, catalogue.departments)
    with SoftwareTse(tmp_path / "tse", create=True) as tse:
        signed = a_day_of_selling(db, tse, till_clock)
        assert isinstance(tse, TseExport)
        out = tmp_path / "usb"
        out.mkdir()
        path = tse.export_tar(out)
        public_key = tse.info().public_key
        serial = tse.info().serial_number
    db.close()

    assert path.parent == out and path.name.startswith(f"tse-export-{serial[:16]}-")
    found = read_export(path, public_key)
    assert sorted(found["Finish"]) == list(range(1, signed + 1))
    assert sorted(found["Start"]) == list(range(1, signed + 1))
    with tarfile.open(path) as tar:
        names = tar.getnames()
        info = tar.extractfile("info.csv")
        assert info is not None
        assert "nicht zertifiziert" in info.read().decode("utf-8")
    assert f"{serial}_public_key.pem" in names


def test_fiskaly_export_via_standin_is_fetched_and_its_logs_verify(
    tmp_path, catalogue, till_clock, fiskaly
):
    tse = fiskaly.tse()
    signed = a_day_of_selling(fiskaly.db, tse, till_clock)
    out = tmp_path / "usb"
    out.mkdir()

    path = tse.export_tar(out)

    found = read_export(path, fiskaly.standin.public_key(fiskaly.tss_id))
    assert sorted(found["Finish"]) == list(range(1, signed + 1))
    # fiskaly builds an export in its own time: the client asked until it was COMPLETED.
    assert fiskaly.standin.count("GET", r"/tss/[^/]+/export/[^/]+") == 2
    assert len(fiskaly.pauses) == 2


def test_export_tse_tar_from_the_config_for_the_software_tse(tmp_path, catalogue, till_clock):
    path = tmp_path / "truck.toml"
    path.write_text(example_config_text(), encoding="utf-8")
    config = load_truck_config(path)
    with pytest.raises(TseUnavailable, match="tse init"):
        export_tse_tar(config, tmp_path / "usb")  # no TSE set up yet: said plainly
    db = open_database(config.paths.journal)
    replace_articles(db, catalogue.articles, catalogue.departments)
    with SoftwareTse(config.paths.tse, create=True) as tse:
        a_day_of_selling(db, tse, till_clock)
        public_key = tse.info().public_key
    db.close()

    exported = export_tse_tar(config, tmp_path / "usb" / "tse")

    assert exported.parent == tmp_path / "usb" / "tse"
    assert len(read_export(exported, public_key)["Finish"]) == 6


def test_export_tse_tar_from_the_config_for_fiskaly(tmp_path, catalogue, till_clock):
    with FiskalyStandIn() as standin:
        tss_id, client_id = standin.ready_tss(CLIENT)
        standin.export_polls = 0  # ready at once: this client would really pause between polls
        text = example_config_text().replace(
            'kind = "software"\n',
            f'kind = "fiskaly"\nbase_url = "{standin.base_url}"\napi_key = "{API_KEY}"\n'
            f'api_secret = "{API_SECRET}"\ntss_id = "{tss_id}"\nclient_id = "{client_id}"\n',
        )
        path = tmp_path / "truck.toml"
        path.write_text(text, encoding="utf-8")
        config = load_truck_config(path)

        exported = export_tse_tar(config, tmp_path / "usb")

        with tarfile.open(exported) as tar:
            assert tar.getnames() == []  # nothing signed yet: an empty, valid TAR


def test_fiskaly_export_via_standin_out_of_reach_says_so(tmp_path, fiskaly):
    tse = fiskaly.tse(retries=0)
    tse.self_test()
    fiskaly.standin.down()
    with pytest.raises(TseUnavailable, match="fiskaly antwortet nicht"):
        tse.export_tar(tmp_path)
    assert list(tmp_path.glob("*.tar")) == []
