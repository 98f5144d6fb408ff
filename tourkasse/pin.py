"""Staff PINs, kept only as salted PBKDF2 hashes in the configuration."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ITERATIONS = 100_000
PREFIX = "pbkdf2_sha256"


def hash_pin(pin: str, *, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    if not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise ValueError("Die PIN besteht aus 4 bis 8 Ziffern")
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), iterations).hex()
    return f"{PREFIX}${iterations}${salt}${digest}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        prefix, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if prefix != PREFIX or not iterations.isdigit():
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)


def looks_hashed(stored: str) -> None:
    """Config check: a PIN must be stored hashed, never in plain digits."""
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[1].isdigit():
        raise ValueError(
            "PIN nur als Hash eintragen – erzeugen mit: tourkasse truck staff pin-hash"
        )
