"""kind = "fiskaly" in the truck's config: its keys, German errors, make_tse, and the setup.

The till is opened from a config file pointing at the local STAND-IN of fiskaly's API
(tests/support/fiskaly_standin.py), since fiskaly itself is a cloud service out of reach here.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.conftest import example_config_text
from tests.support.fiskaly_standin import API_KEY, API_SECRET, FiskalyStandIn
from tourkasse.config import ConfigError
from tourkasse.journal import EntryKind
from truck.config import TruckConfig, load_truck_config
from truck.core.basket import Basket
from truck.core.payment import settle
from truck.fiscal.fiskaly import FiskalyTse
from truck.fiscal.fiskaly_http import FiskalyHttp
from truck.fiscal.fiskaly_setup import set_up_tss
from truck.fiscal.log_message import verify_signature
from truck.fiscal.tse import TseError
from truck.store import articles, journal
from truck.store.articles import replace_articles
from truck.till.opening import make_tse, open_till, wall_clock
from truck.till.tse_setup import set_up_fiskaly

SOFTWARE_TSE = 'kind = "software"\ncurve = "P-256"               # oder "P-384" (nur software)\n'


def config_with(tmp_path: Path, tse_lines: str) -> Path:
    text = example_config_text()
    assert SOFTWARE_TSE in text
    path = tmp_path / "truck.toml"
    path.write_text(text.replace(SOFTWARE_TSE, tse_lines), encoding="utf-8")
    return path


def fiskaly_lines(base_url: str, tss_id: str, client_id: str) -> str:
    return (
        f'kind = "fiskaly"\nbase_url = "{base_url}"\napi_key = "{API_KEY}"\n'
        f'api_secret = "{API_SECRET}"\ntss_id = "{tss_id}"\nclient_id = "{client_id}"\n'
        "timeout_ms = 2000\nretries = 0\n"
    )


def test_fiskaly_without_its_keys_is_refused_in_german(tmp_path):
    path = config_with(tmp_path, 'kind = "fiskaly"\ntss_id = "keine-uuid"\n')
    with pytest.raises(ConfigError) as caught:
        load_truck_config(path)
    found = {problem.key: problem.message for problem in caught.value.problems}
    assert found["tse.tss_id"].startswith("erwartet eine UUID")
    # The missing keys are reported once the present ones are valid.
    path = config_with(tmp_path, f'kind = "fiskaly"\ntss_id = "{uuid.uuid4()}"\n')
    with pytest.raises(ConfigError) as caught:
        load_truck_config(path)
    found = {problem.key: problem.message for problem in caught.value.problems}
    assert set(found) == {"tse.api_key", "tse.api_secret", "tse.client_id"}
    assert found["tse.api_key"] == 'fehlt – wird für kind = "fiskaly" gebraucht'


def test_the_software_tse_needs_no_fiskaly_keys(tmp_path):
    config = load_truck_config(config_with(tmp_path, 'kind = "software"\n'))
    assert config.tse.kind == "software" and config.tse.api_key is None


def test_setup_creates_initialises_and_registers_the_till_at_the_standin(tmp_path):
    with FiskalyStandIn() as standin:
        http = FiskalyHttp(standin.base_url, API_KEY, API_SECRET)
        tss_id, client_id = str(uuid.uuid4()), str(uuid.uuid4())
        done = set_up_tss(
            http,
            tss_id=tss_id,
            client_id=client_id,
            client_serial="TK-T01-0001",
            admin_pin="246813",
        )
        assert done.admin_puk  # shown once: the operator must note it down
        assert standin.tss[tss_id]["state"] == "INITIALIZED"
        assert standin.clients[client_id]["serial_number"] == "TK-T01-0001"
        again = set_up_tss(
            http,
            tss_id=tss_id,
            client_id=client_id,
            client_serial="TK-T01-0001",
            admin_pin="246813",
        )
        assert again.serial_number == done.serial_number and again.admin_puk is None
        with pytest.raises(TseError, match="Admin"):
            set_up_tss(
                http,
                tss_id=tss_id,
                client_id=client_id,
                client_serial="TK-T01-0001",
                admin_pin="falsch1",
            )

        config = load_truck_config(
            config_with(tmp_path, fiskaly_lines(standin.base_url, tss_id, client_id))
        )
        tse = make_tse(config, wall_clock)
        try:
            assert isinstance(tse, FiskalyTse)
            tse.self_test()
            assert tse.info().serial_number == done.serial_number
            assert tse.info().certified
        finally:
            tse.close()


def test_the_till_opened_from_a_fiskaly_config_signs_and_sells_on_without_network(
    tmp_path, catalogue
):
    with FiskalyStandIn() as standin:
        tss_id, client_id = standin.ready_tss("TK-T01-0001")
        config: TruckConfig = load_truck_config(
            config_with(tmp_path, fiskaly_lines(standin.base_url, tss_id, client_id))
        )
        shop = open_till(config)
        try:
            replace_articles(shop.db, catalogue.articles, catalogue.departments)
            signed = shop.till.sell(bread(shop.db)).signed.tse
            assert not signed.failed and signed.certified
            _, finished = shop.tse.transaction_state(signed.transaction_number or 0)
            assert finished is not None and verify_signature(finished)
        finally:
            shop.close()
        standin.down()  # the truck drives into a dead zone and the till is restarted there
        shop = open_till(config)
        try:
            done = shop.till.sell(bread(shop.db))
            assert done.signed.tse.failed
            assert done.signed.tse.description == "fiskaly SIGN DE (Cloud-TSE)"
            assert EntryKind.TSE_FAILURE_START in [e.kind for e in journal.entries(shop.db)]
        finally:
            shop.close()


def bread(db):
    basket = Basket()
    found = articles.by_number(db, "1001")
    assert found is not None
    basket.add_article(found)
    return basket.receipt(settle(basket.total, cash_tendered=basket.total))


def test_set_up_fiskaly_from_the_config_then_the_till_signs(tmp_path, catalogue):
    with FiskalyStandIn() as standin:
        tss_id, client_id = str(uuid.uuid4()), str(uuid.uuid4())
        lines = fiskaly_lines(standin.base_url, tss_id, client_id)
        without_pin = load_truck_config(config_with(tmp_path, lines))
        with pytest.raises(TseError, match="admin_pin fehlt"):
            set_up_fiskaly(without_pin)
        config = load_truck_config(config_with(tmp_path, lines + 'admin_pin = "135792"\n'))

        done = set_up_fiskaly(config)

        assert done.admin_puk and done.client_id == client_id
        shop = open_till(config)
        try:
            replace_articles(shop.db, catalogue.articles, catalogue.departments)
            signed = shop.till.sell(bread(shop.db)).signed.tse
            assert not signed.failed and signed.serial_number == done.serial_number
        finally:
            shop.close()
