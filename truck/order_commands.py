"""``tourkasse truck orders``: the picking list on the terminal, before departure.

Per stop (in the order the day's tour reaches them), per order, per resident or household:
what was ordered, with the approximate weight of goods by weight and each order's approximate
total; at the end what to load in all, per article. Read from the truck's own database
(the orders the agent received, and what the journal says became of them); writes nothing.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from tourkasse.article import Unit
from tourkasse.config import ConfigError
from tourkasse.german import WEEKDAY_NAMES, german_order
from tourkasse.money import format_eur
from tourkasse.orders import OrderedLine
from tourkasse.receipt_text import LOCAL
from truck.cli_support import Refused, journal_db
from truck.config import load_truck_config
from truck.core.order_basket import grams_text, quantity_text
from truck.store import downloads
from truck.store import orders as order_store
from truck.store.orders import StopOrders


def add_commands(sub, command, with_config) -> None:
    """Register ``orders`` in the truck's parser (see truck/cli.py)."""
    cmd = with_config(
        command(
            sub,
            "orders",
            "Packliste der Bestellungen: je Halt, je Bestellung, je Bewohner, mit Mengen, "
            "ungefähren Gewichten und Summen",
            picking_list,
        )
    )
    cmd.add_argument(
        "--day", metavar="JJJJ-MM-TT", help="Besuchstag (Vorgabe: heute, Ortszeit der Tour)"
    )
    cmd.add_argument("--stop", metavar="HALT", help="nur dieser Halt (Kennung aus dem Tourplan)")


def picking_list(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    db = journal_db(config)
    try:
        try:
            plan = downloads.tour_plan(db, config.tour.file)
        except ConfigError:
            plan = None
        zone = ZoneInfo(plan.timezone) if plan is not None else LOCAL
        day = _day(args.day, zone)
        version = order_store.version(db)
        found = order_store.orders_of_day(db, day)
        stops = order_store.stops_in_tour_order(plan, day, config.truck.id)
    finally:
        db.close()
    if args.stop:
        if plan is not None and args.stop not in plan.stop_names():
            raise Refused(f"Halt „{args.stop}“ gibt es im Tourplan nicht")
        found = [item for item in found if item.order.stop == args.stop]
    when = f"{WEEKDAY_NAMES[day.weekday()]}, {day:%d.%m.%Y}"
    if version is None:
        print(f"Packliste {when}: noch keine Bestellungen von der Zentrale erhalten.")
        return 0
    print(f"Packliste {when} – Wagen {config.truck.id} – Bestellungen Version {version}")
    groups = order_store.group_by_stop(found, stops)
    if not groups:
        where = f" für Halt {_plain(args.stop)}" if args.stop else ""
        print(f"Keine Bestellungen{where} an diesem Tag.")
        return 0
    for group in groups:
        print()
        print(_stop_text(group))
    orders = [item for group in groups for item in group.orders]
    total = sum(item.order.approx_total for item in orders)
    count = "1 Bestellung" if len(orders) == 1 else f"{len(orders)} Bestellungen"
    print()
    print(f"Zusammen: {count}, ca. {format_eur(total)}")
    print("Zu laden (offene Bestellungen):")
    for line in _to_load([line for item in orders if item.is_open for line in item.order.lines]):
        print(f"  {line}")
    return 0


def _day(text: str | None, zone: ZoneInfo) -> date:
    if not text:
        return datetime.now(UTC).astimezone(zone).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(f"--day {text!r} ist kein Datum (JJJJ-MM-TT)") from None


def _stop_text(group: StopOrders) -> str:
    lines = [f"{_plain(group.name)} ({_plain(group.stop)})"]
    for item in group.orders:
        order = item.order
        lines.append(
            f"  {_plain(order.number)}  {item.state.value}"
            + (f" (Bon {item.receipt})" if item.receipt else "")
            + f"  – bestellt von {_plain(order.orderer)}, ca. {format_eur(order.approx_total)}"
        )
        if order.note.strip():
            first, *more = _note_lines(order.note)
            lines.append(f"    Notiz: {first}")
            lines.extend(f"           {text}" for text in more)
        for whom in order.households:
            lines.append(f"    {_plain(whom)}")
            for line in order.lines:
                if line.for_whom == whom:
                    amount = f"ca. {format_eur(line.approx_total)}"
                    lines.append(
                        f"      {quantity_text(line):>12}  {_plain(line.text):<30} {amount:>13}"
                    )
    return "\n".join(lines)


def _to_load(lines: list[OrderedLine]) -> list[str]:
    """Pieces and grams per article, sorted by article text as a German list."""
    sums: dict[tuple[str, Unit], tuple[str, int]] = {}
    for line in lines:
        key = (line.article, line.unit)
        text, amount = sums.get(key, (line.text, 0))
        sums[key] = (text, amount + line.quantity)
    rows = []
    for (article, unit), (text, amount) in sorted(
        sums.items(), key=lambda kv: german_order(kv[1][0])
    ):
        how = f"ca. {grams_text(amount)}" if unit is Unit.KG else f"{amount} ×"
        rows.append(f"{how:>14}  {_plain(text)} ({_plain(article)})")
    return rows or ["nichts"]


def _note_lines(note: str) -> list[str]:
    """A note as the lines it was typed in (blank ends dropped), each made plain."""
    return [_plain(text) for text in re.split(r"\r\n|\r|\n", note.strip())]


def _plain(text: str) -> str:
    """Order text as it may go to a terminal: control characters (escape sequences) made
    visible instead of acted on."""
    return "".join("�" if unicodedata.category(c) == "Cc" else c for c in text)
