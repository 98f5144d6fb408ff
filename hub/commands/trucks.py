"""``tourkasse hub truck add`` and ``tourkasse hub broker-user``: logins at the broker.

Each makes a strong random password, prints what goes into the truck's (or the hub's) TOML
file and the line for the broker's password file, and with ``--password-file`` appends that
line itself. The password is shown once and kept nowhere else; the broker keeps only its hash.
The ACLs need no lines per truck or per hub user: they are patterns (config/mosquitto/).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

TRUCKS_PASSWD = "/etc/mosquitto/tourkasse/trucks.passwd"
HUB_PASSWD = "/etc/mosquitto/tourkasse/hub.passwd"


def register(sub: argparse._SubParsersAction) -> None:
    truck = sub.add_parser(
        "truck",
        help="Wagen am MQTT-Broker anlegen",
        description="Anmeldungen der Wagen am MQTT-Broker der Zentrale.",
    )
    truck_sub = truck.add_subparsers(dest="action", metavar="AKTION", required=True)
    add = truck_sub.add_parser(
        "add",
        help="Zugang für einen Wagen anlegen: Passwort für seine truck.toml, Zeile für die "
        "Passwortdatei des Brokers",
        description="Erzeugt ein starkes Passwort für den Wagen und gibt die Zeilen für den "
        "Abschnitt [hub] seiner truck.toml und für die Passwortdatei der Wagen aus. "
        "Benutzername und Client-ID am Broker sind die Wagen-ID.",
    )
    add.add_argument("truck", metavar="WAGEN", help="Wagen-ID, wie [truck] id in der truck.toml")
    add.add_argument(
        "--password-file",
        type=Path,
        metavar="DATEI",
        help=f"Zeile gleich an diese Passwortdatei anhängen (z. B. {TRUCKS_PASSWD})",
    )
    add.set_defaults(func=truck_add)

    user = sub.add_parser(
        "broker-user",
        help="Zugang für einen Prozess der Zentrale am MQTT-Broker anlegen",
        description="Erzeugt ein starkes Passwort für einen Benutzer der Zentrale und gibt die "
        "Zeilen für den Abschnitt [mqtt] der hub.toml und für die Passwortdatei der Zentrale "
        "aus. Jeder Prozess (Empfang, Web) braucht zusätzlich seine eigene client_id.",
    )
    user.add_argument("name", metavar="NAME", help="Benutzername, z. B. hub")
    user.add_argument(
        "--password-file",
        type=Path,
        metavar="DATEI",
        help=f"Zeile gleich an diese Passwortdatei anhängen (z. B. {HUB_PASSWD})",
    )
    user.set_defaults(func=broker_user)


def truck_add(args: argparse.Namespace) -> int:
    from hub.broker_users import check_truck_id

    return _add_user(
        args,
        check_truck_id,
        toml=[
            f"In die truck.toml des Wagens {args.truck} (Benutzername und Client-ID am Broker "
            f"sind die Wagen-ID {args.truck}):",
            "",
            "[hub]",
            "enabled = true",
            'password = "{password}"',
        ],
        file_hint=TRUCKS_PASSWD,
        what=f"Wagen {args.truck}",
        user=args.truck,
    )


def broker_user(args: argparse.Namespace) -> int:
    from hub.broker_users import check_hub_user

    return _add_user(
        args,
        check_hub_user,
        toml=[
            "In die hub.toml der Zentrale (jeder Prozess mit eigener client_id, z. B. "
            "tourkasse-hub-ingest und tourkasse-hub-web):",
            "",
            "[mqtt]",
            f'username = "{args.name}"',
            'password = "{password}"',
        ],
        file_hint=HUB_PASSWD,
        what=f"Benutzer {args.name} der Zentrale",
        user=args.name,
    )


def _add_user(
    args: argparse.Namespace,
    check: Callable[[str], None],
    *,
    toml: list[str],
    file_hint: str,
    what: str,
    user: str,
) -> int:
    from hub.broker_users import UserRefused, append_user, new_password, password_line

    password = new_password()
    try:
        check(user)
        if args.password_file is not None:
            line = append_user(args.password_file, user, password)
        else:
            line = password_line(user, password)
    except UserRefused as exc:
        print(f"Abgelehnt: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Nicht möglich: {exc.filename or ''} {exc.strerror or exc}".strip(), file=sys.stderr)
        return 2
    print("\n".join(toml).replace("{password}", password))
    print()
    if args.password_file is not None:
        print(f"In {args.password_file} eingetragen:")
    else:
        print(f"Zeile für die Passwortdatei des Brokers ({file_hint}):")
    print()
    print(line)
    print()
    print(f"{what}: die ACL braucht keine eigene Zeile (sie gilt über Muster).")
    print("Danach liest der Broker die Datei neu ein mit: systemctl reload mosquitto")
    print("Das Passwort steht nur hier – jetzt übernehmen; der Broker kennt nur seinen Hash.")
    return 0
