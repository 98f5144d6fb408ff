"""``tourkasse hub board``: the stops' public arrival boards from the command line.

``board list`` shows each stop of the plan with its board's link and today's state; ``board
link STOP`` prints the link (made on first use), ``--renew`` replaces it so the old one shows
nothing. The operator's page ``/arrivals`` does the same on the web.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hub.commands import Refused, config_argument, guarded, open_hub, write


def register(sub: argparse._SubParsersAction) -> None:
    board = sub.add_parser(
        "board",
        help="Anzeigen der Halte: Links ausgeben, erneuern, heutige Ankunftszeiten",
        description="Jeder Halt hat eine öffentliche Anzeige seiner Ankunftszeit unter einem "
        "nicht zu erratenden Link (für das Tablet im Seniorenheim, das Handy der Kunden).",
    )
    board_sub = board.add_subparsers(dest="action", metavar="AKTION", required=True)
    listing = board_sub.add_parser(
        "list",
        help="jeder Halt mit dem Link seiner Anzeige und dem, was sie heute sagt",
        description="Jeder Halt des Tourplans mit dem Link seiner Anzeige (falls schon einer "
        "vergeben ist) und dem, was die Anzeige jetzt sagt.",
    )
    _base_url(listing)
    config_argument(listing)
    listing.set_defaults(func=guarded(list_boards))
    link = board_sub.add_parser(
        "link",
        help="der Link der Anzeige eines Halts (beim ersten Mal neu); --renew: ein neuer Link",
        description="Gibt den Link der Anzeige eines Halts aus und legt ihn beim ersten Mal an. "
        "Mit --renew gibt es einen neuen Link; der alte zeigt dann nichts mehr.",
    )
    link.add_argument("stop", metavar="HALT", help="Kurzname des Halts (id in der Tourdatei)")
    link.add_argument("--renew", action="store_true", help="neuer Link, der alte gilt nicht mehr")
    _base_url(link)
    config_argument(link)
    link.set_defaults(func=guarded(board_link))


def _base_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="Adresse des Webs, wie Außenstehende es erreichen (ohne: host und port aus [web])",
    )


def _plan_and_url(args: argparse.Namespace, config, store):  # type: ignore[no-untyped-def]
    from hub.tours.editing import current_plan

    plan = current_plan(store, config.tours.file)
    if plan is None:
        raise Refused("Es gibt keinen Tourplan: [tours] file in der Konfiguration oder /tours")
    base = args.base_url or f"http://{config.web.host}:{config.web.port}"
    return plan, base.rstrip("/")


def board_link(args: argparse.Namespace) -> int:
    from tourkasse.visits import stop_of

    config, store = open_hub(args)
    with store:
        plan, base = _plan_and_url(args, config, store)
        if stop_of(plan, args.stop) is None:
            known = ", ".join(sorted(plan.stop_names()))
            raise Refused(f"Unbekannter Halt {args.stop!r} (bekannt: {known})")
        now = datetime.now(UTC)
        by = f"{getpass.getuser()} (Kommandozeile)"
        made = store.board_links.renew(args.stop, by, now) if args.renew else None
        link = made or store.board_links.ensure(args.stop, by, now)
    write(f"{base}/tafel/{link.token}\n")
    return 0


def list_boards(args: argparse.Namespace) -> int:
    from hub.arrivals.forecast import arrivals_today

    config, store = open_hub(args)
    with store:
        plan, base = _plan_and_url(args, config, store)
        zone = ZoneInfo(plan.timezone)
        today = {
            a.stop: a.text(zone)
            for a in arrivals_today(store, plan, datetime.now(UTC), config.arrivals)
        }
        links = store.board_links.all()
    lines = []
    for stop_id, name in plan.stop_names().items():
        link = f"{base}/tafel/{links[stop_id].token}" if stop_id in links else "(noch kein Link)"
        said = today.get(stop_id, "heute kein Besuch")
        lines.append(f"{stop_id:<16} {name:<36} {link}\n{'':<16} {said}")
    write("\n".join(lines) + "\n")
    return 0
