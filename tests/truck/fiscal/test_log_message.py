"""Signatures over TR-03151 log messages: they verify, and any tampering breaks them."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from tourkasse.vat import VatRate
from truck.fiscal import asn1
from truck.fiscal.log_message import (
    TRANSACTION_LOG_OID,
    decode_log_message,
    encode_log_message,
    finish_log_of,
    signed_data,
    verify_log_message,
    verify_signature,
)
from truck.fiscal.process_data import PROCESS_TYPE, build_process_data
from truck.fiscal.software_tse import SoftwareTse
from truck.fiscal.tse import FinishedTransaction

from .conftest import ManualClock

RECEIPT = build_process_data("Beleg", {VatRate.NORMAL: 290, VatRate.ZERO: 210}, [(500, "Unbar")])


def finished(tse: SoftwareTse, clock: ManualClock) -> FinishedTransaction:
    started = tse.start_transaction("TK-01")
    clock.advance(3)
    tse.update_transaction("TK-01", started.number, PROCESS_TYPE, RECEIPT)
    clock.advance(4)
    return tse.finish_transaction("TK-01", started.number, PROCESS_TYPE, RECEIPT)


@pytest.mark.parametrize("curve", ["P-256", "P-384"])
def test_every_signature_from_start_to_finish_verifies(
    tmp_path: Path, clock: ManualClock, curve: str
) -> None:
    with SoftwareTse(tmp_path, curve=curve, clock=clock, create=True) as tse:  # type: ignore[arg-type]
        tx = finished(tse, clock)
        messages = tse.log_messages(tx.number)
    assert verify_signature(tx)
    operations = [decode_log_message(message)[0].operation_type for message in messages]
    assert operations == ["StartTransaction", "UpdateTransaction", "FinishTransaction"]
    assert all(verify_log_message(message, tx.public_key) for message in messages)
    # The stored finish message is exactly the one rebuilt from the transaction's fields.
    assert messages[-1] == encode_log_message(finish_log_of(tx), tx.signature)
    assert len(tx.signature) == (64 if curve == "P-256" else 96)


def test_log_message_fields(tse: SoftwareTse, clock: ManualClock) -> None:
    tx = finished(tse, clock)
    log, signature = decode_log_message(tse.log_messages(tx.number)[-1])
    assert signature == tx.signature
    assert log.process_data == RECEIPT
    assert log.transaction_number == tx.number
    assert log.signature_counter == tx.signature_counter
    assert log.log_time == tx.log_time
    assert log.serial_number == hashlib.sha256(tx.public_key).hexdigest()
    elements = asn1.read_all(signed_data(log))
    assert asn1.decode_integer(elements[0].content) == 2
    assert asn1.decode_object_identifier(elements[1].content) == TRANSACTION_LOG_OID
    assert elements[2].content == b"FinishTransaction"
    assert elements[7].content == bytes.fromhex(tx.serial_number)  # the raw 32 bytes
    assert len(elements[7].content) == 32
    algorithm = asn1.read_single(elements[8].content)
    assert asn1.decode_object_identifier(algorithm.content) == "0.4.0.127.0.7.1.1.4.1.3"
    assert asn1.decode_integer(elements[10].content) == int(tx.log_time.timestamp())


@pytest.mark.parametrize(
    "change",
    [
        {"process_data": RECEIPT.replace("5.00:Unbar", "50.00:Unbar")},
        {"process_data": RECEIPT.replace("2.90", "2.80")},
        {"signature_counter": 1},
        {"number": 2},
        {"client_id": "TK-02"},
        {"process_type": "SonstigerVorgang"},
        {"signature_algorithm": "ecdsa-plain-SHA384"},
        {"time_format": "utcTime"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_tampered_field_fails(
    tse: SoftwareTse, clock: ManualClock, change: dict[str, object]
) -> None:
    tx = finished(tse, clock)
    assert verify_signature(tx)
    assert not verify_signature(dataclasses.replace(tx, **change))  # type: ignore[arg-type]


def test_tampered_time_fails(tse: SoftwareTse, clock: ManualClock) -> None:
    tx = finished(tse, clock)
    assert not verify_signature(
        dataclasses.replace(tx, log_time=tx.log_time + timedelta(seconds=1))
    )
    # unixTime has no milliseconds: a log time the signature could not cover is refused too.
    later = tx.log_time + timedelta(milliseconds=1)
    assert not verify_signature(dataclasses.replace(tx, log_time=later))


def test_tampered_signature_fails(tse: SoftwareTse, clock: ManualClock) -> None:
    tx = finished(tse, clock)
    flipped = bytes([tx.signature[0] ^ 1]) + tx.signature[1:]
    assert not verify_signature(dataclasses.replace(tx, signature=flipped))
    assert not verify_signature(dataclasses.replace(tx, signature=tx.signature[:-1]))


def test_another_tses_key_fails(tmp_path: Path, tse: SoftwareTse, clock: ManualClock) -> None:
    tx = finished(tse, clock)
    with SoftwareTse(tmp_path / "other", clock=clock, create=True) as other:
        foreign = other.info()
    assert not verify_signature(dataclasses.replace(tx, public_key=foreign.public_key))
    # Even with the matching serial number the signature is not the other key's.
    assert not verify_signature(
        dataclasses.replace(tx, public_key=foreign.public_key, serial_number=foreign.serial_number)
    )


def test_tampered_log_message_fails(tse: SoftwareTse, clock: ManualClock) -> None:
    tx = finished(tse, clock)
    message = tse.log_messages(tx.number)[-1]
    tampered = message.replace(b"5.00:Unbar", b"6.00:Unbar")
    assert tampered != message
    assert not verify_log_message(tampered, tx.public_key)
    assert not verify_log_message(message[:-1], tx.public_key)
    assert not verify_log_message(b"", tx.public_key)
