"""What the fiskaly STAND-IN (tests/support/fiskaly_standin.py) answers, in fiskaly's shapes:
a transaction with its signature and QR code, a TSS or export without its private fields,
an error, and the TAR export of the log messages."""

from __future__ import annotations

import base64
import io
import tarfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from truck.fiscal.process_data import PROCESS_TYPE
from truck.fiscal.qr import build_qr_string
from truck.fiscal.tar_export import log_file_name
from truck.fiscal.tse import FinishedTransaction

if TYPE_CHECKING:
    from tests.support.fiskaly_standin import Transaction

ALGORITHM = "ecdsa-plain-SHA256"


def transaction_answer(
    tx: Transaction,
    tss: dict[str, Any],
    operation: str,
    signed: tuple[int, int, str],
    data: str = "",
) -> dict[str, Any]:
    """fiskaly's answer to a transaction's new revision, signed ``(counter, unix time, base64)``."""
    counter, log_time, signature = signed
    answer: dict[str, Any] = {
        "_id": tx.tx_id,
        "_type": "TRANSACTION",
        "_env": "TEST",
        "_version": "2.2.2",
        "number": tx.number,
        "state": "ACTIVE" if operation != "FinishTransaction" else tx.state,
        "client_id": tx.client_id,
        "client_serial_number": tx.client_serial,
        "tss_id": tss["_id"],
        "tss_serial_number": tss["serial_number"],
        "time_start": tx.time_start,
        "revision": tx.revision,
        "latest_revision": tx.revision,
        "metadata": {},
        "signature": {
            "value": signature,
            "counter": counter,
            "algorithm": ALGORITHM,
            "public_key": tss["public_key"],
        },
        "log": {"operation": operation, "timestamp": log_time, "timestamp_format": "unixTime"},
    }
    if operation == "FinishTransaction":
        answer["time_end"] = log_time
        finished = FinishedTransaction(
            number=tx.number,
            client_id=tx.client_serial,
            process_type=PROCESS_TYPE,
            process_data=data,
            start_time=datetime.fromtimestamp(tx.time_start, UTC),
            log_time=datetime.fromtimestamp(log_time, UTC),
            signature_counter=counter,
            signature=base64.b64decode(signature),
            serial_number=tss["serial_number"],
            signature_algorithm=ALGORITHM,
            time_format="unixTime",
            public_key=base64.b64decode(tss["public_key"]),
        )
        answer["qr_code_data"] = build_qr_string(tx.client_serial, finished)
    return answer


def tar_of(serial: str, log_messages: list[bytes]) -> bytes:
    """The TSE's TAR export: the log messages of the TSS with this serial number."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for message in log_messages:
            if bytes.fromhex(serial) not in message:
                continue  # another TSS's message
            member = tarfile.TarInfo(log_file_name(message))
            member.size = len(message)
            tar.addfile(member, io.BytesIO(message))
    return buffer.getvalue()


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A TSS or export as fiskaly shows it: without the stand-in's private fields."""
    return {
        key: value
        for key, value in record.items()
        if not key.startswith("_") or key in ("_id", "_type", "_env")
    }


def error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "error": code, "code": code, "message": message}
