"""What the truck's commands do. Output and errors are German, for the people at the truck."""

from __future__ import annotations

import argparse
import base64
import getpass
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tourkasse.article_list import load_article_list
from tourkasse.config import ConfigError
from tourkasse.dsfinvk.master import MasterData
from tourkasse.journal import Entry
from tourkasse.money import format_eur, parse_eur
from tourkasse.pin import hash_pin
from tourkasse.receipt import Receipt, Staff
from tourkasse.receipt_text import receipt_lines
from tourkasse.signature import TseFields
from tourkasse.tour import load_tour_plan
from tourkasse.vat import VatRate
from truck.cli_support import Refused, journal_db, summary
from truck.config import load_truck_config
from truck.core.basket import WeighedPrice
from truck.fiscal.tse import TseError
from truck.fiscal.unavailable import UnavailableTse
from truck.store import articles, downloads, stops
from truck.store.database import StoreError, describe_error, open_database
from truck.store.journal import ClockBehindJournal
from truck.store.lock import TillBusy, TillLock
from truck.till.counter import Counter, CounterError
from truck.till.opening import OpenedTill, open_till, wall_clock
from truck.till.signing import CommitRefused
from truck.till.till import CashMovement, Till, TillError

MOVEMENTS_HELP = {
    "in": "Einzahlung in die Kasse (z. B. Wechselgeld von der Bank)",
    "out": "Auszahlung aus der Kasse (z. B. Rechnung bar bezahlt)",
    "private-in": "Privateinlage des Inhabers",
    "private-out": "Privatentnahme des Inhabers",
    "transit": "Geldtransit: Bargeld zur Bank oder in den Tresor",
}
MOVEMENTS = {
    "in": CashMovement.EINZAHLUNG,
    "out": CashMovement.AUSZAHLUNG,
    "private-in": CashMovement.PRIVATEINLAGE,
    "private-out": CashMovement.PRIVATENTNAHME,
    "transit": CashMovement.GELDTRANSIT,
}


def run(args: argparse.Namespace) -> int:
    func: Callable[[argparse.Namespace], int | None] = args.func
    try:
        return func(args) or 0
    except ConfigError as exc:
        files = sorted({problem.file for problem in exc.problems})
        _err(f"Fehler in {', '.join(files)} ({len(exc.problems)}):")
        for problem in exc.problems:
            _err(f"  {problem}")
        return 2
    except StoreError as exc:
        _err(str(exc))
        return 2
    except sqlite3.Error as exc:
        _err(describe_error(args.config, exc).replace(str(args.config), "des Wagens"))
        return 2
    except TillBusy as exc:
        _err(str(exc))
        return 1
    except ClockBehindJournal as exc:
        _err(str(exc))
        _err("Wenn die Uhrzeit stimmt: tourkasse truck clock override --staff NR --reason TEXT")
        return 1
    except (Refused, CounterError, TillError, TseError, CommitRefused, ValueError) as exc:
        _err(f"Abgelehnt: {exc}")
        return 1
    except OSError as exc:
        _err(f"Nicht möglich: {exc.filename or ''} {exc.strerror or exc}".strip())
        return 2


def _err(text: str) -> None:
    print(text, file=sys.stderr)


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[OpenedTill]:
    shop = open_till(load_truck_config(args.config))
    try:
        for outcome in shop.recovered:
            entry = outcome if isinstance(outcome, Entry) else outcome.entry
            print(f"Nach Neustart abgeschlossen: {summary(entry.body)}")
        yield shop
    finally:
        shop.close()


# --- config and articles ------------------------------------------------------------------


def config_check(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    from truck.pos.start import scale_handshake  # imports the device drivers: only here

    scale_handshake(config)  # the scale vendor's values, in a file of their own
    if config.tour.file is not None:
        load_tour_plan(config.tour.file)  # the tours, in a file of their own (shared with the hub)
    print(
        f"Konfiguration in Ordnung: {args.config} – {config.shop.name}, Wagen {config.truck.id}, "
        f"Kasse {config.truck.till_serial}, Journal {config.paths.journal}"
    )
    return 0


def articles_import(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    article_list = load_article_list(args.file)
    db = open_database(config.paths.journal)
    try:
        articles.replace_articles(db, article_list.articles, article_list.departments)
    finally:
        db.close()
    print(
        f"{len(article_list.articles)} Artikel und {len(article_list.departments)} "
        f"Warengruppentasten aus {args.file} eingelesen."
    )
    return 0


def articles_list(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    db = journal_db(config)
    try:
        found = articles.search(db, args.search, limit=500)
    finally:
        db.close()
    if not found:
        print("Keine Artikel gefunden." if args.search else "Keine Artikelliste eingelesen.")
        return 0
    for article in found:
        unit = "/kg" if article.unit.value == "kg" else ""
        base = article.base_price()
        base_text = f"  ({format_eur(base[0])}/{base[1]})" if base and unit == "" else ""
        print(
            f"{article.number:>6}  {article.name:<32} {format_eur(article.price):>10}{unit}"
            f"  {article.vat_rate.percent_text:>4}{base_text}"
        )
    return 0


# --- selling ------------------------------------------------------------------------------


def _amount(text: str | None, what: str) -> int | None:
    if text is None:
        return None
    cents = parse_eur(text)
    if cents < 0:
        raise Refused(f"{what} darf nicht negativ sein")
    return cents


def sell(args: argparse.Namespace) -> int:
    staff = Staff(args.staff, args.staff_name or args.staff) if args.staff else None
    cash = _amount(args.cash, "Der bar gegebene Betrag")
    card = _amount(args.card, "Der Kartenbetrag") or 0
    with opened(args) as shop:
        # between receipts: a new article list or tour plan the agent received applies now
        for applied in (downloads.apply_pending_articles, downloads.apply_pending_tours):
            message = applied(shop.db, clock=wall_clock)
            if message is not None:
                print(message)
        counter = Counter(
            shop.till,
            shop.db,
            staff=staff,
            training=args.training,
            instore=shop.instore_prefixes(),
            till_may_compute_weight_prices=shop.config.scale.till_computed_price,
            start_tse_on_first_line=False,
        )
        if not args.items and not args.back:
            raise Refused("Keine Posten angegeben (z. B. 4006381001014 oder 3x2001)")
        for item in args.items:
            try:
                _enter(counter, item)
            except CounterError as exc:
                raise Refused(f"„{item}“: {exc}") from exc
        for item in args.back:
            quantity, code = _quantity_and_code(item, item.strip())
            try:
                counter.take_back(code, quantity)
            except CounterError as exc:
                raise Refused(f"--back „{item}“: {exc}") from exc
        tours = downloads.has_tours(shop.db, shop.config.tour.file)
        counter.stop = stops.receipt_tag(shop.db, tours=tours)
        done = counter.pay(cash_tendered=cash, card=card)
        _print_receipt(shop, done.number, done.receipt, done.signed.tse, done.entry.at)
    return 0


def _enter(counter: Counter, item: str) -> None:
    text = item.strip()
    if "=" in text:
        key, price = text.split("=", 1)
        counter.department(key.strip(), parse_eur(price))
    elif "@" in text:
        number, grams = text.split("@", 1)
        if not grams.strip().isdigit():
            raise Refused(f"„{item}“: Gewicht in ganzen Gramm angeben, z. B. 4001@350")
        counter.weighed(number.strip(), WeighedPrice(int(grams), None, "typed"))
    else:
        quantity, code = _quantity_and_code(item, text)
        counter.enter(code, quantity)


def _quantity_and_code(item: str, text: str) -> tuple[int, str]:
    if "x" not in text.lower():
        return 1, text
    quantity, code = text.lower().split("x", 1)
    if not quantity.strip().isdigit():
        raise Refused(f"„{item}“: Menge vor dem x angeben, z. B. 3x4006381333931")
    return int(quantity), code


def _print_receipt(shop: OpenedTill, number: int, receipt: Receipt, tse: TseFields, at) -> None:
    for line in receipt_lines(
        shop.shop_header(), number, receipt, tse, at, columns=shop.config.printer.columns
    ):
        print(line)


def void(args: argparse.Namespace) -> int:
    staff = Staff(args.staff, args.staff_name or args.staff) if args.staff else None
    with opened(args) as shop:
        done = shop.till.void(args.number, staff=staff)
        _print_receipt(shop, done.number, done.receipt, done.signed.tse, done.entry.at)
    return 0


# --- cash ---------------------------------------------------------------------------------


def cash_float(args: argparse.Namespace) -> int:
    with opened(args) as shop:
        signed = shop.till.opening_float(parse_eur(args.amount))
        print(
            f"Anfangsbestand {format_eur(parse_eur(args.amount))} gebucht (Beleg {signed.number})."
        )
        _tse_note(signed.tse)
    return 0


def cash_move(args: argparse.Namespace) -> int:
    movement = MOVEMENTS[args.movement]
    amount = parse_eur(args.amount)
    with opened(args) as shop:
        signed = shop.till.cash_movement(movement, amount, args.note)
        print(f"{movement.value} {format_eur(amount)} gebucht (Beleg {signed.number}): {args.note}")
        _tse_note(signed.tse)
        print(f"Bargeld laut Kasse: {format_eur(shop.till.figures().expected_cash)}")
    return 0


def _tse_note(tse: TseFields) -> None:
    if tse.failed:
        print(tse.failure)
    else:
        print(f"TSE-Transaktion {tse.transaction_number}, Signaturzähler {tse.signature_counter}")


def report_x(args: argparse.Namespace) -> int:
    with opened(args) as shop:
        figures, _ = shop.till.x_report()
        print("X-Bericht (Zwischenstand seit dem letzten Tagesabschluss)")
        _print_figures(figures.to_dict())
    return 0


def closing(args: argparse.Namespace) -> int:
    if not args.count and not args.empty_drawer:
        raise Refused(
            "Bitte die Kasse zählen: --count WERT=ANZAHL (mehrfach), oder --empty-drawer, "
            "wenn kein Bargeld in der Kasse ist"
        )
    counts: dict[int, int] = {}
    for item in args.count:
        value, _, number = item.partition("=")
        if not number.strip().isdigit():
            raise Refused(f"„{item}“: bitte WERT=ANZAHL, z. B. 50=2 oder 0,20=7")
        cents = parse_eur(value)
        counts[cents] = counts.get(cents, 0) + int(number)
    with opened(args) as shop:
        done = shop.till.daily_closing(counts)
        print(f"Tagesabschluss Nr. {done.number}")
        _print_figures(done.figures.to_dict())
        print(f"Gezählt:          {format_eur(done.counted):>12}")
        print(f"Differenz:        {format_eur(done.difference):>12}")
    return 0


def _print_figures(figures: dict) -> None:
    print(f"Belege:           {figures['receipts']:>12}  (davon Stornos {figures['voids']})")
    print(
        f"Außerdem:         abgebrochen {figures['aborted']}, Training {figures['training']} "
        "(kein Umsatz)"
    )
    print(f"Umsatz:           {format_eur(figures['turnover']):>12}")
    for row in figures["vat"]:
        print(
            f"  {VatRate[row['rate']].percent_text:<8} brutto {format_eur(row['gross']):>12}  "
            f"netto {format_eur(row['net']):>12}  MwSt {format_eur(row['vat']):>10}"
        )
    for method, amount in figures["payments"].items():
        print(f"  {'Bar' if method == 'cash' else 'Karte':<8} {format_eur(amount):>19}")
    print(
        f"Übertrag:         {format_eur(figures['carried']):>12}  (gezählt beim letzten Abschluss)"
    )
    print(f"Anfangsbestand:   {format_eur(figures['opening_float']):>12}")
    for movement, amount in figures["movements"].items():
        print(f"  {movement:<15} {format_eur(amount):>12}")
    print(f"Bargeld (Soll):   {format_eur(figures['expected_cash']):>12}")


# --- TSE and clock ------------------------------------------------------------------------


def tse_info(args: argparse.Namespace) -> int:
    with opened(args) as shop:
        try:
            info = shop.tse.info()
            shop.tse.self_test()
        except TseError as exc:
            print(f"TSE ausgefallen: {exc}")
            return 1
        print(f"TSE:              {info.description}")
        print(f"Zertifiziert:     {'ja' if info.certified else 'nein'}")
        print(f"Seriennummer:     {info.serial_number}")
        print(f"Algorithmus:      {info.signature_algorithm}")
        print(f"Zeitformat:       {info.time_format}")
        print(f"Öffentl. Schlüssel (Base64): {_b64(info.public_key)}")
        print("Selbsttest:       bestanden")
    return 0


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def clock_override(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    lock = TillLock(config.paths.journal).acquire()
    db = open_database(config.paths.journal)
    try:
        # Overriding needs no TSE: it is not a business event the TSE signs.
        till = Till(
            db,
            UnavailableTse("nicht benötigt"),
            truck=config.truck.id,
            client_id=config.truck.till_serial,
            clock=wall_clock,
            master=MasterData.of_shop(config.shop, config.truck.till_serial),
        )
        entry = till.override_clock(Staff(args.staff, args.staff), args.reason)
    finally:
        db.close()
        lock.release()
    print(f"Uhrzeit freigegeben und im Journal vermerkt (Eintrag {entry.seq}).")
    return 0


# --- the till on screen and its staff -------------------------------------------------------


def pos(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    # Textual is imported only here: the other commands start fast without it.
    from truck.pos.app import TillApp
    from truck.pos.start import start_session

    session = start_session(config)
    try:
        TillApp(session, language=args.language or config.language).run()
    finally:
        session.opened.close()
    return 0


def agent(args: argparse.Namespace) -> int:
    config = load_truck_config(args.config)
    from truck.agent.run import main  # the GPS part only when it runs

    return main(config)


def staff_pin_hash(args: argparse.Namespace) -> int:
    pin = getpass.getpass("PIN (4 bis 8 Ziffern): ") if sys.stdin.isatty() else sys.stdin.readline()
    print(hash_pin(pin.strip()))
    return 0
