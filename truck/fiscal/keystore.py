"""The software TSE's private key on disk: created once, atomically, readable only by its owner.

The key *is* the TSE's identity (its serial number is the SHA-256 of the public key), so it must
never be half-written or silently replaced: it is written to a temporary file, flushed to disk and
then hard-linked into place, which fails if another process got there first — that process's key
then wins and both use it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from tourkasse.durable import fsync_path
from truck.fiscal.signing import algorithm_for_curve


def create_key(path: Path, curve_name: str) -> None:
    """Create a new key at ``path`` unless one exists already (mode 0600)."""
    key = ec.generate_private_key(algorithm_for_curve(curve_name).curve())
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)  # the umask could only have narrowed it; be explicit
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_path(path.parent)


def load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """Read the key; raises OSError or ValueError if it is missing, unreadable or not EC."""
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} holds no elliptic-curve key")
    return key
