"""The fiskaly client's own rules, against the local STAND-IN of fiskaly's API.

fiskaly is a cloud service out of reach in tests; tests/support/fiskaly_standin.py serves its
documented API on 127.0.0.1 (see its docstring).
"""

from __future__ import annotations

import base64
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.support.fiskaly_standin import API_KEY
from truck.fiscal.fiskaly import FiskalyTse
from truck.fiscal.fiskaly_http import FiskalyHttp, RetryPolicy
from truck.fiscal.fiskaly_schema import process_data_of_schema, public_key_point, receipt_schema
from truck.fiscal.process_data import PROCESS_TYPE
from truck.fiscal.tse import TransactionState, TseError, TseUnavailable

from .conftest import CLIENT_SERIAL

RECEIPT = "Beleg^2.38_4.20_0.00_0.00_0.00^6.58:Bar"


def test_standin_refusing_the_api_secret_makes_the_tse_unavailable_not_the_sale_wrong(fiskaly):
    http = FiskalyHttp(fiskaly.standin.base_url, API_KEY, "wrong", sleep=fiskaly.pauses.append)
    tse = FiskalyTse(
        fiskaly.directory,
        http,
        tss_id=fiskaly.tss_id,
        client_id=fiskaly.client_id,
        client_serial=CLIENT_SERIAL,
    )
    try:
        with pytest.raises(TseUnavailable, match="Zugangsdaten"):
            tse.start_transaction(CLIENT_SERIAL)
        assert fiskaly.pauses == []  # a refusal is not retried
    finally:
        tse.close()


def test_standin_transactions_of_another_till_or_finished_ones_are_refused(fiskaly):
    tse = fiskaly.tse()
    with pytest.raises(TseError, match="nicht eingerichtet"):
        tse.start_transaction("TK-T99-0001")
    started = tse.start_transaction(CLIENT_SERIAL)
    tse.update_transaction(CLIENT_SERIAL, started.number, PROCESS_TYPE, RECEIPT)
    finished = tse.finish_transaction(CLIENT_SERIAL, started.number, PROCESS_TYPE, RECEIPT)
    assert finished.process_data == RECEIPT and finished.signature_counter == 3
    with pytest.raises(TseError, match="bereits abgeschlossen"):
        tse.finish_transaction(CLIENT_SERIAL, started.number, PROCESS_TYPE, RECEIPT)
    with pytest.raises(TseError, match="unbekannt"):
        tse.cancel_transaction(CLIENT_SERIAL, 99)
    assert tse.transaction_state(99) == (TransactionState.UNKNOWN, None)
    with pytest.raises(TseError, match="Kassenbeleg-V1"):
        other = tse.start_transaction(CLIENT_SERIAL)
        tse.finish_transaction(CLIENT_SERIAL, other.number, "SonstigerVorgang", "x")


def test_standin_with_a_disabled_tss_the_till_sells_in_failure_mode(fiskaly):
    tse = fiskaly.tse()
    tse.cancel_transaction(CLIENT_SERIAL, tse.start_transaction(CLIENT_SERIAL).number)
    fiskaly.standin.tss[fiskaly.tss_id]["state"] = "DISABLED"  # e.g. by mistake in the dashboard
    with pytest.raises(TseUnavailable, match="E_TSS_NOT_INITIALIZED"):
        tse.start_transaction(CLIENT_SERIAL)
    with pytest.raises(TseUnavailable, match="DISABLED"):
        tse.self_test()


def test_the_ledger_of_one_tss_is_never_used_for_another(fiskaly):
    fiskaly.tse().close()
    with pytest.raises(TseUnavailable, match="gehört zur TSS"):
        FiskalyTse(
            fiskaly.directory,
            fiskaly.http(),
            tss_id=str(uuid.uuid4()),
            client_id=fiskaly.client_id,
            client_serial=CLIENT_SERIAL,
        )


def test_standin_token_is_renewed_before_it_expires(fiskaly):
    now = [1000.0]
    http = FiskalyHttp(
        fiskaly.standin.base_url,
        API_KEY,
        "test_standin_secret",
        policy=RetryPolicy(timeout_s=2),
        monotonic=lambda: now[0],
    )
    tse = FiskalyTse(
        fiskaly.directory,
        http,
        tss_id=fiskaly.tss_id,
        client_id=fiskaly.client_id,
        client_serial=CLIENT_SERIAL,
    )
    try:
        tse.self_test()
        now[0] += 86400 - 120  # still a minute before the renewal margin
        tse.self_test()
        assert fiskaly.standin.count("POST", "/auth") == 1
        now[0] += 90  # within the last minute of the token's day: renewed beforehand
        tse.self_test()
        assert fiskaly.standin.count("POST", "/auth") == 2
        assert fiskaly.standin.count("GET", r"/tss/[^/]+") == 3
    finally:
        tse.close()


@pytest.mark.parametrize(
    "process_data",
    [
        RECEIPT,
        "Beleg^-2.38_-4.20_0.00_0.00_0.00^-6.58:Bar",
        "Beleg^10.00_0.00_0.00_0.00_0.00^3.00:Bar_7.00:Unbar",
        "AVTransfer^0.00_0.00_0.00_0.00_100.00^100.00:Bar",
        "AVTraining^1.19_0.00_0.00_0.00_0.00^1.19:Bar",
        "AVBelegabbruch^0.00_0.00_0.00_0.00_0.00^",
    ],
)
def test_the_receipt_schema_gives_back_the_same_process_data(process_data):
    schema = receipt_schema(PROCESS_TYPE, process_data)
    assert process_data_of_schema(schema) == process_data


def test_a_public_key_in_spki_form_gives_the_same_point():
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    spki = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert public_key_point(base64.b64encode(point).decode()) == point
    assert public_key_point(base64.b64encode(spki).decode()) == point
