"""The TSE's data types: JSON-safe dicts that come back exactly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from truck.fiscal.tse import FinishedTransaction, StartedTransaction, Tse


def sample(**changes: object) -> FinishedTransaction:
    values: dict[str, object] = {
        "number": 7,
        "client_id": "TK-01",
        "process_type": "Kassenbeleg-V1",
        "process_data": "Beleg^2.90_0.00_0.00_0.00_2.10^5.00:Unbar",
        "start_time": datetime(2026, 11, 24, 10, 15, 2, tzinfo=UTC),
        "log_time": datetime(2026, 11, 24, 10, 15, 9, 123000, tzinfo=UTC),
        "signature_counter": 21,
        "signature": bytes(range(64)),
        "serial_number": "ab" * 32,
        "signature_algorithm": "ecdsa-plain-SHA256",
        "time_format": "unixTime",
        "public_key": b"\x04" + bytes(64),
    }
    values.update(changes)
    return FinishedTransaction(**values)  # type: ignore[arg-type]


def test_to_dict_is_json_safe_and_round_trips() -> None:
    tx = sample()
    data = tx.to_dict()
    assert data["start_time"] == "2026-11-24T10:15:02+00:00"
    assert data["log_time"] == "2026-11-24T10:15:09.123000+00:00"
    assert (
        data["signature"]
        == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
    )
    assert data["number"] == 7 and type(data["number"]) is int
    assert type(data["signature_counter"]) is int
    assert not any(isinstance(value, float | bytes | datetime) for value in data.values())
    again = FinishedTransaction.from_dict(json.loads(json.dumps(data)))
    assert again == tx
    assert again.to_dict() == data


def test_times_are_normalised_to_utc() -> None:
    berlin = timezone(timedelta(hours=1))
    tx = sample(start_time=datetime(2026, 11, 24, 11, 15, 2, tzinfo=berlin))
    assert tx.start_time.utcoffset() == timedelta(0)
    assert tx.to_dict()["start_time"] == "2026-11-24T10:15:02+00:00"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        sample(log_time=datetime(2026, 11, 24, 10, 15, 2))
    with pytest.raises(ValueError):
        StartedTransaction(1, "TK-01", datetime(2026, 11, 24, 10, 15, 2))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("number", "7"),
        ("number", 7.0),
        ("signature_counter", True),
        ("signature", "not base64!"),
        ("start_time", "gestern"),
        ("log_time", "2026-11-24T10:15:09"),
        ("client_id", 5),
    ],
)
def test_from_dict_refuses_mistyped_fields(key: str, value: object) -> None:
    data = sample().to_dict()
    data[key] = value
    with pytest.raises(ValueError):
        FinishedTransaction.from_dict(data)


def test_from_dict_refuses_missing_and_extra_fields() -> None:
    data = sample().to_dict()
    del data["public_key"]
    with pytest.raises(ValueError, match="public_key"):
        FinishedTransaction.from_dict(data)
    data = sample().to_dict() | {"extra": 1}
    with pytest.raises(ValueError, match="extra"):
        FinishedTransaction.from_dict(data)


def test_protocol_is_checkable() -> None:
    assert not isinstance(object(), Tse)
