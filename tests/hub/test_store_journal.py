"""The hub keeps every truck's journal exactly as the truck wrote it, whatever the network does.

Each test runs on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.store import BatchOutcome, HubStore, open_store
from tests.support.journals import DAY, JournalWriter, random_sale, sales_day, sell_day
from tourkasse import protocol
from tourkasse.journal import Entry, EntryKind, encode_entry
from tourkasse.protocol import JournalBatch

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def batch(entries: list[Entry], first: int, last: int, truck: str = "T01") -> JournalBatch:
    """Entries ``first`` … ``last`` (sequence numbers) as the agent sends them."""
    return JournalBatch(truck, tuple(e.data for e in entries[first - 1 : last]), first)


def send(store: HubStore, message: JournalBatch) -> BatchOutcome:
    return store.accept_batch(message, received_at=NOW)


def projections(store: HubStore) -> dict[str, list[tuple]]:
    """Every row of the turnover tables, to compare states of the store."""
    return {
        table: store.db.rows(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4")
        for table in ("turnover_rates", "turnover_payments", "turnover_counts")
    }


def test_a_journal_sent_in_batches_is_stored_byte_for_byte(store):
    entries = sales_day().entries
    outcomes = [send(store, batch(entries, n, min(n + 9, len(entries)))) for n in range(1, 40, 10)]
    assert [o.through for o in outcomes] == [10, 20, 30, len(entries)]
    assert all(o.resend_from is None and o.reason is None for o in outcomes)
    assert sum(o.stored for o in outcomes) == len(entries)
    assert list(store.journal("T01")) == [e.data for e in entries]
    assert list(store.journal("T01", after=30)) == [e.data for e in entries[30:]]
    assert store.committed_through("T01") == len(entries)
    assert store.committed_through("T99") == 0
    assert store.trucks() == ["T01"]


def test_a_batch_sent_again_is_a_duplicate_and_changes_nothing(store):
    entries = sales_day().entries
    first = send(store, batch(entries, 1, 20))
    before = projections(store)
    again = send(store, batch(entries, 1, 20))
    assert (first.stored, first.duplicates) == (20, 0)
    assert again == BatchOutcome("T01", 20, stored=0, duplicates=20, forks=0)
    assert projections(store) == before
    overlap = send(store, batch(entries, 15, 25))  # half old, half new
    assert (overlap.through, overlap.stored, overlap.duplicates) == (25, 5, 6)
    assert store.rejected() == [] and store.forks() == []


def test_a_gap_asks_for_the_missing_entries_and_stores_nothing_after_it(store):
    entries = sales_day().entries
    send(store, batch(entries, 1, 17))
    before = projections(store)
    outcome = send(store, batch(entries, 25, 30))
    assert outcome == BatchOutcome(
        "T01",
        17,
        stored=0,
        duplicates=0,
        forks=0,
        resend_from=18,
        reason="Lücke: erwartet Eintrag 18, bekommen ab 25",
    )
    assert store.committed_through("T01") == 17
    assert projections(store) == before
    assert store.rejected() == []  # a gap is the network's doing, not a bad message
    assert send(store, batch(entries, 18, 30)).through == 30


def test_a_first_batch_that_does_not_start_at_one_is_a_gap(store):
    entries = sales_day().entries
    outcome = send(store, batch(entries, 5, 9))
    assert (outcome.through, outcome.resend_from) == (0, 1)
    assert store.trucks() == []


def test_duplicated_reordered_and_replayed_batches_change_nothing(new_hub_url):
    """Batches in any order, some twice, then the truck resends until acknowledged."""
    url = new_hub_url()
    trucks = itertools.count(1)

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        seed=st.integers(0, 10_000),
        cuts=st.lists(st.integers(1, 45), max_size=8),
        order=st.randoms(use_true_random=False),
        copies=st.lists(st.integers(1, 3), min_size=9, max_size=9),
        batch_size=st.integers(1, 12),
    )
    def deliver(seed, cuts, order, copies, batch_size):
        truck = f"R{next(trucks):03d}"
        day = sales_day(truck, sales=12, seed=seed)
        entries = day.entries
        bounds = sorted({1, *(c for c in cuts if c <= len(entries)), len(entries) + 1})
        batches = [batch(entries, a, b - 1, truck) for a, b in itertools.pairwise(bounds)]
        sent = [b for b, n in zip(batches, copies, strict=False) for _ in range(n)]
        sent += batches[len(copies) :]
        order.shuffle(sent)
        with open_store(url) as store:
            through = 0
            for message in sent:
                outcome = send(store, message)
                assert outcome.through >= through  # the acknowledgement never goes back
                through = outcome.through
            # the truck sends again from its acknowledged entry until all is acknowledged
            for _ in range(len(entries)):
                if through == len(entries):
                    break
                resend = batch(entries, through + 1, through + batch_size, truck)
                through = send(store, resend).through
            assert through == len(entries)
            assert list(store.journal(truck)) == [e.data for e in entries]
            report = store.turnover(day.day, truck=truck)
            for stop in report.trucks[0].stops:
                expected = day.expected[stop.stop]
                assert stop.figures.gross_by_rate == expected.gross_by_rate
                assert stop.figures.by_payment == expected.by_payment
                assert stop.figures.receipts == expected.receipts
            for message in batches:  # replayed once more, later
                assert send(store, message).stored == 0
            assert store.turnover(day.day, truck=truck) == report
            assert store.forks(truck) == [] and store.rejected() == []

    deliver()


def test_a_broken_chain_is_refused_with_its_reason_and_asks_for_a_resend(store):
    entries = sales_day().entries
    send(store, batch(entries, 1, 10))
    forged = list(entries)
    # entry 13 rewritten after the fact (new content, fresh hash): 14 no longer points at it
    original = entries[12]
    forged[12] = encode_entry(
        truck="T01",
        seq=13,
        at=original.at,
        kind=original.kind,
        prev=original.prev,
        body={**original.body, "note": "verändert"},
    )
    outcome = send(store, batch(forged, 11, 16))
    assert (outcome.through, outcome.stored, outcome.resend_from) == (13, 3, 14)
    assert outcome.reason is not None
    assert outcome.reason.startswith("Eintrag 14: verweist nicht auf Eintrag 13")
    assert store.committed_through("T01") == 13
    [kept] = store.rejected()
    assert (kept.truck, kept.reason, kept.topic) == (
        "T01",
        outcome.reason,
        "tourkasse/v1/truck/T01/journal",
    )
    assert protocol.decode(kept.topic, kept.payload) == batch(forged, 11, 16)
    send(store, batch(forged, 11, 16))  # the same refused batch again is kept once
    assert len(store.rejected()) == 1


def test_receipt_numbers_must_run_on_across_batches(store):
    writer = JournalWriter()
    sell_day(writer, DAY, sales=6)
    send(store, batch(writer.entries, 1, len(writer.entries)))
    through = len(writer.entries)
    writer.next_number += 1  # a receipt number skipped: a receipt lost on the truck
    writer.receipt(random_sale(random.Random(3), "gimte"))
    outcome = send(store, batch(writer.entries, through + 1, through + 1))
    assert outcome.resend_from == through + 1
    assert outcome.reason is not None and "Bonnummer" in outcome.reason
    assert store.committed_through("T01") == through


def test_time_must_not_go_back_across_batches_unless_after_a_clock_correction(store):
    writer = JournalWriter()
    sell_day(writer, DAY, sales=3)
    send(store, batch(writer.entries, 1, len(writer.entries)))
    through = len(writer.entries)
    behind = writer.copy()
    behind.at -= timedelta(hours=2)
    behind.add(EntryKind.STAFF_SIGN_ON, {"staff": None})
    outcome = send(store, batch(behind.entries, through + 1, through + 1))
    assert outcome.reason is not None and "vor dem Eintrag davor" in outcome.reason
    corrected = writer.copy()
    corrected.at -= timedelta(hours=2)
    corrected.add(EntryKind.CLOCK_CORRECTION, {"source": "gps", "journal_last": None})
    corrected.add(EntryKind.STAFF_SIGN_ON, {"staff": None})
    outcome = send(store, batch(corrected.entries, through + 1, through + 2))
    assert (outcome.stored, outcome.reason) == (2, None)


def test_an_unreadable_entry_or_one_of_another_truck_is_refused_and_nothing_after_it(store):
    entries = sales_day().entries
    other = sales_day("T02").entries
    cases = [
        ((entries[0].data, entries[1].data, b"{kaputt", entries[3].data), "kein gültiges JSON"),
        ((entries[0].data, entries[1].data, other[2].data), "gehört zu Wagen T02, nicht zu T01"),
        ((entries[0].data, entries[1].data, entries[3].data), "steht an Stelle 3"),
        ((entries[0].data, entries[1].data, entries[2].data.replace(b":", b": ", 1)), "kanonisch"),
    ]
    for data, reason in cases:
        outcome = send(store, JournalBatch("T01", data, 1))
        assert (outcome.through, outcome.resend_from) == (2, 3), reason
        assert outcome.reason is not None and reason in outcome.reason
        assert outcome.reason.startswith("Eintrag 3: ")
    assert len(store.rejected()) == len(cases)
    assert store.committed_through("T01") == 2


def test_a_forked_journal_is_quarantined_and_raised_as_an_alert(store):
    writer = JournalWriter()
    sell_day(writer, DAY, sales=9)
    restored = writer.copy()  # a backup taken now …
    sell_day(writer, DAY, sales=6, seed=2)
    send(store, batch(writer.entries, 1, len(writer.entries)))
    stored = list(store.journal("T01"))
    through = len(writer.entries)
    # … played back: the truck sells on from the backup, other sales under the same numbers
    fork_at = len(restored.entries) + 1
    restored.at += timedelta(minutes=1)
    sell_day(restored, DAY, sales=8, seed=7)
    assert len(restored.entries) > through
    outcome = send(store, batch(restored.entries, fork_at, len(restored.entries)))
    forked = through - fork_at + 1
    assert (outcome.through, outcome.stored, outcome.forks) == (through, 0, forked)
    assert outcome.resend_from == through + 1  # its next entry does not continue our journal
    assert list(store.journal("T01")) == stored  # never overwritten
    [alert] = store.alerts()
    assert (alert.truck, alert.first_seq, alert.count) == ("T01", fork_at, forked)
    assert alert.first_seen == NOW
    forks = store.forks("T01")
    assert [f.seq for f in forks] == list(range(fork_at, through + 1))
    for fork in forks:
        assert fork.stored_hash == writer.entries[fork.seq - 1].hash
        assert fork.arriving_hash == restored.entries[fork.seq - 1].hash
        assert fork.data == restored.entries[fork.seq - 1].data
    send(store, batch(restored.entries, fork_at, len(restored.entries)))  # again: kept once
    assert len(store.forks()) == forked and store.forks("T02") == []


def test_refused_messages_are_kept_exactly_newest_first(store):
    payloads = [b"\xff\xfe nicht UTF-8", b"", b'{"schema":"journal-batch","v":9}']
    for index, payload in enumerate(payloads):
        store.reject(
            topic=f"tourkasse/v1/truck/T0{index}/journal",
            payload=payload,
            reason=f"Grund {index}",
            received_at=NOW + timedelta(seconds=index),
            truck=f"T0{index}" if index else None,
        )
    kept = store.rejected()
    assert [r.payload for r in kept] == payloads[::-1]
    assert [r.reason for r in kept] == ["Grund 2", "Grund 1", "Grund 0"]
    assert [r.truck for r in kept] == ["T02", "T01", None]
    assert kept[0].received_at == NOW + timedelta(seconds=2)
    assert [r.reason for r in store.rejected(limit=1)] == ["Grund 2"]


def test_trucks_are_kept_apart(store):
    one, two = sales_day("T01").entries, sales_day("T02", seed=5).entries
    send(store, batch(one, 1, 20))
    send(store, batch(two, 1, 10, truck="T02"))
    assert store.trucks() == ["T01", "T02"]
    assert (store.committed_through("T01"), store.committed_through("T02")) == (20, 10)
    assert list(store.journal("T02")) == [e.data for e in two[:10]]


def test_several_ingest_processes_storing_one_truck_at_once_store_it_once(new_hub_url):
    """Shared subscriptions hand a truck's batches to several ingests: each entry once."""
    url = new_hub_url()
    day = sales_day(sales=40)
    entries = day.entries
    open_store(url).close()  # the tables, before the race
    errors: list[BaseException] = []

    def deliver(size: int, seed: int) -> None:
        rng = random.Random(seed)
        deadline = time.monotonic() + 60
        try:
            with open_store(url) as store:
                through = 0
                while through < len(entries):
                    assert time.monotonic() < deadline, "never acknowledged"
                    first = rng.randint(max(1, through - 5), through + 1)
                    last = min(first + size - 1, len(entries))
                    outcome = send(store, batch(entries, first, last))
                    assert outcome.reason is None, outcome.reason
                    through = outcome.through
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=deliver, args=args) for args in ((3, 1), (5, 2), (7, 3))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=90)
    assert errors == [] and not any(worker.is_alive() for worker in workers)
    with open_store(url) as store:
        assert list(store.journal("T01")) == [e.data for e in entries]
        assert store.forks() == [] and store.rejected() == []
        for stop in store.turnover(day.day).trucks[0].stops:
            assert stop.figures.gross_by_rate == day.expected[stop.stop].gross_by_rate
            assert stop.figures.receipts == day.expected[stop.stop].receipts


def test_outcomes_come_in_order_and_only_for_what_is_committed(new_hub_url):
    """The ingest hands batches over and tells the trucks only what the store has committed:
    on PostgreSQL a batch is stored while the next is read, and told about afterwards."""
    entries = sales_day(sales=30).entries
    batches = [batch(entries, n, min(n + 9, len(entries))) for n in range(1, len(entries), 10)]
    told: list[BatchOutcome] = []
    hub_url = new_hub_url()
    with open_store(hub_url) as ingest, open_store(hub_url) as reader:
        for message in batches:
            ingest.submit_batch(message, received_at=NOW)
            for outcome in ingest.settled():
                # what the ingest may tell a truck is there for every other connection too
                assert reader.committed_through("T01") >= outcome.through
                told.append(outcome)
        told += ingest.settled(wait=True)
        assert not ingest.batch_in_flight
    assert [o.through for o in told] == [m.last for m in batches]
    assert all(
        o.stored == len(m.entries) and o.reason is None for o, m in zip(told, batches, strict=True)
    )
    with open_store(hub_url) as store:
        assert list(store.journal("T01")) == [e.data for e in entries]
        assert projections(store) == figures_in_one_batch(new_hub_url(), entries)


def test_entries_another_ingest_stored_meanwhile_are_duplicates_not_stored_twice(new_hub_url):
    """Two hub processes: what one remembers of a truck's journal may be out of date by the
    time its next batch comes. The batch is then taken as what it is: entries held already."""
    url = new_hub_url()
    entries = sales_day().entries
    with open_store(url) as one, open_store(url) as other:
        assert send(one, batch(entries, 1, 10)).through == 10  # one knows: the journal ends at 10
        assert send(other, batch(entries, 1, 20)).stored == 10  # other stores 11 … 20
        again = send(one, batch(entries, 11, 20))  # one still thinks it ends at 10
        assert again == BatchOutcome("T01", 20, stored=0, duplicates=10, forks=0)
        assert send(one, batch(entries, 21, len(entries))).through == len(entries)
        assert list(one.journal("T01")) == [e.data for e in entries]
        assert one.rejected() == [] and one.forks() == []
        assert projections(one) == figures_in_one_batch(new_hub_url(), entries)


def figures_in_one_batch(url: str, entries: list[Entry]) -> dict[str, list[tuple]]:
    """The turnover tables of a new store that took ``entries`` in one batch."""
    with open_store(url) as store:
        send(store, batch(entries, 1, len(entries)))
        return projections(store)


def test_a_text_postgresql_cannot_hold_is_refused_with_its_reason_not_tried_for_ever(store):
    """A NUL character in a stop's name, or quoted in a reason: kept with the reason on both
    stores (PostgreSQL's text cannot hold one; the ingest would try the batch again for ever)."""
    writer = JournalWriter()
    writer.receipt(random_sale(random.Random(1), "gimte"))
    writer.receipt(random_sale(random.Random(2), "Markt\x00Nord"))
    assert send(store, batch(writer.entries, 1, 1)).through == 1
    refused = send(store, batch(writer.entries, 2, 2))
    assert (refused.through, refused.resend_from) == (1, 2)
    assert refused.reason is not None and "ungültigen Halt 'Markt\\x00Nord'" in refused.reason
    stranger = JournalWriter("T\x00X")
    stranger.receipt(random_sale(random.Random(3), "gimte"))
    odd = send(store, JournalBatch("T01", (stranger.entries[0].data,), 2))
    assert odd.reason is not None and "gehört zu Wagen T\\x00X" in store.rejected()[0].reason
    assert len(store.rejected()) == 2 and store.committed_through("T01") == 1


def test_a_postgresql_database_in_latin1_gets_the_same_texts(postgres_cluster):
    """The ingest writes its statements in the connection's own encoding, not always UTF-8."""
    import psycopg

    name = f"latin1_{postgres_cluster.create_database()}"
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as admin:
        admin.execute(
            f"CREATE DATABASE \"{name}\" ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' "
            "TEMPLATE template0"
        )
    writer = JournalWriter()
    for seed in range(4):  # the first batch goes the usual way, the others as scripts
        writer.receipt(random_sale(random.Random(seed), "Wüstenrot Süd"))
    try:
        with open_store(postgres_cluster.url(name)) as store:
            assert store.db.conn.info.encoding == "iso8859-1"
            for seq in range(1, 5):
                assert send(store, batch(writer.entries, seq, seq)).stored == 1
            stops = {stop for (stop,) in store.db.rows("SELECT DISTINCT stop FROM turnover_counts")}
            assert stops == {"Wüstenrot Süd"}
            assert list(store.journal("T01")) == [e.data for e in writer.entries]
    finally:
        postgres_cluster.drop_database(name)
