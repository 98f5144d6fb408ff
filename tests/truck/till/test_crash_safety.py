"""Kill the selling till with SIGKILL, restart it, and check that no sale is lost or doubled."""

from __future__ import annotations

import multiprocessing
import os
import random
import selectors
import signal
import time
from pathlib import Path

import pytest

from tourkasse.journal import EntryKind
from tourkasse.receipt import BonType, Receipt
from tourkasse.signature import TseFields
from truck.fiscal.log_message import verify_signature
from truck.fiscal.qr import parse_qr_string
from truck.fiscal.software_tse import SoftwareTse
from truck.store import journal
from truck.store.articles import replace_articles
from truck.store.database import open_database
from truck.till.till import Till

from .seller import CLIENT_ID, expected_total, sell_until_killed, wall_clock

FORK = multiprocessing.get_context("fork")
# kills at random moments: a short run here, a long one from scripts/bench (TOURKASSE_CRASH_KILLS)
KILLS = int(os.environ.get("TOURKASSE_CRASH_KILLS", "80"))
STEPS = ("after_tse_start", "after_tse_finish", "after_journal_write", "before_commit")


class Shop:
    """The parent's view: starts sellers, kills them, restarts the till and checks the journal."""

    def __init__(self, workdir: Path, catalogue) -> None:
        self.workdir = workdir
        db = open_database(workdir / "journal.sqlite")
        replace_articles(db, catalogue.articles, catalogue.departments)
        db.close()
        self.reported: set[int] = set()
        self.kills_with_open_transaction = 0

    def run_seller(
        self, *, kill_at: str | None = None, kill_after: int = 0, delay: float | None = None
    ) -> None:
        read_fd, write_fd = os.pipe()
        child = FORK.Process(
            target=sell_until_killed,
            args=(self.workdir, write_fd, self.next_index(), kill_at, kill_after),
        )
        child.start()
        os.close(write_fd)
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(read_fd, selectors.EVENT_READ)
            deadline = None
            while True:
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                if deadline is not None and timeout == 0.0:
                    os.kill(child.pid, signal.SIGKILL)  # the random moment has come
                    break
                if not selector.select(timeout=timeout if timeout is not None else 30):
                    if deadline is None:
                        raise AssertionError("seller did not start within 30 s")
                    continue
                chunk = os.read(read_fd, 65536)
                if not chunk:  # the seller killed itself at the named step
                    break
                buffer += chunk
                # the random moment counts from the first sale done, not from the start, so
                # that every run sells something however busy the machine is
                if deadline is None and b"done " in buffer and delay is not None:
                    deadline = time.monotonic() + delay
        child.join(timeout=30)
        assert child.exitcode == -signal.SIGKILL, f"seller ended with {child.exitcode}"
        buffer += _drain(read_fd)
        os.close(read_fd)
        for line in buffer.decode().splitlines():
            if line.startswith("done "):
                self.reported.add(int(line.split()[1]))

    def completed_sales(self, db) -> dict[int, list[Receipt]]:
        sales: dict[int, list[Receipt]] = {}
        for entry in journal.entries(db, kinds=(EntryKind.RECEIPT,)):
            receipt = Receipt.from_dict(entry.body["receipt"])
            if receipt.bon_type is BonType.RECEIPT and receipt.note.startswith("Testverkauf"):
                sales.setdefault(int(receipt.note.split()[1]), []).append(receipt)
        return sales

    def next_index(self) -> int:
        db = open_database(self.workdir / "journal.sqlite")
        try:
            done = self.completed_sales(db)
        finally:
            db.close()
        return max(done, default=0) + 1

    def restart_and_check(self) -> None:
        db = open_database(self.workdir / "journal.sqlite")
        tse = SoftwareTse(self.workdir / "tse", clock=wall_clock, create=True)
        try:
            till = Till(db, tse, truck="T01", client_id=CLIENT_ID, clock=wall_clock)
            if till.recover():
                self.kills_with_open_transaction += 1
            self.check(db, tse)
        finally:
            tse.close()
            db.close()

    def check(self, db, tse: SoftwareTse) -> None:
        summary = journal.verify(db, truck="T01")
        assert summary.entries == db.execute("SELECT count(*) FROM journal").fetchone()[0]
        sales = self.completed_sales(db)
        missing = self.reported - set(sales)
        assert not missing, f"sales reported done but not in the journal: {sorted(missing)}"
        twice = {index: len(found) for index, found in sales.items() if len(found) > 1}
        assert not twice, f"sales journaled twice: {twice}"
        for index, (receipt,) in sales.items():
            assert len(receipt.lines) == 5, f"sale {index} is there only in part"
            assert receipt.total == expected_total(db, index) == receipt.paid
        numbers = [
            entry.body["number"]
            for entry in journal.entries(db)
            if entry.kind in (EntryKind.RECEIPT, EntryKind.OPENING_FLOAT, EntryKind.CASH_MOVEMENT)
        ]
        assert numbers == list(range(1, len(numbers) + 1)), "receipt numbers have a gap"
        indexed = [row[0] for row in db.execute("SELECT number FROM receipts ORDER BY number")]
        assert indexed == numbers
        assert tse.open_transactions(CLIENT_ID) == [], "a TSE transaction was left open"
        assert db.execute("SELECT count(*) FROM open_transactions").fetchone()[0] == 0


def _drain(fd: int) -> bytes:
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    return data


def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path, catalogue):
    seed = int(os.environ.get("TOURKASSE_CRASH_SEED", random.randrange(10**6)))
    print(f"crash test seed {seed} (set TOURKASSE_CRASH_SEED to repeat)")
    rng = random.Random(seed)
    shop = Shop(tmp_path, catalogue)
    for _ in range(KILLS):
        shop.run_seller(delay=rng.uniform(0.0, 0.03))
        shop.restart_and_check()
    print(
        f"{len(shop.reported)} sales reported done; "
        f"{shop.kills_with_open_transaction} of {KILLS} kills hit an open TSE transaction"
    )
    assert len(shop.reported) >= KILLS  # at least one a run, more where the kill came later
    assert shop.kills_with_open_transaction >= KILLS // 2

    # every signature made in all that verifies, and its QR code gives back the receipt
    db = open_database(tmp_path / "journal.sqlite")
    tse = SoftwareTse(tmp_path / "tse", clock=wall_clock, create=True)
    try:
        for entry in journal.entries(db, kinds=(EntryKind.RECEIPT,)):
            fields = TseFields.from_dict(entry.body["tse"])
            _state, finished = tse.transaction_state(fields.transaction_number)
            assert finished is not None and verify_signature(finished)
            assert parse_qr_string(fields.qr).signature == finished.signature
    finally:
        tse.close()
        db.close()


@pytest.mark.parametrize("step", STEPS)
def test_sigkill_at_each_named_step_of_the_commit(tmp_path, catalogue, step):
    shop = Shop(tmp_path, catalogue)
    for kill_after in (0, 2, 5):
        shop.run_seller(kill_at=step, kill_after=kill_after)
        shop.restart_and_check()
    # each forced kill left a TSE transaction open, which the restart resolved
    assert shop.kills_with_open_transaction == 3
    db = open_database(tmp_path / "journal.sqlite")
    try:
        recovered = [
            Receipt.from_dict(e.body["receipt"])
            for e in journal.entries(db, kinds=(EntryKind.RECEIPT,))
            if e.body.get("recovered")
        ]
    finally:
        db.close()
    assert len(recovered) == 3
    if step == "after_tse_start":
        # the sale had not begun: the restart cancels the transaction as an aborted receipt
        assert all(r.bon_type is BonType.ABORTED and not r.lines for r in recovered)
    else:
        # the TSE had signed the sale: the restart journals it in full, once
        assert all(
            r.bon_type is BonType.RECEIPT and r.note.startswith("Testverkauf") for r in recovered
        )


def _append_sign_ons(path: Path, count: int, start, sold) -> None:
    """Like the agent: writes its own entries while the till sells, in bursts between sales."""
    db = open_database(path / "journal.sqlite")
    start.wait()
    for n in range(count):
        journal.append(
            db,
            truck="T01",
            kind=EntryKind.STAFF_SIGN_ON,
            body={"staff": {"number": str(n), "name": "Agent"}},
            clock=wall_clock,
        )
        if n % 20 == 19:
            # SQLite's lock is not fair: a writer in a tight loop would keep the till out.
            sold.acquire(timeout=30)


def _sell(path: Path, count: int, start, sold) -> None:
    from .seller import sale_of

    db = open_database(path / "journal.sqlite")
    tse = SoftwareTse(path / "tse", clock=wall_clock, create=True)
    till = Till(db, tse, truck="T01", client_id=CLIENT_ID, clock=wall_clock)
    start.wait()
    for index in range(1, count + 1):
        till.sell(sale_of(db, index))
        sold.release()


def test_two_processes_appending_at_once_keep_the_chain(tmp_path, catalogue):
    Shop(tmp_path, catalogue)
    start, sold = FORK.Event(), FORK.Semaphore(0)
    seller = FORK.Process(target=_sell, args=(tmp_path, 80, start, sold))
    agent = FORK.Process(target=_append_sign_ons, args=(tmp_path, 1000, start, sold))
    seller.start()
    agent.start()
    start.set()
    seller.join(60)
    agent.join(60)
    assert (seller.exitcode, agent.exitcode) == (0, 0)
    db = open_database(tmp_path / "journal.sqlite")
    try:
        summary = journal.verify(db, truck="T01")
        kinds = [e.kind for e in journal.entries(db)]
        # each sale is a TSE start and a receipt entry
        assert summary.entries == 1000 + 2 * 80 == len(kinds)
        assert kinds.count(EntryKind.STAFF_SIGN_ON) == 1000
        numbers = [row[0] for row in db.execute("SELECT number FROM receipts ORDER BY seq")]
        assert numbers == list(range(1, 81))
        seqs = [e.seq for e in journal.entries(db)]
        assert seqs == list(range(1, summary.entries + 1))
        # both really wrote at the same time: their entries interleave
        agent_runs = sum(
            1
            for before, kind in zip([None, *kinds], kinds, strict=False)
            if kind is EntryKind.STAFF_SIGN_ON and before is not EntryKind.STAFF_SIGN_ON
        )
        print(f"the agent's entries stand in {agent_runs} runs between the till's")
        assert agent_runs > 1
    finally:
        db.close()
