"""The QR code string: twelve fields that parse back into the transaction's own figures."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tourkasse.vat import VatRate
from truck.fiscal.log_message import verify_signature
from truck.fiscal.process_data import (
    PROCESS_TYPE,
    build_process_data,
    parse_process_data,
)
from truck.fiscal.qr import build_qr_string, format_qr_time, parse_qr_string
from truck.fiscal.software_tse import SoftwareTse
from truck.fiscal.tse import FinishedTransaction

from .test_process_data import merged
from .test_tse_types import sample


@pytest.fixture(scope="module")
def shared_tse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftwareTse]:
    # Module scope: hypothesis runs many examples against one TSE.
    with SoftwareTse(tmp_path_factory.mktemp("qr-tse"), create=True) as tse:
        yield tse


def test_fields_and_format() -> None:
    tx = sample()
    text = build_qr_string("TK-01", tx)
    fields = text.split(";")
    assert len(fields) == 12
    assert fields[:6] == [
        "V0",
        "TK-01",
        "Kassenbeleg-V1",
        "Beleg^2.90_0.00_0.00_0.00_2.10^5.00:Unbar",
        "7",
        "21",
    ]
    assert fields[6:10] == [
        "2026-11-24T10:15:02.000Z",
        "2026-11-24T10:15:09.123Z",
        "ecdsa-plain-SHA256",
        "unixTime",
    ]
    assert base64.b64decode(fields[10]) == tx.signature
    assert base64.b64decode(fields[11]) == tx.public_key


def test_time_format_cuts_to_milliseconds() -> None:
    assert format_qr_time(datetime(2026, 11, 24, 10, 15, 2, 123999, tzinfo=UTC)) == (
        "2026-11-24T10:15:02.123Z"
    )


def test_parse_gives_typed_fields() -> None:
    tx = sample()
    qr = parse_qr_string(build_qr_string("TK-01", tx))
    assert qr.version == "V0"
    assert qr.client_serial == "TK-01"
    assert (qr.transaction_number, qr.signature_counter) == (7, 21)
    assert qr.start_time == tx.start_time and qr.log_time == tx.log_time
    assert qr.signature == tx.signature and qr.public_key == tx.public_key
    assert qr.log_time_format == "unixTime"


def test_semicolon_is_refused() -> None:
    with pytest.raises(ValueError):
        build_qr_string("TK;01", sample())


@pytest.mark.parametrize(
    ("index", "value"),
    [
        (0, "V1"),
        (1, ""),
        (4, "x"),
        (4, "-1"),
        (5, "+3"),
        (6, "2026-11-24T10:15:02Z"),
        (6, "2026-11-24 10:15:02.000Z"),
        (7, "2026-11-24T10:15:02.000+00:00"),
        (7, "2026-02-30T10:15:02.000Z"),
        (10, "kein base64!"),
        (11, ""),
    ],
)
def test_malformed_strings_are_refused(index: int, value: str) -> None:
    fields = build_qr_string("TK-01", sample()).split(";")
    fields[index] = value
    with pytest.raises(ValueError):
        parse_qr_string(";".join(fields))


def test_wrong_field_count_is_refused() -> None:
    text = build_qr_string("TK-01", sample())
    with pytest.raises(ValueError):
        parse_qr_string(text + ";extra")
    with pytest.raises(ValueError):
        parse_qr_string(text.rsplit(";", 1)[0])


cents = st.integers(min_value=-100_000_00, max_value=100_000_00)


@settings(max_examples=40, deadline=None)
@given(
    gross=st.dictionaries(st.sampled_from(list(VatRate)), cents),
    payments=st.lists(st.tuples(cents, st.sampled_from(["Bar", "Unbar"])), max_size=4),
)
def test_qr_string_parses_back_into_the_transactions_figures(
    shared_tse: SoftwareTse, gross: dict[VatRate, int], payments: list[tuple[int, str]]
) -> None:
    started = shared_tse.start_transaction("TK-01")
    data = build_process_data("Beleg", gross, payments)
    tx = shared_tse.finish_transaction("TK-01", started.number, PROCESS_TYPE, data)
    # The till's serial in the QR code is the client id it uses at the TSE.
    qr = parse_qr_string(build_qr_string(tx.client_id, tx))
    assert qr.client_serial == "TK-01"
    assert parse_process_data(qr.process_data) == (
        "Beleg",
        {rate: gross.get(rate, 0) for rate in (VatRate.NORMAL, VatRate.REDUCED, VatRate.ZERO)},
        merged(payments),
    )
    assert qr.transaction_number == tx.number == started.number
    assert qr.signature_counter == tx.signature_counter
    assert qr.start_time == tx.start_time == started.start_time
    assert qr.log_time == tx.log_time
    assert qr.signature_algorithm == tx.signature_algorithm
    assert qr.log_time_format == tx.time_format
    # What an auditor's app reads from the QR code is enough to check the signature.
    rebuilt = FinishedTransaction(
        number=qr.transaction_number,
        client_id=qr.client_serial,
        process_type=qr.process_type,
        process_data=qr.process_data,
        start_time=qr.start_time,
        log_time=qr.log_time,
        signature_counter=qr.signature_counter,
        signature=qr.signature,
        serial_number=hashlib.sha256(qr.public_key).hexdigest(),
        signature_algorithm=qr.signature_algorithm,
        time_format=qr.log_time_format,
        public_key=qr.public_key,
    )
    assert verify_signature(rebuilt)
