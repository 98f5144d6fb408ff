"""``tourkasse hub orders list|publish|deadline``: the operator's orders on the command line.

``list`` prints the orders per visit with their state and each line's decision; ``publish``
sends every truck whose list of confirmed orders changed its next version now (the web
process does the same every few seconds); ``deadline`` sets how many hours before the planned
arrival a stop's orders close.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hub.commands import Refused, config_argument, err, guarded, open_hub, write


def register(sub: argparse._SubParsersAction) -> None:
    orders = sub.add_parser(
        "orders",
        help="Bestellungen der Heime und Dörfer: auflisten, an die Wagen senden, Bestellschluss",
        description="Bestellungen für den nächsten Besuch eines Halts, aufgegeben über den "
        "Link der Anzeige oder das Konto eines Heims (Rolle home).",
    )
    actions = orders.add_subparsers(dest="action", metavar="AKTION", required=True)
    listing = actions.add_parser(
        "list",
        help="Bestellungen je Besuch mit Zustand und Entscheidung je Position",
        description="Bestellungen je Besuch (Tag und Halt) mit Zustand (offen, storniert, "
        "abgeholt, nicht abgeholt) und der Entscheidung je Position. Ohne --day: alle ab heute.",
    )
    listing.add_argument("--day", metavar="JJJJ-MM-TT", help="nur die Besuche dieses Tages")
    config_argument(listing)
    listing.set_defaults(func=guarded(list_orders))
    publish = actions.add_parser(
        "publish",
        help="geänderte Bestelllisten jetzt an die Wagen senden (nächste Version)",
        description="Sendet jedem Wagen, dessen Liste bestätigter Bestellungen sich seit dem "
        "letzten Senden geändert hat, die nächste Version (beim Broker hinterlegt). Das Web "
        "der Zentrale tut das ohnehin alle paar Sekunden.",
    )
    config_argument(publish)
    publish.set_defaults(func=guarded(publish_orders))
    deadline = actions.add_parser(
        "deadline",
        help="Bestellschluss eines Halts: Stunden vor der geplanten Ankunft",
        description="Setzt, wie viele Stunden vor der geplanten Ankunft die Bestellungen für "
        "einen Besuch des Halts schließen (0 bis 336; ohne Angabe gelten 24).",
    )
    deadline.add_argument("stop", metavar="HALT", help="Kurzname des Halts (id in der Tourdatei)")
    deadline.add_argument("hours", metavar="STUNDEN", type=int, help="0 bis 336")
    config_argument(deadline)
    deadline.set_defaults(func=guarded(set_deadline))


def _plan(config, store):  # type: ignore[no-untyped-def]
    from hub.tours.editing import current_plan

    plan = current_plan(store, config.tours.file)
    if plan is None:
        raise Refused("Es gibt keinen Tourplan: [tours] file in der Konfiguration oder /tours")
    return plan


def list_orders(args: argparse.Namespace) -> int:
    from hub.orders.collections import with_collections

    config, store = open_hub(args)
    with store:
        plan = _plan(config, store)
        names = plan.stop_names()
        if args.day:
            try:
                day = date.fromisoformat(args.day)
            except ValueError:
                raise Refused(f"Datum {args.day!r}: erwartet JJJJ-MM-TT") from None
            orders = with_collections(store, store.orders.of_day(day))
        else:
            today = datetime.now(UTC).astimezone(ZoneInfo(config.timezone)).date()
            orders = with_collections(store, store.orders.from_day(today))
    if not orders:
        write("Keine Bestellungen.\n")
        return 0
    lines: list[str] = []
    visit = None
    for order in sorted(orders, key=lambda o: (o.visit, o.stop, int(o.number[2:] or 0))):
        if (order.visit, order.stop) != visit:
            visit = (order.visit, order.stop)
            lines.append(
                f"{_day(order.visit)}, {names.get(order.stop, order.stop)} ({order.stop}), "
                f"Wagen {order.truck}:"
            )
        lines.extend(_order_lines(order))
    write("\n".join(lines) + "\n")
    return 0


def _day(day: date) -> str:
    from tourkasse.german import WEEKDAYS

    return f"{WEEKDAYS[day.weekday()]} {day:%d.%m.%Y}"


def _order_lines(order) -> list[str]:  # type: ignore[no-untyped-def]
    from hub.orders.model import quantity_text
    from tourkasse.money import format_eur

    state = order.state.value
    found = order.collection
    if found is not None and found.receipt is not None:
        state += f" (Bon {found.receipt}, {format_eur(found.total or 0)})"
    channel = "Heim" if order.channel.value == "home" else "Aushang"
    head = (
        f"  {order.number:<7} {state:<12} {order.orderer} ({channel}), "
        f"ca. {format_eur(order.approx_total)}"
    )
    said = [head]
    if order.note:
        said.append(f"          Anmerkung: {' / '.join(order.note.splitlines())}")
    for line in order.lines:
        amount = quantity_text(line.quantity, line.unit)
        decision = line.decision.value + (f": {line.reason}" if line.reason else "")
        said.append(
            f"    {line.line:>2}. {amount:>10} {line.text:<30} für {line.for_whom:<20} {decision}"
        )
    return said


def publish_orders(args: argparse.Namespace) -> int:
    from hub.downloads import PublishError
    from hub.orders.publishing import publish_pending

    config, store = open_hub(args)
    with store:
        plan = _plan(config, store)
        try:
            said = publish_pending(config, store, plan, datetime.now(UTC))
        except PublishError as exc:
            err(f"Nicht gesendet: {exc}")
            return 1
    write("\n".join(said) + "\n" if said else "Nichts zu senden: alle Wagen haben den Stand.\n")
    return 0


def set_deadline(args: argparse.Namespace) -> int:
    from hub.orders.model import OrderRefused
    from hub.orders.service import deadline_hours, set_deadline_hours
    from tourkasse.visits import stop_of

    config, store = open_hub(args)
    with store:
        plan = _plan(config, store)
        if stop_of(plan, args.stop) is None:
            known = ", ".join(sorted(plan.stop_names()))
            raise Refused(f"Unbekannter Halt {args.stop!r} (bekannt: {known})")
        try:
            set_deadline_hours(
                store,
                args.stop,
                args.hours,
                by=f"{getpass.getuser()} (Kommandozeile)",
                now=datetime.now(UTC),
            )
        except OrderRefused as exc:
            raise Refused(str(exc)) from None
        hours = deadline_hours(store, args.stop)
    write(f"Bestellschluss für {args.stop}: {hours} Stunden vor der geplanten Ankunft.\n")
    return 0
