from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tourkasse.journal import (
    GENESIS_HASH,
    ChainBroken,
    Entry,
    EntryKind,
    JournalError,
    check_chain,
    decode_entry,
    encode_entry,
    entry_hash,
)

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def chain(bodies, kinds=None):
    rows, prev = [], GENESIS_HASH
    for index, body in enumerate(bodies):
        kind = kinds[index] if kinds else EntryKind.STAFF_SIGN_ON
        entry = encode_entry(
            truck="T01",
            seq=index + 1,
            at=T0 + timedelta(seconds=index),
            kind=kind,
            prev=prev,
            body=body,
        )
        rows.append((entry.seq, entry.data, entry.hash))
        prev = entry.hash
    return rows


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_canonical_bytes_round_trip_unchanged(body):
    entry = encode_entry(
        truck="T01", seq=1, at=T0, kind=EntryKind.RECEIPT, prev=GENESIS_HASH, body=body
    )
    again = decode_entry(entry.data)
    assert again.body == body
    assert again.data == entry.data
    assert entry_hash(again.data) == entry.hash


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))])))
def test_a_read_entry_is_the_written_one_with_every_field(moment):
    # decode_entry fills the entry's fields at once, bypassing the dataclass: nothing may miss
    written = encode_entry(
        truck="T01", seq=7, at=moment, kind=EntryKind.RECEIPT, prev=GENESIS_HASH, body={"n": 1}
    )
    read = decode_entry(written.data)
    assert {field.name for field in fields(Entry)} <= set(vars(read))
    assert read == written
    assert read.hash == entry_hash(written.data)
    assert (
        read.at_text == written.at_text == moment.astimezone(UTC).isoformat(timespec="microseconds")
    )


def test_a_time_written_with_another_offset_is_stored_in_utc():
    data = (
        b'{"at":"2026-11-24T09:00:00.000000+01:00","body":{},"kind":"staff_sign_on",'
        b'"prev":"' + GENESIS_HASH.encode() + b'","seq":1,"truck":"T01","v":1}'
    )
    assert decode_entry(data).at_text == "2026-11-24T08:00:00.000000+00:00"


def test_floats_never_enter_the_journal():
    with pytest.raises(JournalError, match=r"Kommazahl im Journal.*1\.5"):
        encode_entry(
            truck="T01",
            seq=1,
            at=T0,
            kind=EntryKind.RECEIPT,
            prev=GENESIS_HASH,
            body={"total": 1.5},
        )


def test_naive_times_are_refused():
    with pytest.raises(JournalError, match="time zone"):
        encode_entry(
            truck="T01",
            seq=1,
            at=datetime(2026, 1, 1),
            kind=EntryKind.RECEIPT,
            prev=GENESIS_HASH,
            body={},
        )


def test_non_canonical_bytes_are_refused():
    entry = encode_entry(
        truck="T01", seq=1, at=T0, kind=EntryKind.RECEIPT, prev=GENESIS_HASH, body={"a": 1}
    )
    spaced = entry.data.replace(b":", b": ", 1)
    with pytest.raises(JournalError, match="kanonischer Form"):
        decode_entry(spaced)


def test_a_valid_chain_is_summarised():
    rows = chain([{"n": i} for i in range(5)])
    summary = check_chain(rows, truck="T01")
    assert (summary.entries, summary.first_seq, summary.last_seq) == (5, 1, 5)
    assert summary.last_hash == rows[-1][2]


@given(st.integers(0, 4), st.integers(0, 200))
def test_any_changed_byte_is_found_at_its_entry(index, offset):
    rows = chain([{"text": "Brötchen", "n": i} for i in range(5)])
    seq, data, stored = rows[index]
    position = offset % len(data)
    changed = bytearray(data)
    changed[position] = (changed[position] + 1) % 256
    rows[index] = (seq, bytes(changed), stored)
    with pytest.raises(ChainBroken) as caught:
        check_chain(rows)
    assert caught.value.seq == seq


def test_a_missing_entry_is_named():
    rows = chain([{"n": i} for i in range(4)])
    del rows[2]
    with pytest.raises(ChainBroken, match="Eintrag 3: fehlt"):
        check_chain(rows)


def test_rewritten_entry_with_fresh_hash_breaks_the_link_of_the_next():
    rows = chain([{"n": i} for i in range(3)])
    forged = encode_entry(
        truck="T01", seq=2, at=T0, kind=EntryKind.STAFF_SIGN_ON, prev=rows[0][2], body={"n": 99}
    )
    rows[1] = (2, forged.data, forged.hash)
    with pytest.raises(ChainBroken, match="Eintrag 3: verweist nicht auf Eintrag 2"):
        check_chain(rows)


def test_time_may_only_go_back_at_a_clock_correction():
    entries, prev = [], GENESIS_HASH
    times = [T0, T0 - timedelta(hours=1)]
    for kinds in (
        [EntryKind.STAFF_SIGN_ON, EntryKind.STAFF_SIGN_ON],
        [EntryKind.STAFF_SIGN_ON, EntryKind.CLOCK_CORRECTION],
    ):
        entries, prev = [], GENESIS_HASH
        for seq, (kind, at) in enumerate(zip(kinds, times, strict=True), start=1):
            entry = encode_entry(truck="T01", seq=seq, at=at, kind=kind, prev=prev, body={})
            entries.append((seq, entry.data, entry.hash))
            prev = entry.hash
        if kinds[1] is EntryKind.STAFF_SIGN_ON:
            with pytest.raises(ChainBroken, match="vor dem Eintrag davor"):
                check_chain(entries)
        else:
            assert check_chain(entries).entries == 2


def test_entries_of_another_truck_are_refused():
    rows = chain([{}])
    with pytest.raises(ChainBroken, match="Wagen T01, nicht zu T02"):
        check_chain(rows, truck="T02")


def test_receipt_and_closing_numbers_must_run_on_without_gaps():
    kinds = [EntryKind.RECEIPT, EntryKind.CASH_MOVEMENT, EntryKind.DAILY_CLOSING, EntryKind.RECEIPT]
    good = [{"number": 1}, {"number": 2}, {"closing_number": 1}, {"number": 3}]
    assert check_chain(chain(good, kinds)).entries == 4
    gap = [{"number": 1}, {"number": 2}, {"closing_number": 1}, {"number": 4}]
    with pytest.raises(ChainBroken, match="Eintrag 4: Bonnummer 4, erwartet 3"):
        check_chain(chain(gap, kinds))
    twice = [{"number": 1}, {"number": 2}, {"closing_number": 2}, {"number": 3}]
    with pytest.raises(ChainBroken, match="Abschlussnummer 2, erwartet 1"):
        check_chain(chain(twice, kinds))


def _numbered_chain():
    kinds = [
        EntryKind.RECEIPT,
        EntryKind.DAILY_CLOSING,
        EntryKind.RECEIPT,
        EntryKind.CASH_MOVEMENT,
        EntryKind.DAILY_CLOSING,
        EntryKind.RECEIPT,
    ]
    bodies = [
        {"number": 1},
        {"closing_number": 1},
        {"number": 2},
        {"number": 3},
        {"closing_number": 2},
        {"number": 4},
    ]
    return chain(bodies, kinds)


@pytest.mark.parametrize("split", range(1, 6))
def test_a_check_continued_where_the_last_stopped_carries_numbers_and_time(split):
    rows = _numbered_chain()
    whole = check_chain(rows, truck="T01")
    head = check_chain(rows[:split], truck="T01")
    tail = check_chain(
        rows[split:],
        truck="T01",
        prev_hash=head.last_hash,
        first_seq=split + 1,
        next_number=head.next_number,
        next_closing_number=head.next_closing_number,
        prev_at=head.last_at,
    )
    assert (tail.last_hash, tail.last_at) == (whole.last_hash, whole.last_at)
    assert (tail.next_number, tail.next_closing_number) == (5, 3)
    assert (whole.next_number, whole.next_closing_number) == (5, 3)


def test_a_continued_check_finds_a_number_gap_at_the_boundary():
    rows = _numbered_chain()
    head = check_chain(rows[:3])
    with pytest.raises(ChainBroken, match="Eintrag 4: Bonnummer 3, erwartet 4"):
        check_chain(rows[3:], prev_hash=head.last_hash, first_seq=4, next_number=4)
    with pytest.raises(ChainBroken, match="Eintrag 5: Abschlussnummer 2, erwartet 7"):
        check_chain(rows[3:], prev_hash=head.last_hash, first_seq=4, next_closing_number=7)


def test_a_continued_check_without_numbers_takes_the_first_it_sees():
    rows = _numbered_chain()
    summary = check_chain(rows[3:], prev_hash=rows[2][2], first_seq=4)
    assert (summary.next_number, summary.next_closing_number) == (5, 3)


def test_a_continued_check_finds_time_going_back_across_the_boundary():
    rows = chain([{"n": 0}, {"n": 1}])
    later = T0 + timedelta(hours=1)
    with pytest.raises(ChainBroken, match=r"Eintrag 1: datiert .* vor dem Eintrag davor"):
        check_chain(rows, prev_at=later)
    correction = encode_entry(
        truck="T01",
        seq=1,
        at=T0,
        kind=EntryKind.CLOCK_CORRECTION,
        prev=GENESIS_HASH,
        body={},
    )
    summary = check_chain([(1, correction.data, correction.hash)], prev_at=later)
    assert summary.last_at == T0


def test_an_empty_continued_check_returns_what_it_was_given():
    summary = check_chain(
        [], prev_hash="ab" * 32, first_seq=8, next_number=4, next_closing_number=2, prev_at=T0
    )
    assert summary.entries == 0
    assert (summary.last_hash, summary.next_number, summary.next_closing_number) == (
        "ab" * 32,
        4,
        2,
    )
    assert summary.last_at == T0
