"""ECDSA as TSEs use it: BSI "ecdsa-plain" signatures (r||s, not DER) over NIST curves.

The BSI algorithm names fix curve, hash and signature size together; a TSE signs with
ecdsa-plain-SHA256 on P-256 or ecdsa-plain-SHA384 on P-384. ``cryptography`` produces DER
signatures, so they are converted to and from the fixed-width plain form here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


@dataclass(frozen=True)
class SignatureAlgorithm:
    name: str  # as on receipts, in the QR code and in DSFinV-K tse.csv
    oid: str  # as in the log message (BSI TR-03111 ecdsa-plain-signatures)
    curve_name: str  # "P-256" / "P-384"
    size: int  # bytes of r and of s

    def curve(self) -> ec.EllipticCurve:
        return ec.SECP256R1() if self.curve_name == "P-256" else ec.SECP384R1()

    def hash(self) -> hashes.HashAlgorithm:
        return hashes.SHA256() if self.curve_name == "P-256" else hashes.SHA384()


ECDSA_PLAIN_SHA256 = SignatureAlgorithm(
    "ecdsa-plain-SHA256", "0.4.0.127.0.7.1.1.4.1.3", "P-256", 32
)
ECDSA_PLAIN_SHA384 = SignatureAlgorithm(
    "ecdsa-plain-SHA384", "0.4.0.127.0.7.1.1.4.1.4", "P-384", 48
)

ALGORITHMS: dict[str, SignatureAlgorithm] = {
    algorithm.name: algorithm for algorithm in (ECDSA_PLAIN_SHA256, ECDSA_PLAIN_SHA384)
}


def algorithm_for_curve(curve_name: str) -> SignatureAlgorithm:
    for algorithm in ALGORITHMS.values():
        if algorithm.curve_name == curve_name:
            return algorithm
    raise ValueError(f"unsupported curve {curve_name!r} (P-256 or P-384)")


def algorithm_named(name: str) -> SignatureAlgorithm:
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise ValueError(f"unbekannter Signaturalgorithmus „{name}“") from None


def algorithm_of_key(key: ec.EllipticCurvePrivateKey) -> SignatureAlgorithm:
    if isinstance(key.curve, ec.SECP256R1):
        return ECDSA_PLAIN_SHA256
    if isinstance(key.curve, ec.SECP384R1):
        return ECDSA_PLAIN_SHA384
    raise ValueError(f"unsupported curve {key.curve.name} (P-256 or P-384)")


def public_key_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    """The public key as an X9.62 uncompressed point (04 || x || y), as TSEs publish it."""
    return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def serial_number_of(public_key: bytes) -> str:
    """The TSE serial number: hex SHA-256 of the public key."""
    return hashlib.sha256(public_key).hexdigest()


def sign_plain(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    algorithm = algorithm_of_key(key)
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(algorithm.hash())))
    return r.to_bytes(algorithm.size, "big") + s.to_bytes(algorithm.size, "big")


def verify_plain(
    algorithm: SignatureAlgorithm, public_key: bytes, data: bytes, signature: bytes
) -> bool:
    """True iff ``signature`` (r||s) is valid for ``data`` under ``public_key``."""
    if len(signature) != 2 * algorithm.size or len(public_key) != 1 + 2 * algorithm.size:
        return False
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(algorithm.curve(), public_key)
    except ValueError:
        return False
    r = int.from_bytes(signature[: algorithm.size], "big")
    s = int.from_bytes(signature[algorithm.size :], "big")
    try:
        key.verify(encode_dss_signature(r, s), data, ec.ECDSA(algorithm.hash()))
    except InvalidSignature:
        return False
    return True
