"""The TSE (technische Sicherheitseinrichtung, KassenSichV) as the till sees it.

Every business event goes through a TSE transaction: start it when the event begins, finish it
with the receipt's process data when it ends, and print what the TSE answered (transaction
number, times, signature counter, signature) on the receipt and in its QR code. Whatever TSE is
plugged in — the software TSE for trying Tourkasse out, a USB TSE, a cloud TSE — implements
:class:`Tse`. When it fails, it raises :class:`TseUnavailable` and the till goes on selling in
failure mode.
"""

from __future__ import annotations

import base64
import binascii
import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


class TseError(Exception):
    """The TSE refused an operation (e.g. finishing a transaction it does not know)."""


class TseUnavailable(TseError):
    """The TSE cannot be reached or has failed; the till keeps selling in failure mode."""


def require_utc(value: datetime, name: str) -> datetime:
    """Return ``value`` in UTC; refuse naive datetimes, whose meaning would be a guess."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got {value!r}")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class TseInfo:
    """What identifies a TSE on receipts and in the DSFinV-K export (tse.csv)."""

    serial_number: str  # hex SHA-256 of public_key
    public_key: bytes  # X9.62 uncompressed point
    signature_algorithm: str  # e.g. "ecdsa-plain-SHA256"
    time_format: str  # "unixTime"
    certified: bool
    description: str


@dataclass(frozen=True)
class StartedTransaction:
    number: int
    client_id: str
    start_time: datetime  # UTC

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_time", require_utc(self.start_time, "start_time"))


@dataclass(frozen=True)
class FinishedTransaction:
    """A finished (signed) TSE transaction: everything the receipt and the export need."""

    number: int
    client_id: str
    process_type: str
    process_data: str
    start_time: datetime  # UTC
    log_time: datetime  # UTC, time of the FinishTransaction log message
    signature_counter: int
    signature: bytes  # plain r||s
    serial_number: str  # hex SHA-256 of public_key
    signature_algorithm: str
    time_format: str
    public_key: bytes  # X9.62 uncompressed point

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_time", require_utc(self.start_time, "start_time"))
        object.__setattr__(self, "log_time", require_utc(self.log_time, "log_time"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: bytes as standard base64, times ISO 8601 UTC (+00:00), ints as ints."""
        result: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bytes):
                value = base64.b64encode(value).decode("ascii")
            elif isinstance(value, datetime):
                value = value.isoformat()
            result[field.name] = value
        return result

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FinishedTransaction:
        """Inverse of :meth:`to_dict`; raises ValueError on missing, extra or mistyped fields."""
        expected = {field.name for field in fields(cls)}
        if set(data) != expected:
            missing = sorted(expected - set(data))
            extra = sorted(set(data) - expected)
            raise ValueError(f"TSE-Transaktion unvollständig: fehlt {missing}, zu viel {extra}")
        return cls(
            number=_int(data, "number"),
            client_id=_str(data, "client_id"),
            process_type=_str(data, "process_type"),
            process_data=_str(data, "process_data"),
            start_time=_time(data, "start_time"),
            log_time=_time(data, "log_time"),
            signature_counter=_int(data, "signature_counter"),
            signature=_bytes(data, "signature"),
            serial_number=_str(data, "serial_number"),
            signature_algorithm=_str(data, "signature_algorithm"),
            time_format=_str(data, "time_format"),
            public_key=_bytes(data, "public_key"),
        )


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} muss eine ganze Zahl sein, nicht {value!r}")
    return value


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise ValueError(f"{key} muss ein Text sein, nicht {value!r}")
    return value


def _time(data: Mapping[str, Any], key: str) -> datetime:
    try:
        value = datetime.fromisoformat(_str(data, key))
    except ValueError as exc:
        raise ValueError(f"{key} ist keine ISO-8601-Zeit: {data[key]!r}") from exc
    if value.tzinfo is None:
        raise ValueError(f"{key} ohne Zeitzone: {data[key]!r}")
    return value


def _bytes(data: Mapping[str, Any], key: str) -> bytes:
    try:
        return base64.b64decode(_str(data, key), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{key} ist kein Base64: {data[key]!r}") from exc


class TransactionState(enum.Enum):
    ACTIVE = "ACTIVE"
    FINISHED = "FINISHED"
    UNKNOWN = "UNKNOWN"  # the TSE has never started a transaction with this number


@runtime_checkable
class Tse(Protocol):
    """What the till needs from a TSE. Every method may raise :class:`TseUnavailable`."""

    def info(self) -> TseInfo: ...

    def self_test(self) -> None:
        """Check that the TSE works; raises TseUnavailable if not."""
        ...

    def start_transaction(self, client_id: str) -> StartedTransaction: ...

    def update_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> None: ...

    def finish_transaction(
        self, client_id: str, number: int, process_type: str, process_data: str
    ) -> FinishedTransaction: ...

    def cancel_transaction(self, client_id: str, number: int) -> FinishedTransaction:
        """Finish the transaction as an aborted receipt (AVBelegabbruch, all amounts 0.00)."""
        ...

    def transaction_state(self, number: int) -> tuple[TransactionState, FinishedTransaction | None]:
        """After a crash: was this transaction finished, and with what? (None unless FINISHED.)"""
        ...

    def open_transactions(self, client_id: str) -> list[int]:
        """Numbers of this client's transactions that were started but not finished."""
        ...


@runtime_checkable
class TseExport(Protocol):
    """Optional: a TSE that can write its own export (a TAR of its signed log messages).

    The BSI's TR-03153 asks every certified TSE for such an export; a tax auditor reads it with
    their own tools. Not every TSE the till may drive offers it through software, so this is a
    separate protocol: check ``isinstance(tse, TseExport)`` before asking.
    """

    def export_tar(self, out_dir: Path) -> Path:
        """Write the export into ``out_dir`` (which exists) and return the TAR file's path.

        Raises TseUnavailable when the TSE cannot be reached, TseError when it refuses.
        """
        ...
