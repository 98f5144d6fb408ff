"""Turnover per day, truck, stop, VAT rate and payment: to the cent what the receipts say.

Each test runs on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.store import Figures, HubStore, open_store
from hub.store.projections import Deltas
from tests.support.journals import (
    DAY,
    STAFF,
    JournalWriter,
    expected_totals,
    paid,
    random_sale,
    sales_day,
    sell_day,
)
from tourkasse.journal import Entry, EntryKind
from tourkasse.protocol import JournalBatch
from tourkasse.receipt import BonType, Receipt
from truck.till.figures import day_figures

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def store_journal(store: HubStore, entries: list[Entry], size: int = 8) -> None:
    truck = entries[0].truck
    for first in range(1, len(entries) + 1, size):
        data = tuple(e.data for e in entries[first - 1 : first - 1 + size])
        outcome = store.accept_batch(JournalBatch(truck, data, first), received_at=NOW)
        assert outcome.reason is None, outcome.reason


def projections(store: HubStore) -> dict[str, list[tuple]]:
    return {
        table: store.db.rows(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4")
        for table in ("turnover_rates", "turnover_payments", "turnover_counts")
    }


def assert_same(figures: Figures, expected) -> None:
    assert figures.gross_by_rate == expected.gross_by_rate
    assert figures.vat_by_rate == expected.vat_by_rate
    assert figures.by_payment == expected.by_payment
    assert (figures.receipts, figures.voids) == (expected.receipts, expected.voids)
    assert (figures.training, figures.training_total, figures.aborted) == (
        expected.training,
        expected.training_total,
        expected.aborted,
    )


def test_turnover_per_stop_is_what_the_receipts_say_to_the_cent(store):
    day = sales_day(sales=30)
    store_journal(store, day.entries)
    report = store.turnover(day.day)
    [truck] = report.trucks
    assert truck.truck == "T01"
    assert [s.stop for s in truck.stops] == ["gimte", "hemeln", "volkmarshausen", None]
    for stop in truck.stops:
        assert_same(stop.figures, day.expected[stop.stop])
        for rate, gross in stop.figures.gross_by_rate.items():
            assert stop.figures.net_by_rate[rate] == gross - stop.figures.vat_by_rate[rate]
    # the stops add up to what the truck's own day figures say
    own = day_figures(day.entries)
    assert truck.figures.gross_by_rate == own.gross_by_rate
    assert truck.figures.by_payment == own.by_payment
    assert truck.figures.turnover == own.turnover
    assert (truck.figures.receipts, truck.figures.voids) == (own.receipts, own.voids)
    assert (truck.figures.training, truck.figures.training_total, truck.figures.aborted) == (
        own.training,
        own.training_total,
        own.aborted,
    )
    assert own.training and own.aborted and own.voids  # the day has each kind of receipt
    assert report.figures == truck.figures


def test_the_day_adds_up_its_trucks_and_a_truck_can_be_asked_alone(store):
    one, two = sales_day("T01", seed=3), sales_day("T02", seed=4, stops=("hemeln", "bursfelde"))
    store_journal(store, one.entries)
    store_journal(store, two.entries, size=5)
    report = store.turnover(DAY)
    assert [t.truck for t in report.trucks] == ["T01", "T02"]
    assert report.figures == report.trucks[0].figures + report.trucks[1].figures
    assert report.figures.turnover == (
        day_figures(one.entries).turnover + day_figures(two.entries).turnover
    )
    alone = store.turnover(DAY, truck="T02")
    assert alone.trucks == (report.trucks[1],)
    assert store.turnover(DAY, truck="T09").trucks == ()
    assert store.turnover(DAY + timedelta(days=1)).trucks == ()


def test_training_aborted_float_and_cash_movements_are_not_turnover_voids_are(store):
    writer = JournalWriter()
    writer.add(EntryKind.OPENING_FLOAT, {"amount": 10000, "staff": None})
    sale = random_sale(random.Random(1), "gimte")
    writer.receipt(sale)
    lines, payments = paid(sale.lines, "cash")
    writer.receipt(Receipt(BonType.TRAINING, lines, payments, STAFF, stop="gimte"))
    writer.receipt(Receipt(BonType.ABORTED, lines, (), STAFF, stop="gimte"))
    writer.add(
        EntryKind.CASH_MOVEMENT, {"movement": "Geldtransit", "amount": -5000, "note": "Bank"}
    )
    writer.void(2)
    store_journal(store, writer.entries)
    [stop] = store.turnover(DAY).trucks[0].stops
    f = stop.figures
    assert (f.receipts, f.voids, f.training, f.aborted) == (2, 1, 1, 1)
    assert f.training_total == sale.total
    assert f.turnover == 0 and f.vat == 0 and sum(f.by_payment.values()) == 0
    assert set(f.gross_by_rate) == set(sale.gross_by_rate)  # the rates sold at, netted to 0


def test_the_business_day_is_the_local_date(new_hub_url):
    writer = JournalWriter(start=datetime(2026, 11, 24, 23, 0, tzinfo=UTC))
    writer.receipt(random_sale(random.Random(2), "gimte"), minutes=30)
    url = new_hub_url()
    with open_store(url) as berlin:  # 23:30 UTC is 00:30 in Berlin: the next day
        store_journal(berlin, writer.entries)
        assert berlin.turnover(date(2026, 11, 24)).trucks == ()
        assert berlin.turnover(date(2026, 11, 25)).figures.receipts == 1
    with open_store(url, timezone="UTC") as utc:  # another zone: computed again on opening
        assert utc.turnover(date(2026, 11, 24)).figures.receipts == 1
        assert utc.turnover(date(2026, 11, 25)).trucks == ()
        assert utc.turnover(date(2026, 11, 24)).timezone == "UTC"


def test_rebuild_gives_exactly_what_the_batches_gave(store):
    writer = JournalWriter()
    for offset in range(3):
        sell_day(writer, DAY + timedelta(days=offset), sales=10 + offset, seed=offset)
    store_journal(store, writer.entries, size=7)
    other = sales_day("T02", seed=9)
    store_journal(store, other.entries, size=11)
    incremental = projections(store)
    reports = [store.turnover(DAY + timedelta(days=n)) for n in range(3)]
    assert store.rebuild_projections() == len(writer.entries) + len(other.entries)
    assert projections(store) == incremental
    assert [store.turnover(DAY + timedelta(days=n)) for n in range(3)] == reports
    expected = expected_totals(writer.entries)
    for n, report in enumerate(reports):
        for stop in report.trucks[0].stops:
            assert_same(stop.figures, expected[(DAY + timedelta(days=n), "T01", stop.stop)])


def test_rebuild_restores_figures_that_were_lost(store):
    day = sales_day()
    store_journal(store, day.entries)
    before = projections(store)
    store.db.run("DELETE FROM turnover_rates")
    store.db.run("UPDATE turnover_payments SET amount = 0")
    assert projections(store) != before
    store.rebuild_projections()
    assert projections(store) == before


def test_the_report_as_data_has_integer_cents_only(store):
    day = sales_day()
    store_journal(store, day.entries)
    data = store.turnover(day.day).to_dict()

    def no_floats(value):
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for item in value.values():
                no_floats(item)
        if isinstance(value, list):
            for item in value:
                no_floats(item)

    no_floats(data)
    assert json.loads(json.dumps(data)) == data
    assert data["turnover"] == sum(sum(t.gross_by_rate.values()) for t in day.expected.values())
    stops = {s["stop"]: s for s in data["trucks"][0]["stops"]}
    assert stops[None]["payments"] == day.expected[None].by_payment


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe"]),
    st.lists(
        st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
        min_size=1,
        max_size=40,
    ),
)
def test_the_business_day_of_each_receipt_is_its_local_date_across_clock_changes(zone, times):
    # the projection remembers the date per quarter of an hour; every zone's offset allows that
    deltas = Deltas(ZoneInfo(zone))
    for at in [*times, *reversed(times)]:
        assert deltas.business_day(at) == at.astimezone(ZoneInfo(zone)).date().isoformat()
