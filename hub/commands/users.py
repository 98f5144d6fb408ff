"""``tourkasse hub user add|list``: who may log in to the hub's web, with which roles.

``add`` asks for the password twice (or reads one line with ``--password-stdin``, for scripts)
and stores only its argon2 hash. Adding a user who exists gives them the new password and
roles, and ends their sessions.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

from hub.commands import say_config_error
from tourkasse.config import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser(
        "user",
        help="Benutzer des Webs der Zentrale anlegen und auflisten",
        description="Benutzer des Webs der Zentrale, mit ihren Rollen: admin (Verwaltung), "
        "operator (Disposition), accountant (Buchhaltung), home (Heim: bestellt für seinen "
        "Halt, mit --stop).",
    )
    actions = user.add_subparsers(dest="action", metavar="AKTION", required=True)
    add = actions.add_parser(
        "add",
        help="Benutzer anlegen oder Passwort und Rollen neu setzen",
        description="Legt einen Benutzer an (oder setzt Passwort und Rollen eines vorhandenen "
        "neu und beendet seine Sitzungen). Das Passwort wird zweimal abgefragt; gespeichert "
        "wird nur sein Hash (argon2).",
    )
    add.add_argument("name", metavar="NAME", help="Benutzername für die Anmeldung")
    add.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="ROLLE",
        help="admin, operator, accountant oder home; mehrmals angeben für mehrere Rollen",
    )
    add.add_argument(
        "--stop",
        metavar="HALT",
        help="nur mit --role home: der Halt (Kurzname im Tourplan), für den das Heim bestellt",
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="Passwort als eine Zeile von der Standardeingabe lesen (für Skripte)",
    )
    add.add_argument(
        "--config", type=Path, required=True, metavar="DATEI", help="Konfiguration der Zentrale"
    )
    add.set_defaults(func=user_add)
    listing = actions.add_parser("list", help="Benutzer mit ihren Rollen auflisten")
    listing.add_argument(
        "--config", type=Path, required=True, metavar="DATEI", help="Konfiguration der Zentrale"
    )
    listing.set_defaults(func=user_list)

    token = actions.add_parser(
        "token",
        help="API-Tokens für Programme der Buchhaltung anlegen, auflisten, widerrufen",
        description="Ein API-Token lässt ein Programm die JSON-API (/api/…) mit den Rollen "
        "seines Benutzers lesen, ohne Anmeldung: Kopfzeile „Authorization: Bearer TOKEN“. Es "
        "liest nur; Formulare und Seiten brauchen eine Anmeldung.",
    )
    token_actions = token.add_subparsers(dest="token_action", metavar="AKTION", required=True)
    for name, text, func in (
        ("add", "neues Token anlegen (wird einmal angezeigt)", token_add),
        ("revoke", "Token widerrufen", token_revoke),
    ):
        action = token_actions.add_parser(name, help=text, description=text)
        action.add_argument("name", metavar="NAME", help="Benutzer, dem das Token gehört")
        action.add_argument(
            "--label", required=True, metavar="TEXT", help="wofür, z. B. „DATEV-Abruf“"
        )
        action.add_argument("--config", type=Path, required=True, metavar="DATEI")
        action.set_defaults(func=func)
    tokens = token_actions.add_parser("list", help="Tokens mit Benutzer und letzter Nutzung")
    tokens.add_argument("--config", type=Path, required=True, metavar="DATEI")
    tokens.set_defaults(func=token_list)


def _store(path: Path):  # -> HubStore; imported late: the database drivers are heavy
    from hub.config import load_hub_config
    from hub.store import StoreError, open_store

    try:
        config = load_hub_config(path)
    except ConfigError as exc:
        say_config_error(exc)
        raise SystemExit(2) from None
    try:
        return open_store(config.store.url, timezone=config.timezone)
    except StoreError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Passwort: ")
    if getpass.getpass("Passwort wiederholen: ") != first:
        print("Fehler: die beiden Passwörter sind nicht gleich.", file=sys.stderr)
        raise SystemExit(2)
    return first


def user_add(args: argparse.Namespace) -> int:
    from hub import access

    problem = (
        access.name_problem(args.name)
        or access.roles_problem(args.role)
        or access.stop_problem(args.role, args.stop)
    )
    if problem:
        print(f"Fehler: {problem}", file=sys.stderr)
        return 2
    password = _password(args.password_stdin)
    try:
        hashed = access.hash_password(password)
    except access.AccessError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
    with _store(args.config) as store:
        if args.stop and (problem := _unknown_stop(args.config, store, args.stop)):
            print(f"Fehler: {problem}", file=sys.stderr)
            return 2
        new = store.users.put(
            args.name, hashed, frozenset(args.role), datetime.now(UTC), stop=args.stop
        )
    roles = ", ".join(f"{role} ({access.ROLES[role][0]})" for role in sorted(set(args.role)))
    if args.stop:
        roles += f", Halt {args.stop}"
    if new:
        print(f"Benutzer {args.name} angelegt, Rollen: {roles}.")
    else:
        print(
            f"Benutzer {args.name}: Passwort und Rollen neu gesetzt ({roles}); "
            "offene Sitzungen beendet."
        )
    return 0


def user_list(args: argparse.Namespace) -> int:
    with _store(args.config) as store:
        users = store.users.all()
    if not users:
        print(
            "Noch keine Benutzer. Anlegen: tourkasse hub user add NAME --role operator --config …"
        )
        return 0
    for user in users:
        stop = f" (Halt {user.stop})" if user.stop else ""
        print(f"{user.name:20} {', '.join(sorted(user.roles))}{stop}")
    return 0


def _unknown_stop(path: Path, store, stop: str) -> str | None:
    """Why ``stop`` is no stop of the tour plan the hub goes by; None when it is one (or when
    the hub has no tour plan yet: the stop is then checked by nothing but the plan to come)."""
    from hub.config import load_hub_config
    from hub.tours.editing import current_plan
    from tourkasse.visits import stop_of

    try:
        plan = current_plan(store, load_hub_config(path).tours.file)
    except ConfigError:
        return None  # a broken tour file is said where it is used
    if plan is None or stop_of(plan, stop) is not None:
        return None
    known = ", ".join(sorted({s.id for tour in plan.tours for s in tour.stops}))
    return f"Halt „{stop}“ gibt es im Tourplan nicht (bekannt: {known})"


def token_add(args: argparse.Namespace) -> int:
    from hub import access

    with _store(args.config) as store:
        try:
            token = access.new_api_token(store.users, args.name, args.label, datetime.now(UTC))
        except access.AccessError as exc:
            print(f"Fehler: {exc}", file=sys.stderr)
            return 2
    print(f"API-Token „{args.label}“ für {args.name} (wird nur jetzt angezeigt):")
    print(token)
    return 0


def token_revoke(args: argparse.Namespace) -> int:
    with _store(args.config) as store:
        done = store.users.revoke_token(args.name, args.label)
    if not done:
        print(f"Fehler: {args.name} hat kein Token „{args.label}“.", file=sys.stderr)
        return 2
    print(f"Token „{args.label}“ von {args.name} widerrufen.")
    return 0


def token_list(args: argparse.Namespace) -> int:
    with _store(args.config) as store:
        tokens = store.users.tokens()
    if not tokens:
        print("Keine API-Tokens.")
    for item in tokens:
        used = f"{item.last_used_at:%d.%m.%Y %H:%M} UTC" if item.last_used_at else "nie"
        print(
            f"{item.user:20} {item.label:30} angelegt {item.created_at:%d.%m.%Y}, benutzt: {used}"
        )
    return 0
