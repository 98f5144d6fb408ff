"""The TSE's own export: a TAR of its signed log messages, laid out as BSI TR-03151 names them.

Each transaction log message is one file, named after what it holds::

    Unixt_<log time>_Sig-<signature counter>_Log-Tra_No-<transaction number>_<Start|Update|Finish>_Client-<client id>.log

(``Unixt`` because the log time is unixTime), beside an ``info.csv`` that describes the TSE. A
certified TSE also puts its certificate chain and its system and audit logs in the TAR; the
software TSE has neither a certificate nor system logs, so its export holds what it keeps: the
transaction logs and the public key (``<serial>_public_key.pem``) that checks them.
"""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from truck.fiscal.log_message import decode_log_message
from truck.fiscal.signing import algorithm_named
from truck.fiscal.tse import TseInfo, require_utc

_OPERATIONS = {
    "StartTransaction": "Start",
    "UpdateTransaction": "Update",
    "FinishTransaction": "Finish",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9 '()+,.:=?-]")  # PrintableString without "/", which splits paths


def log_file_name(message: bytes) -> str:
    """The TR-03151 file name of one transaction log message (DER)."""
    log, _ = decode_log_message(message)
    client = _UNSAFE.sub("_", log.client_id)
    return (
        f"Unixt_{int(log.log_time.timestamp())}_Sig-{log.signature_counter}"
        f"_Log-Tra_No-{log.transaction_number}_{_OPERATIONS[log.operation_type]}"
        f"_Client-{client}.log"
    )


def export_file_name(serial_number: str, when: datetime) -> str:
    """``tse-export-<first 16 hex digits of the serial>-<UTC time>.tar``."""
    return f"tse-export-{serial_number[:16]}-{require_utc(when, 'when'):%Y%m%dT%H%M%SZ}.tar"


def write_tar(path: Path, messages: Iterable[bytes], info: TseInfo, when: datetime) -> Path:
    """Write the export of ``messages`` (signed log messages, DER) to ``path``; return it."""
    stamp = int(require_utc(when, "when").timestamp())
    temporary = path.with_name(f".{path.name}.tmp")
    with tarfile.open(temporary, "w", format=tarfile.USTAR_FORMAT) as tar:
        _add(tar, "info.csv", _info_csv(info), stamp)
        _add(tar, f"{info.serial_number}_public_key.pem", _public_key_pem(info), stamp)
        for message in messages:
            log, _ = decode_log_message(message)
            _add(tar, log_file_name(message), message, int(log.log_time.timestamp()))
    temporary.replace(path)
    return path


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: int) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(data)
    member.mtime = mtime
    member.mode = 0o444
    tar.addfile(member, io.BytesIO(data))


def _info_csv(info: TseInfo) -> bytes:
    rows = (
        ("description", info.description),
        ("serial number", info.serial_number),
        ("signature algorithm", info.signature_algorithm),
        ("time format", info.time_format),
        ("certified", "ja" if info.certified else "nein"),
    )
    return "".join(f'"{key}:","{value}"\r\n' for key, value in rows).encode("utf-8")


def _public_key_pem(info: TseInfo) -> bytes:
    curve = algorithm_named(info.signature_algorithm).curve()
    key = ec.EllipticCurvePublicKey.from_encoded_point(curve, info.public_key)
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
