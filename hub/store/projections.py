"""Turnover per business day, truck, stop, VAT rate and payment: projections of the journals.

Only receipt entries count. Ordinary receipts are turnover, voids (negative receipts) included;
training and aborted receipts are counted apart and never as turnover; cash movements and the
opening float are not turnover. VAT is computed per receipt and rate with the kernel's
function, then summed. The business day is the local date of the entry's time in the store's
time zone. Amounts are integer cents.

The same :class:`Deltas` serve both ways of filling the tables: one batch at a time as it is
stored (:func:`apply`), and all journals at once (:func:`rebuild`), so a rebuild gives exactly
what the batches gave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.store.dialect import Database, Writes
from hub.store.schema import PROJECTION_TABLES
from tourkasse.journal import Entry, EntryKind, JournalError, decode_entry
from tourkasse.receipt import BonType, ReceiptSums, receipt_sums
from tourkasse.vat import vat_of_gross

NO_STOP = ""  # the stored key of receipts sold without a known stop
PAGE = 1000

# receipts, voids, training, training_total, aborted
COUNT_FIELDS = ("receipts", "voids", "training", "training_total", "aborted")


def receipt_of(entry: Entry) -> ReceiptSums:
    """The turnover figures of a receipt entry; JournalError when the receipt cannot be read."""
    try:
        sums = receipt_sums(entry.body["receipt"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise JournalError(f"Bon nicht lesbar ({type(exc).__name__}: {exc})") from exc
    stop = sums.stop
    if stop is not None and (not isinstance(stop, str) or not stop or "\x00" in stop):
        # (a NUL character: PostgreSQL's text cannot hold it, the figures could not be kept)
        raise JournalError(f"Bon nennt einen ungültigen Halt {stop!r}")
    return sums


@dataclass
class Deltas:
    """What some entries add to the turnover tables, keyed as the tables are."""

    zone: ZoneInfo
    rates: dict[tuple[str, str, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    payments: dict[tuple[str, str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    counts: dict[tuple[str, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0] * len(COUNT_FIELDS))
    )
    _days: dict[tuple[object, ...], str] = field(default_factory=dict, repr=False)

    def add(self, entry: Entry) -> None:
        if entry.kind is not EntryKind.RECEIPT:
            return
        self.add_receipt(entry, receipt_of(entry))

    def business_day(self, at: datetime) -> str:
        """The local date of ``at``. Every zone's offset and its changes fall on a quarter of an
        hour, so one conversion serves a quarter of an hour's receipts."""
        quarter = (at.year, at.month, at.day, at.hour, at.minute // 15, at.utcoffset())
        day = self._days.get(quarter)
        if day is None:
            day = self._days[quarter] = at.astimezone(self.zone).date().isoformat()
        return day

    def add_receipt(self, entry: Entry, receipt: ReceiptSums) -> None:
        where = (self.business_day(entry.at), entry.truck, receipt.stop or NO_STOP)
        counts = self.counts[where]
        if receipt.bon_type is BonType.ABORTED:
            counts[4] += 1
            return
        if receipt.bon_type is BonType.TRAINING:
            counts[2] += 1
            counts[3] += receipt.total
            return
        if not receipt.counts_as_turnover:
            return
        counts[0] += 1
        counts[1] += 1 if receipt.is_void else 0
        # _name_ and _value_, not name and value: an enum's properties run Python code
        for rate, gross in receipt.gross_by_rate.items():
            sums = self.rates[(*where, rate._name_)]
            sums[0] += gross
            sums[1] += vat_of_gross(gross, rate)
        for method, amount in receipt.payments:
            self.payments[(*where, method._value_)] += amount

    def __bool__(self) -> bool:
        return bool(self.counts)


def apply(db: Writes, deltas: Deltas) -> None:
    """Add ``deltas`` to the tables; call inside the transaction that stored the entries."""
    db.run_many(
        "INSERT INTO turnover_rates (day, truck, stop, rate, gross, vat) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (day, truck, stop, rate) DO UPDATE SET "
        "gross = turnover_rates.gross + excluded.gross, vat = turnover_rates.vat + excluded.vat",
        [(*key, gross, vat) for key, (gross, vat) in sorted(deltas.rates.items())],
    )
    db.run_many(
        "INSERT INTO turnover_payments (day, truck, stop, method, amount) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (day, truck, stop, method) DO UPDATE SET "
        "amount = turnover_payments.amount + excluded.amount",
        [(*key, amount) for key, amount in sorted(deltas.payments.items())],
    )
    updates = ", ".join(
        f"{name} = turnover_counts.{name} + excluded.{name}" for name in COUNT_FIELDS
    )
    db.run_many(
        f"INSERT INTO turnover_counts (day, truck, stop, {', '.join(COUNT_FIELDS)}) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, truck, stop) DO UPDATE SET {updates}",
        [(*key, *values) for key, values in sorted(deltas.counts.items())],
    )


def stored_entries(db: Database) -> Iterable[Entry]:
    """Every stored entry of every truck, in (truck, seq) order, a page at a time."""
    after_truck, after_seq = "", 0
    while True:
        page = db.rows(
            "SELECT truck, seq, data FROM journal WHERE truck > ? OR (truck = ? AND seq > ?) "
            "ORDER BY truck, seq LIMIT ?",
            [after_truck, after_truck, after_seq, PAGE],
        )
        for _, _, data in page:
            yield decode_entry(bytes(data))
        if len(page) < PAGE:
            return
        after_truck, after_seq = page[-1][0], page[-1][1]


def rebuild(db: Database, zone: ZoneInfo) -> int:
    """Wipe the projections and compute them again from the journals alone.

    Call inside a transaction; writers of new batches wait until it ends. Returns the number
    of entries read.
    """
    db.lock_tables(PROJECTION_TABLES)
    for table in PROJECTION_TABLES:
        db.run(f"DELETE FROM {table}")
    deltas = Deltas(zone)
    read = 0
    for entry in stored_entries(db):
        deltas.add(entry)
        read += 1
    apply(db, deltas)
    return read
