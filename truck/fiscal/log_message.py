"""The TransactionLogMessage of BSI TR-03151: what a TSE signs for each transaction step.

Structure (DER)::

    LogMessage ::= SEQUENCE {
        version             INTEGER (2),
        certifiedDataType   OBJECT IDENTIFIER (0.4.0.127.0.7.3.7.1.1, transaction log),
        -- certifiedData of a transaction log:
        operationType       [0] IMPLICIT PrintableString,  -- "StartTransaction", …
        clientId            [1] IMPLICIT PrintableString,
        processData         [2] IMPLICIT OCTET STRING,
        processType         [3] IMPLICIT PrintableString,
        transactionNumber   [5] IMPLICIT INTEGER,
        serialNumber        OCTET STRING,                  -- the 32 raw bytes of SHA-256(key)
        signatureAlgorithm  SEQUENCE { algorithm OBJECT IDENTIFIER },
        signatureCounter    INTEGER,
        logTime             INTEGER,                       -- unixTime
        signatureValue      OCTET STRING }                 -- plain r||s

The optional additionalExternalData [4], additionalInternalData [6] and seAuditData are not used.
The signature covers the DER elements from ``version`` through ``logTime`` concatenated, i.e. the
message's content without the outer SEQUENCE header and without ``signatureValue`` (as in the
BSI's TSE simulator); :func:`signed_data` returns exactly those bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from truck.fiscal import asn1
from truck.fiscal.signing import ALGORITHMS, algorithm_named, serial_number_of, verify_plain
from truck.fiscal.tse import FinishedTransaction, require_utc

VERSION = 2
TRANSACTION_LOG_OID = "0.4.0.127.0.7.3.7.1.1"
OPERATION_TYPES = ("StartTransaction", "UpdateTransaction", "FinishTransaction")

_OPERATION_TYPE, _CLIENT_ID, _PROCESS_DATA, _PROCESS_TYPE, _TRANSACTION_NUMBER = 0, 1, 2, 3, 5


@dataclass(frozen=True)
class TransactionLog:
    """The fields of one transaction log message, before it is signed."""

    operation_type: str
    client_id: str
    process_type: str
    process_data: str
    transaction_number: int
    serial_number: str  # hex, as everywhere else; the message holds the raw bytes
    signature_algorithm: str  # BSI name, e.g. "ecdsa-plain-SHA256"
    signature_counter: int
    log_time: datetime  # whole seconds: unixTime cannot carry more

    def __post_init__(self) -> None:
        if self.operation_type not in OPERATION_TYPES:
            raise ValueError(f"unknown operationType {self.operation_type!r}")
        object.__setattr__(self, "log_time", require_utc(self.log_time, "log_time"))


def _unix_time(value: datetime) -> int:
    """unixTime of the log message; refuses fractions a signature could not cover."""
    if value.microsecond:
        raise ValueError(f"unixTime has whole seconds only, got {value.isoformat()}")
    return int(value.timestamp())


def signed_data(log: TransactionLog) -> bytes:
    """The bytes the TSE signs: the log message's elements version … logTime, concatenated."""
    algorithm = algorithm_named(log.signature_algorithm)
    return b"".join(
        (
            asn1.integer(VERSION),
            asn1.object_identifier(TRANSACTION_LOG_OID),
            asn1.implicit(_OPERATION_TYPE, asn1.printable_string(log.operation_type)),
            asn1.implicit(_CLIENT_ID, asn1.printable_string(log.client_id)),
            asn1.implicit(_PROCESS_DATA, asn1.octet_string(log.process_data.encode("utf-8"))),
            asn1.implicit(_PROCESS_TYPE, asn1.printable_string(log.process_type)),
            asn1.implicit(_TRANSACTION_NUMBER, asn1.integer(log.transaction_number)),
            asn1.octet_string(bytes.fromhex(log.serial_number)),
            asn1.sequence(asn1.object_identifier(algorithm.oid)),
            asn1.integer(log.signature_counter),
            asn1.integer(_unix_time(log.log_time)),
        )
    )


def encode_log_message(log: TransactionLog, signature: bytes) -> bytes:
    """The complete log message (as a TSE exports it), with its signature."""
    return asn1.tlv(asn1.TAG_SEQUENCE, signed_data(log) + asn1.octet_string(signature))


def decode_log_message(message: bytes) -> tuple[TransactionLog, bytes]:
    """Read a log message written by :func:`encode_log_message`: (fields, signature).

    Strict: raises ValueError for any element out of place, so that what was read re-encodes
    to the very same bytes.
    """
    outer = asn1.read_single(message)
    if outer.tag != asn1.TAG_SEQUENCE:
        raise ValueError("log message is not a SEQUENCE")
    elements = asn1.read_all(outer.content)
    expected_tags = (
        asn1.TAG_INTEGER,
        asn1.TAG_OBJECT_IDENTIFIER,
        *(asn1.CLASS_CONTEXT | n for n in (0, 1, 2, 3, 5)),
        asn1.TAG_OCTET_STRING,
        asn1.TAG_SEQUENCE,
        asn1.TAG_INTEGER,
        asn1.TAG_INTEGER,
        asn1.TAG_OCTET_STRING,
    )
    if tuple(element.tag for element in elements) != expected_tags:
        raise ValueError("log message elements are not those of a transaction log")
    version, data_type, operation, client, data, ptype, number, serial, algo, counter, time = (
        elements[:-1]
    )
    if asn1.decode_integer(version.content) != VERSION:
        raise ValueError("log message version is not 2")
    if asn1.decode_object_identifier(data_type.content) != TRANSACTION_LOG_OID:
        raise ValueError("log message is not a transaction log")
    algorithm_oid = asn1.decode_object_identifier(asn1.read_single(algo.content).content)
    names = {algorithm.oid: algorithm.name for algorithm in ALGORITHMS.values()}
    if algorithm_oid not in names:
        raise ValueError(f"unknown signature algorithm {algorithm_oid}")
    try:
        log_time = datetime.fromtimestamp(asn1.decode_integer(time.content), UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError("log time out of range") from exc
    log = TransactionLog(
        operation_type=operation.content.decode("ascii"),
        client_id=client.content.decode("ascii"),
        process_type=ptype.content.decode("ascii"),
        process_data=data.content.decode("utf-8"),
        transaction_number=asn1.decode_integer(number.content),
        serial_number=serial.content.hex(),
        signature_algorithm=names[algorithm_oid],
        signature_counter=asn1.decode_integer(counter.content),
        log_time=log_time,
    )
    if encode_log_message(log, elements[-1].content) != message:
        raise ValueError("log message is not in canonical DER")
    return log, elements[-1].content


def verify_log_message(message: bytes, public_key: bytes) -> bool:
    """True iff ``message`` is a well-formed log message signed by ``public_key``'s TSE."""
    try:
        log, signature = decode_log_message(message)
    except ValueError:
        return False
    return _verify(log, signature, public_key)


def finish_log_of(tx: FinishedTransaction) -> TransactionLog:
    """The FinishTransaction log message a finished transaction was signed as."""
    return TransactionLog(
        operation_type="FinishTransaction",
        client_id=tx.client_id,
        process_type=tx.process_type,
        process_data=tx.process_data,
        transaction_number=tx.number,
        serial_number=tx.serial_number,
        signature_algorithm=tx.signature_algorithm,
        signature_counter=tx.signature_counter,
        log_time=tx.log_time,
    )


def verify_signature(tx: FinishedTransaction) -> bool:
    """Rebuild the FinishTransaction log message from ``tx`` and check its signature.

    Also checks that the serial number belongs to the public key, so a receipt cannot borrow
    another TSE's key. False (never an exception) for anything malformed.
    """
    if tx.time_format != "unixTime":
        return False
    try:
        log = finish_log_of(tx)
    except ValueError:
        return False
    return _verify(log, tx.signature, tx.public_key)


def _verify(log: TransactionLog, signature: bytes, public_key: bytes) -> bool:
    if serial_number_of(public_key) != log.serial_number:
        return False
    try:
        algorithm = algorithm_named(log.signature_algorithm)
        data = signed_data(log)
    except ValueError:
        return False
    return verify_plain(algorithm, public_key, data, signature)
