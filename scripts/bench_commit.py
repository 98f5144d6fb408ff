"""Benchmark: committing a five-line cash sale against a bare SQLite insert of the same bytes.

Both sides write to a SQLite file in WAL mode with synchronous=FULL, one transaction each,
in the same run on the same disk. Printed: time per operation, the ratio to the baseline,
and the software TSE's own cost (signing with ECDSA and keeping its counters on disk).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tourkasse.article_list import load_article_list  # noqa: E402
from truck.core.basket import Basket  # noqa: E402
from truck.core.payment import settle  # noqa: E402
from truck.fiscal.software_tse import SoftwareTse  # noqa: E402
from truck.fiscal.tse import FinishedTransaction, StartedTransaction, TransactionState, TseInfo  # noqa: E402
from truck.store import articles  # noqa: E402
from truck.store.articles import replace_articles  # noqa: E402
from truck.store.database import open_database  # noqa: E402
from truck.till.till import Till  # noqa: E402


class UnsignedTse:
    """Benchmark stand-in (a fake): a TSE that hands out numbers but does not sign or store.

    Subtracting it from the software TSE gives the signature's own cost.
    """

    def __init__(self) -> None:
        self.number = 0
        self.counter = 0
        self._info = TseInfo(
            "0" * 64,
            b"\x04" + b"\x00" * 64,
            "ecdsa-plain-SHA256",
            "unixTime",
            False,
            "Benchmark ohne Signatur",
        )

    def info(self) -> TseInfo:
        return self._info

    def self_test(self) -> None:
        return None

    def start_transaction(self, client_id: str) -> StartedTransaction:
        self.number += 1
        self.counter += 1
        return StartedTransaction(self.number, client_id, datetime.now(UTC))

    def update_transaction(self, client_id, number, process_type, process_data) -> None:
        return None

    def finish_transaction(
        self, client_id, number, process_type, process_data
    ) -> FinishedTransaction:
        self.counter += 1
        now = datetime.now(UTC)
        return FinishedTransaction(
            number,
            client_id,
            process_type,
            process_data,
            now,
            now,
            self.counter,
            b"\x00" * 64,
            self._info.serial_number,
            self._info.signature_algorithm,
            "unixTime",
            self._info.public_key,
        )

    def cancel_transaction(self, client_id, number) -> FinishedTransaction:
        return self.finish_transaction(
            client_id, number, "Kassenbeleg-V1", "AVBelegabbruch^0.00_0.00_0.00_0.00_0.00^"
        )

    def transaction_state(self, number):
        return TransactionState.UNKNOWN, None

    def open_transactions(self, client_id) -> list[int]:
        return []


def clock() -> datetime:
    return datetime.now(UTC)


def five_line_receipt(db):
    def article(number):
        return articles.by_number(db, number)

    basket = Basket()
    basket.add_article(article("1001"))
    basket.add_article(article("2001"), 2)
    basket.add_article(article("5001"), 6, deposit=article("9001"))
    basket.add_article(article("6001"))
    return basket.receipt(settle(basket.total, cash_tendered=5000))


class BareInsert:
    """The baseline: the same bytes inserted into a bare table with the same durability."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("CREATE TABLE journal (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        self.seq = 0

    def insert(self, data: bytes) -> float:
        self.seq += 1
        t0 = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO journal (seq, data) VALUES (?, ?)", [self.seq, data])
        self.conn.execute("COMMIT")
        return time.perf_counter() - t0


def bench_till(
    workdir: Path, tse, rounds: int
) -> tuple[list[float], list[float], list[float], int]:
    """Per sale: the commit at payment (complete), the whole sale (start + complete), and a
    bare insert of the very same entry bytes right after it, so that both see the same disk."""
    catalogue = load_article_list(REPO / "config" / "articles.example.toml")
    db = open_database(workdir / "journal.sqlite")
    replace_articles(db, catalogue.articles, catalogue.departments)
    till = Till(db, tse, truck="T01", client_id="BENCH-1", clock=clock)
    bare = BareInsert(workdir / "bare.sqlite")
    commits, sales, baseline = [], [], []
    size = 0
    for _ in range(rounds):
        receipt = five_line_receipt(db)
        t0 = time.perf_counter()
        opened = till.open_receipt()
        t1 = time.perf_counter()
        done = till.complete(opened, receipt)
        t2 = time.perf_counter()
        commits.append(t2 - t1)
        sales.append(t2 - t0)
        baseline.append(bare.insert(done.entry.data))
        size = len(done.entry.data)
    bare.conn.close()
    db.close()
    return commits, sales, baseline, size


def ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(
        prefix="tourkasse-bench-", dir=REPO / "var" if (REPO / "var").is_dir() else None
    ) as tmp:
        root = Path(tmp)
        for name in ("unsigned", "signed"):
            (root / name).mkdir()
        unsigned_commit, unsigned_sale, baseline, size = bench_till(
            root / "unsigned", UnsignedTse(), args.rounds
        )
        tse = SoftwareTse(root / "signed" / "tse", clock=clock, create=True)
        signed_commit, signed_sale, baseline_signed, _ = bench_till(
            root / "signed", tse, args.rounds
        )
        tse.close()
    base = ms(baseline + baseline_signed)
    print(
        f"Journal commit benchmark, {args.rounds} five-line cash sales, medians, same disk, same run"
    )
    print(
        f"  baseline: bare SQLite insert of the entry's {size} bytes (WAL, synchronous=FULL): {base:.3f} ms"
    )
    print(
        f"  commit at payment, without signature:  {ms(unsigned_commit):.3f} ms  ratio {ms(unsigned_commit) / base:.2f}  (target <= 1.5)"
    )
    print(
        f"  whole sale incl. TSE start entry, without signature: {ms(unsigned_sale):.3f} ms  ratio {ms(unsigned_sale) / base:.2f}"
    )
    print(
        f"  commit at payment, software TSE (ECDSA P-256): {ms(signed_commit):.3f} ms  ratio {ms(signed_commit) / base:.2f}"
    )
    print(
        f"  whole sale, software TSE: {ms(signed_sale):.3f} ms  ratio {ms(signed_sale) / base:.2f}"
    )
    print(
        f"  the signature's own cost per sale (start + finish): {ms(signed_sale) - ms(unsigned_sale):.3f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
