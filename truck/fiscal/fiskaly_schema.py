"""Between the till's ``Kassenbeleg-V1`` processData and fiskaly's ``standard_v1`` receipt.

The till speaks processData (``Beleg^2.90_0.00_0.00_0.00_2.10^5.00:Unbar``); fiskaly takes the
same figures as JSON and builds the processData it signs from them. So the JSON is made from
the till's processData, with payment types in processData's order (cash first), and the answer
is read back from fiskaly's QR code data, which carries what was really signed.

BON_TYP → receipt_type as fiskaly documents them (DSFinV-K names on the left). A void is an
ordinary ``RECEIPT`` with negative amounts (fiskaly's guidance for TSS systems), cash movements
and the opening float are ``TRANSFER``, an abandoned receipt is ``CANCELLATION``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_public_key,
)

from tourkasse.money import format_plain
from tourkasse.vat import VatRate
from truck.fiscal.process_data import PROCESS_TYPE, parse_process_data
from truck.fiscal.tse import FinishedTransaction, TseUnavailable

RECEIPT_TYPES: dict[str, str] = {
    "Beleg": "RECEIPT",
    "AVTransfer": "TRANSFER",
    "AVBestellung": "ORDER",
    "AVTraining": "TRAINING",
    "AVBelegstorno": "ANNULATION",
    "AVBelegabbruch": "CANCELLATION",
    "AVSachbezug": "BENEFIT_IN_KIND",
    "AVSonstige": "OTHER",
    "AVRechnung": "INVOICE",
}
BON_TYPES: dict[str, str] = {value: key for key, value in RECEIPT_TYPES.items()}
BON_TYPES["ABORT"] = "AVBelegabbruch"  # fiskaly's alias of CANCELLATION

# fiskaly's rate names in processData's slot order; the shop uses NORMAL, REDUCED_1 and NULL.
VAT_RATES: dict[VatRate, str] = {
    VatRate.NORMAL: "NORMAL",
    VatRate.REDUCED: "REDUCED_1",
    VatRate.ZERO: "NULL",
}
RATE_SLOTS = ("NORMAL", "REDUCED_1", "SPECIAL_RATE_1", "SPECIAL_RATE_2", "NULL")
PAYMENT_TYPES: dict[str, str] = {"Bar": "CASH", "Unbar": "NON_CASH"}


def receipt_schema(process_type: str, process_data: str) -> dict[str, Any]:
    """The ``schema`` of a transaction PUT for the till's processData."""
    if process_type != PROCESS_TYPE:
        raise ValueError(f"fiskaly signiert nur {PROCESS_TYPE}, nicht „{process_type}“")
    bon_type, gross, payments = parse_process_data(process_data)
    return {
        "standard_v1": {
            "receipt": {
                "receipt_type": RECEIPT_TYPES[bon_type],
                "amounts_per_vat_rate": [
                    {"vat_rate": VAT_RATES[rate], "amount": format_plain(cents)}
                    for rate, cents in gross.items()
                    if cents
                ],
                "amounts_per_payment_type": [
                    {"payment_type": PAYMENT_TYPES[kind], "amount": format_plain(cents)}
                    for cents, kind in payments
                ],
            }
        }
    }


def process_data_of_schema(schema: Mapping[str, Any]) -> str:
    """The processData fiskaly signs for a ``standard_v1`` receipt (used by the test stand-in)."""
    receipt = schema["standard_v1"]["receipt"]
    bon_type = BON_TYPES[receipt["receipt_type"]]
    slots = dict.fromkeys(RATE_SLOTS, "0.00")
    for item in receipt.get("amounts_per_vat_rate", []):
        slots[item["vat_rate"]] = item["amount"]
    payments = "_".join(
        f"{item['amount']}:{BON_PAYMENT[item['payment_type']]}"
        for item in receipt.get("amounts_per_payment_type", [])
    )
    return f"{bon_type}^{'_'.join(slots[slot] for slot in RATE_SLOTS)}^{payments}"


BON_PAYMENT = {value: key for key, value in PAYMENT_TYPES.items()}


def finished_of_answer(answer: Mapping[str, Any]) -> FinishedTransaction:
    """A finished or cancelled fiskaly transaction as the till's :class:`FinishedTransaction`.

    processType and processData come from ``qr_code_data`` (the V0 string of the receipt's QR
    code), because that is what fiskaly signed. Raises TseUnavailable for an answer that lacks
    what a receipt must show, so the till sells on in failure mode instead of printing less.
    """
    try:
        signature = answer["signature"]
        log = answer["log"]
        fields = str(answer["qr_code_data"]).split(";")
        if len(fields) != 12:
            raise ValueError("qr_code_data hat nicht zwölf Felder")
        return FinishedTransaction(
            number=int(answer["number"]),
            client_id=str(answer["client_serial_number"]),
            process_type=fields[2],
            process_data=fields[3],
            start_time=unix_time(answer["time_start"]),
            log_time=unix_time(log["timestamp"]),
            signature_counter=int(signature["counter"]),
            signature=base64.b64decode(signature["value"], validate=True),
            serial_number=str(answer["tss_serial_number"]),
            signature_algorithm=str(signature["algorithm"]),
            time_format=str(log["timestamp_format"]),
            public_key=public_key_point(signature["public_key"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise TseUnavailable(
            f"TSE nicht erreichbar: fiskaly-Antwort unvollständig ({type(exc).__name__}: {exc})"
        ) from exc


def public_key_point(text: Any) -> bytes:
    """A base64 public key as the X9.62 uncompressed point receipts and QR codes carry.

    fiskaly's description says only "base64"; an SPKI (DER) key is converted, so either form
    gives the same point, and the serial number (its SHA-256) comes out right.
    """
    data = base64.b64decode(str(text), validate=True)
    if data[:1] == b"\x04" and len(data) in (65, 97):
        return data
    key = load_der_public_key(data)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("kein EC-Schlüssel")
    return key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def unix_time(value: Any) -> datetime:
    """fiskaly's times are Unix seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"keine Unix-Zeit: {value!r}")
    return datetime.fromtimestamp(value, UTC)
