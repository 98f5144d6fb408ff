"""Benchmark: the accountant's daily sums over a year of a fleet, and the page's latency.

A hub store (SQLite, as a new hub has it) is filled through the real ingest with ``--trucks``
trucks selling ``--receipts`` receipts a day for ``--days`` days (the defaults: 20 trucks, a
year, about 1.5 million receipts), each receipt a real journal entry whose chain the ingest
checks and whose figures it projects. The same receipts' lines also go, one row per line and
payment, into a plain table beside it.

Measured in the same run:
- the daily sums of the whole period as the hub reads them (per day, truck, stop, VAT rate and
  payment type, from its projections), against a plain GROUP BY over the raw lines: the
  figures must be equal to the cent, and the time of each is printed with the ratio;
- the accountant's page (a month of the fleet) under a loopback load of ``--clients``
  concurrent clients through the real web server (uvicorn), median and p99, against the login
  page, a page that reads nothing from the store, under the same load.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hub.broker import LocalBroker, free_port  # noqa: E402
from hub.config import HubConfig, MqttSettings, StoreSettings, WebSettings  # noqa: E402
from hub.store import open_store  # noqa: E402
from tests.support.web import PASSWORD, WebThread, add_user  # noqa: E402
from tourkasse.article import Unit  # noqa: E402
from tourkasse.journal import GENESIS_HASH, EntryKind, encode_entry  # noqa: E402
from tourkasse.protocol import JournalBatch  # noqa: E402
from tourkasse.receipt import (  # noqa: E402
    BonType,
    LineKind,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptLine,
)
from tourkasse.vat import VatRate  # noqa: E402

ZONE = ZoneInfo("Europe/Berlin")
STOPS = ("gimte", "hemeln", "volkmarshausen", "lutterberg")
GOODS = (
    ("Landbrot", 420, VatRate.REDUCED),
    ("Frischmilch", 119, VatRate.REDUCED),
    ("Butter", 229, VatRate.REDUCED),
    ("Äpfel", 299, VatRate.REDUCED),
    ("Mineralwasser", 79, VatRate.NORMAL),
    ("Spülmittel", 189, VatRate.NORMAL),
    ("Kaffee", 599, VatRate.REDUCED),
    ("Apfelsaft", 149, VatRate.NORMAL),
)
BATCH = 1000


def receipts(rng: random.Random, count: int) -> list[Receipt]:
    """``count`` different receipts of one to five lines, cash or card."""
    made = []
    for _ in range(count):
        lines = []
        for name, price, rate in rng.sample(GOODS, rng.randint(1, 5)):
            quantity = rng.randint(1, 3)
            lines.append(
                ReceiptLine(
                    LineKind.SALE, name, quantity, Unit.PIECE, price, rate, quantity * price, "Ware"
                )
            )
        total = sum(line.total for line in lines)
        method = rng.choice((PaymentMethod.CASH, PaymentMethod.CASH, PaymentMethod.CARD))
        made.append(Receipt(BonType.RECEIPT, tuple(lines), (Payment(method, total),)))
    return made


def fill(url: str, trucks: int, days: int, per_day: int, first: date) -> tuple[int, float]:
    """The fleet's journals through the real ingest, and the raw lines beside them."""
    rng = random.Random(8)
    kinds = receipts(rng, 64)
    started = time.perf_counter()
    stored = 0
    with open_store(url) as store:
        store.db.run(
            "CREATE TABLE bench_lines (day TEXT, truck TEXT, stop TEXT, rate TEXT, gross BIGINT)"
        )
        store.db.run(
            "CREATE TABLE bench_payments (day TEXT, truck TEXT, stop TEXT, method TEXT, "
            "amount BIGINT)"
        )
        for number in range(1, trucks + 1):
            truck = f"T{number:02d}"
            prev, seq, datas, lines, payments = GENESIS_HASH, 0, [], [], []
            for offset in range(days):
                day = first + timedelta(days=offset)
                start = datetime(day.year, day.month, day.day, 8, tzinfo=ZONE).astimezone(UTC)
                for index in range(per_day):
                    stop = STOPS[index * len(STOPS) // per_day]
                    receipt = rng.choice(kinds)
                    seq += 1
                    body = {
                        "receipt": {**receipt.to_dict(), "stop": stop},
                        "number": seq,
                        "tse": {"certified": False, "description": "Bench"},
                    }
                    entry = encode_entry(
                        truck=truck,
                        seq=seq,
                        at=start + timedelta(seconds=100 * index),
                        kind=EntryKind.RECEIPT,
                        prev=prev,
                        body=body,
                    )
                    prev = entry.hash
                    datas.append(entry.data)
                    iso = day.isoformat()
                    lines += [
                        (iso, truck, stop, ln.vat_rate.name, ln.total) for ln in receipt.lines
                    ]
                    payments += [
                        (iso, truck, stop, p.method.value, p.amount) for p in receipt.payments
                    ]
                    if len(datas) == BATCH:
                        stored += _ingest(store, truck, seq, datas, lines, payments)
                        datas, lines, payments = [], [], []
            if datas:
                stored += _ingest(store, truck, seq, datas, lines, payments)
    return stored, time.perf_counter() - started


def _ingest(store, truck: str, last: int, datas: list, lines: list, payments: list) -> int:
    batch = JournalBatch(truck, tuple(datas), last - len(datas) + 1)
    outcome = store.accept_batch(batch, received_at=datetime.now(UTC))
    assert outcome.reason is None, outcome.reason
    with store.db.transaction():
        store.db.run_many("INSERT INTO bench_lines VALUES (?, ?, ?, ?, ?)", lines)
        store.db.run_many("INSERT INTO bench_payments VALUES (?, ?, ?, ?, ?)", payments)
    return len(datas)


def hub_sums(url: str, first: date, last: date) -> tuple[dict, float]:
    started = time.perf_counter()
    with open_store(url) as store:
        days = store.turnover_days(first, last)
    sums: dict = defaultdict(int)
    for report in days:
        for truck in report.trucks:
            for stop in truck.stops:
                key = (report.day.isoformat(), truck.truck, stop.stop)
                for rate, gross in stop.figures.gross_by_rate.items():
                    sums[(*key, rate.name)] += gross
                for method, amount in stop.figures.by_payment.items():
                    sums[(*key, method)] += amount
    return dict(sums), time.perf_counter() - started


def plain_group_by(url: str, first: date, last: date) -> tuple[dict, float]:
    started = time.perf_counter()
    sums: dict = {}
    with open_store(url) as store:
        span = [first.isoformat(), last.isoformat()]
        for table, column, value in (
            ("bench_lines", "rate", "gross"),
            ("bench_payments", "method", "amount"),
        ):
            for day, truck, stop, key, total in store.db.rows(
                f"SELECT day, truck, stop, {column}, sum({value}) FROM {table} "
                f"WHERE day >= ? AND day <= ? GROUP BY day, truck, stop, {column}",
                span,
            ):
                sums[(day, truck, stop, key)] = int(total)
    return sums, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load(base: str, path: str, clients: int, requests: int) -> list[float]:
    """``clients`` logged-in clients each asking for ``path`` ``requests`` times; seconds each."""
    import httpx

    times: list[float] = []
    lock = threading.Lock()

    def one_client() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            page = client.get("/login")
            token = page.text.split('name="login_token" value="')[1].split('"')[0]
            client.post(
                "/login",
                data={"name": "anton", "password": PASSWORD, "login_token": token, "next": "/"},
            )
            mine = []
            for _ in range(requests):
                started = time.perf_counter()
                answer = client.get(path)
                mine.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.status_code
            with lock:
                times.extend(mine)

    threads = [threading.Thread(target=one_client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trucks", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--receipts", type=int, default=205, help="receipts per truck and day")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=25, help="requests per client")
    args = parser.parse_args()
    first = date(2025, 1, 1)
    last = first + timedelta(days=args.days - 1)
    with tempfile.TemporaryDirectory(prefix="tourkasse-bench-accounts-") as folder:
        url = f"sqlite:///{Path(folder) / 'hub.sqlite'}"
        stored, took = fill(url, args.trucks, args.days, args.receipts, first)
        print(
            f"{stored} receipts of {args.trucks} trucks over {args.days} days stored through "
            f"the ingest in {took:.1f} s ({stored / took:,.0f} receipts/s)"
        )
        ours, ours_s = hub_sums(url, first, last)
        raw, raw_s = plain_group_by(url, first, last)
        if ours != raw:
            differing = sorted(set(ours.items()) ^ set(raw.items()))[:5]
            print(f"FEHLER: the daily sums differ from the raw lines: {differing}")
            return 1
        print(f"daily sums of the period: {len(ours)} figures, equal to the cent to the raw lines")
        print(f"  {'':38} {'seconds':>8}")
        print(f"  {'baseline: plain GROUP BY over raw lines':38} {raw_s:8.3f}")
        print(f"  {'hub: daily sums from its projections':38} {ours_s:8.3f}")
        print(f"  ratio baseline / hub: {raw_s / ours_s:.1f} (above 1: the hub is faster)")

        add_user(url, "anton", "accountant")
        month_end = min(last, first + timedelta(days=30))
        page = f"/accounts?from={first.isoformat()}&to={month_end.isoformat()}"
        with LocalBroker(Path(folder) / "broker") as broker:
            config = HubConfig(
                store=StoreSettings(url=url),
                mqtt=MqttSettings(host="127.0.0.1", port=broker.port, client_id="bench-accounts"),
                web=WebSettings(port=free_port()),
            )
            with WebThread(config) as web:
                baseline = load(web.url, "/login", args.clients, args.requests)
                timed = load(web.url, page, args.clients, args.requests)
        base_med, base_p99 = statistics.median(baseline), percentile(baseline, 0.99)
        med, p99 = statistics.median(timed), percentile(timed, 0.99)
        print(
            f"page latency, {args.clients} clients x {args.requests} requests on loopback "
            f"(a month of {args.trucks} trucks):"
        )
        print(f"  {'':38} {'median ms':>10} {'p99 ms':>8}")
        print(f"  {'baseline: the login page':38} {base_med * 1000:10.1f} {base_p99 * 1000:8.1f}")
        print(f"  {'accountant page /accounts':38} {med * 1000:10.1f} {p99 * 1000:8.1f}")
        print(f"  ratio page / baseline: median {med / base_med:.1f}, p99 {p99 / base_p99:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
