"""The secured broker's rules as text: the ACLs and the listeners, as in ``config/mosquitto/``.

Mosquitto 2.0 has no way to tie a client id to a user in a password file, but a listener can
replace every client's id with its user name (``use_username_as_clientid``). So the broker has
two kinds of listener, each with its own password file and ACL (``per_listener_settings``):

- the trucks' listeners (TLS, and plain where the network is closed): the client id *is* the
  truck id, whatever the truck sends, so truck B can never take over truck A's session; the
  ACL lets a truck write and read only its own topics and read the fleet's;
- the hub's listener (loopback): hub users only, each hub process with its own fixed client id
  (``tourkasse-hub-ingest``, ``tourkasse-hub-web``), all of ``tourkasse/v1/#``.

A truck cannot log in at the hub's listener (it is not in that password file), so it cannot
choose a client id there either. :class:`hub.broker.LocalBroker` writes its configuration with
these functions; a test checks that the files in ``config/mosquitto/`` say the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hub.broker_users import check_hub_user, check_truck_id, password_line

# Patterns apply to every user of the listener; %u is the user name, which is the truck id.
TRUCKS_ACL = """\
pattern write tourkasse/v1/truck/%u/journal
pattern write tourkasse/v1/truck/%u/track
pattern write tourkasse/v1/truck/%u/position
pattern write tourkasse/v1/truck/%u/status
pattern read tourkasse/v1/truck/%u/ack
pattern read tourkasse/v1/truck/%u/resend
pattern read tourkasse/v1/truck/%u/orders
pattern read tourkasse/v1/fleet/+
"""

HUB_ACL = """\
pattern readwrite tourkasse/v1/#
"""


@dataclass(frozen=True)
class BrokerSecurity:
    """The four files of a secured broker: who may log in where, and what each may do."""

    trucks_passwd: Path
    trucks_acl: Path
    hub_passwd: Path
    hub_acl: Path

    @classmethod
    def write(
        cls,
        folder: Path,
        *,
        trucks: Mapping[str, str] | None = None,
        hub: Mapping[str, str] | None = None,
    ) -> BrokerSecurity:
        """Write password files for ``trucks`` and ``hub`` users (name → password) and the ACLs."""
        folder.mkdir(parents=True, exist_ok=True)
        files = cls(
            trucks_passwd=folder / "trucks.passwd",
            trucks_acl=folder / "trucks.acl",
            hub_passwd=folder / "hub.passwd",
            hub_acl=folder / "hub.acl",
        )
        for truck in trucks or {}:
            check_truck_id(truck)
        for name in hub or {}:
            check_hub_user(name)
        files.trucks_passwd.write_text(_passwd(trucks or {}), encoding="utf-8")
        files.hub_passwd.write_text(_passwd(hub or {}), encoding="utf-8")
        files.trucks_acl.write_text(TRUCKS_ACL, encoding="utf-8")
        files.hub_acl.write_text(HUB_ACL, encoding="utf-8")
        return files


@dataclass(frozen=True)
class TlsFiles:
    """The broker's TLS files: the CA that signed its certificate, the certificate, its key."""

    ca: Path
    cert: Path
    key: Path


def _passwd(users: Mapping[str, str]) -> str:
    return "".join(password_line(name, password) + "\n" for name, password in users.items())


def trucks_listener(
    port: int, security: BrokerSecurity, *, tls: TlsFiles | None = None, bind: str = "127.0.0.1"
) -> list[str]:
    """A listener for trucks: client id = user name = truck id, their password file and ACL."""
    lines = [f"listener {port} {bind}"]
    if tls is not None:
        lines += [f"certfile {tls.cert}", f"keyfile {tls.key}", "tls_version tlsv1.2"]
    return [
        *lines,
        "use_username_as_clientid true",
        "allow_anonymous false",
        f"password_file {security.trucks_passwd}",
        f"acl_file {security.trucks_acl}",
    ]


def hub_listener(port: int, security: BrokerSecurity, *, bind: str = "127.0.0.1") -> list[str]:
    """The hub processes' listener: their own password file, each its own fixed client id."""
    return [
        f"listener {port} {bind}",
        "allow_anonymous false",
        f"password_file {security.hub_passwd}",
        f"acl_file {security.hub_acl}",
    ]
