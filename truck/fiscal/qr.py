"""The receipt's QR code string (DSFinV-K, "V0" format), built from a finished transaction.

Twelve fields separated by ``;``::

    V0;<client serial>;<processType>;<processData>;<txNr>;<signature counter>;
    <start ISO 8601>;<log time ISO 8601>;<signature algorithm>;<log time format>;
    <signature base64>;<public key base64>

Times are UTC with milliseconds and ``Z`` (``2026-11-24T10:15:02.123Z``). A tax auditor's app
scans it and checks the signature, so :func:`parse_qr_string` is strict.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from truck.fiscal.tse import FinishedTransaction, require_utc

QR_VERSION = "V0"
_SEPARATOR = ";"
_FIELD_COUNT = 12
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class QrData:
    """The twelve fields of a ``V0`` QR code string, typed."""

    version: str
    client_serial: str
    process_type: str
    process_data: str
    transaction_number: int
    signature_counter: int
    start_time: datetime  # UTC, milliseconds at most
    log_time: datetime  # UTC, milliseconds at most
    signature_algorithm: str
    log_time_format: str
    signature: bytes
    public_key: bytes


def format_qr_time(value: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and Z; sub-millisecond digits are cut, not rounded."""
    value = require_utc(value, "time")
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def build_qr_string(client_serial: str, tx: FinishedTransaction) -> str:
    """The QR code string for the receipt of ``tx`` issued by the till ``client_serial``."""
    texts = (
        client_serial,
        tx.process_type,
        tx.process_data,
        tx.signature_algorithm,
        tx.time_format,
    )
    for text in texts:
        if _SEPARATOR in text:
            raise ValueError(f"„{text}“ enthält ein Semikolon und passt nicht in den QR-Code")
    fields = (
        QR_VERSION,
        client_serial,
        tx.process_type,
        tx.process_data,
        str(tx.number),
        str(tx.signature_counter),
        format_qr_time(tx.start_time),
        format_qr_time(tx.log_time),
        tx.signature_algorithm,
        tx.time_format,
        base64.b64encode(tx.signature).decode("ascii"),
        base64.b64encode(tx.public_key).decode("ascii"),
    )
    return _SEPARATOR.join(fields)


def parse_qr_string(text: str) -> QrData:
    """Read a ``V0`` QR code string; raises ValueError if it is malformed in any field."""
    fields = text.split(_SEPARATOR)
    if len(fields) != _FIELD_COUNT:
        raise ValueError(f"QR-Code braucht {_FIELD_COUNT} Felder, hat {len(fields)}")
    version, client, ptype, pdata, number, counter, start, log, algo, tformat, sig, key = fields
    if version != QR_VERSION:
        raise ValueError(f"unbekannte QR-Code-Version „{version}“")
    for name, value in (
        ("Kassenseriennummer", client),
        ("processType", ptype),
        ("Signaturalgorithmus", algo),
        ("Zeitformat", tformat),
    ):
        if not value:
            raise ValueError(f"{name} fehlt im QR-Code")
    return QrData(
        version=version,
        client_serial=client,
        process_type=ptype,
        process_data=pdata,
        transaction_number=_number(number, "Transaktionsnummer"),
        signature_counter=_number(counter, "Signaturzähler"),
        start_time=_time(start, "Startzeit"),
        log_time=_time(log, "Logzeit"),
        signature_algorithm=algo,
        log_time_format=tformat,
        signature=_base64(sig, "Signatur"),
        public_key=_base64(key, "öffentlicher Schlüssel"),
    )


def _number(text: str, name: str) -> int:
    # str.isdigit would accept "²" and int() would accept "+1" or " 1"; neither is on a receipt.
    if _NUMBER.fullmatch(text) is None:
        raise ValueError(f"{name} „{text}“ ist keine Zahl")
    return int(text)


def _time(text: str, name: str) -> datetime:
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"{name} „{text}“ ist keine UTC-Zeit wie 2026-11-24T10:15:02.123Z")
    year, month, day, hour, minute, second, millis = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"{name} „{text}“ ist kein gültiger Zeitpunkt") from exc


def _base64(text: str, name: str) -> bytes:
    if not text:
        raise ValueError(f"{name} fehlt im QR-Code")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{name} ist kein Base64") from exc
