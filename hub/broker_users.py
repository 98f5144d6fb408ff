"""Logins at the broker: strong passwords, Mosquitto's own password hash, the password files.

Mosquitto 2 reads password files of ``name:hash`` lines, the hash in its ``$7$`` format
(PBKDF2-SHA512: ``$7$<iterations>$<salt, base64>$<key, base64>``), the same that
``mosquitto_passwd`` writes. We compute it here, so adding a truck needs no broker tools on the
office PC, and check names before they go into a file: a truck's name is its MQTT user name,
its client id and a level of its topics.

The broker keeps two password files (docs/operations.md): one for the trucks' listeners and
one for the hub's listener. A truck's name may not begin with ``tourkasse-``: that is where
the hub's processes have their client ids, and client ids are one namespace across listeners.
"""

from __future__ import annotations

import base64
import contextlib
import grp
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from tourkasse.protocol import truck_topic

HUB_USER = re.compile(r"[A-Za-z0-9_-]{1,64}")
RESERVED_PREFIX = "tourkasse-"  # the hub processes' client ids (tourkasse-hub-ingest, …)
ITERATIONS = 101  # mosquitto_passwd's own; the passwords are random, not guessable words
SALT_BYTES = 12
PASSWORD_BYTES = 24  # 192 random bits, 32 characters of [A-Za-z0-9_-]


class UserRefused(ValueError):
    """A name that cannot go into a password file; str() says why, in German."""


def new_password() -> str:
    """A strong random password that needs no quoting in TOML or a shell."""
    return secrets.token_urlsafe(PASSWORD_BYTES)


def password_hash(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """Mosquitto's ``$7$`` hash of ``password``, as ``mosquitto_passwd`` writes it."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    key = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return f"$7${iterations}${_b64(salt)}${_b64(key)}"


def check_password(password: str, hashed: str) -> bool:
    """Does ``password`` match a ``$7$`` hash? (what the broker checks at login)"""
    parts = hashed.split("$")
    if len(parts) != 5 or parts[1] != "7" or not parts[2].isdigit():
        return False
    salt, key = base64.b64decode(parts[3]), base64.b64decode(parts[4])
    got = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, int(parts[2]))
    return hmac.compare_digest(got, key)


def password_line(user: str, password: str) -> str:
    return f"{user}:{password_hash(password)}"


def check_truck_id(truck: str) -> None:
    try:
        truck_topic(truck, "journal")  # the protocol's rule: a whole topic level, 1–32 chars
    except ValueError:
        raise UserRefused(
            f"Ungültige Wagen-ID {truck!r}: erlaubt sind 1 bis 32 Zeichen aus Buchstaben "
            "(ohne Umlaute), Ziffern und -"
        ) from None
    if truck.lower().startswith(RESERVED_PREFIX):
        raise UserRefused(
            f"Ungültige Wagen-ID {truck!r}: Namen mit {RESERVED_PREFIX}… sind den Prozessen "
            "der Zentrale vorbehalten (ihre Client-IDs)"
        )


def check_hub_user(name: str) -> None:
    if not HUB_USER.fullmatch(name):
        raise UserRefused(
            f"Ungültiger Benutzername {name!r}: erlaubt sind 1 bis 64 Zeichen aus Buchstaben "
            "(ohne Umlaute), Ziffern, - und _"
        )


def users_in(password_file: Path) -> list[str]:
    """The user names in a password file (a missing file has none)."""
    try:
        text = password_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [
        line.split(":", 1)[0].strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def append_user(password_file: Path, user: str, password: str) -> str:
    """Add ``user`` to a password file (created if missing) and return the line written.

    Refuses a name that is there already, also in other upper/lower case: topics and user
    names are case-sensitive, but two trucks ``t01`` and ``T01`` are a typing slip.
    """
    for known in users_in(password_file):
        if known.lower() == user.lower():
            same = "" if known == user else f" (als {known})"
            raise UserRefused(
                f"{user} steht schon in {password_file}{same}; für ein neues Passwort erst "
                "die Zeile dort löschen"
            )
    line = password_line(user, password)
    created = not password_file.exists()
    before = b"" if created else password_file.read_bytes()
    # a new file: not world-readable (mode 640), but readable by the broker's group
    fd = os.open(password_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with open(fd, "a", encoding="utf-8") as out:
        if before and not before.endswith(b"\n"):
            out.write("\n")
        out.write(line + "\n")
    if created:
        _group_mosquitto(password_file)
    return line


def _group_mosquitto(path: Path) -> None:
    """Mosquitto reads its files as the user mosquitto (it drops root before reading them)."""
    os.chmod(path, 0o640)  # whatever the umask made of it
    with contextlib.suppress(KeyError, PermissionError):
        os.chown(path, -1, grp.getgrnam("mosquitto").gr_gid)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
