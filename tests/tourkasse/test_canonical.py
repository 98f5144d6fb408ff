"""The journal's canonical bytes: json.dumps defines them, orjson checks them on the hub.

Journals written before the hub checked with orjson must still verify, and every entry a truck
can write must be readable by the hub; so the two encoders must agree byte for byte on every
value a journal holds, and the writer must refuse what they would disagree on.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tourkasse.journal import (
    GENESIS_HASH,
    EntryKind,
    JournalError,
    canonical_bytes,
    decode_entry,
    encode_entry,
)

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

# any text (control characters, line and paragraph separators, emoji, …) but lone surrogates,
# which no UTF-8 file can hold; integers over the whole 64-bit range a BIGINT column takes
texts = st.text(st.characters(exclude_categories=("Cs",)))
journal_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=16,
)


def stdlib_canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@given(st.dictionaries(texts, journal_values, max_size=6))
def test_the_hub_reads_back_exactly_the_bytes_json_dumps_wrote(body):
    envelope = {
        "v": 1,
        "truck": "T01",
        "seq": 1,
        "at": "2026-11-24T08:00:00.000000+00:00",
        "kind": "receipt",
        "prev": GENESIS_HASH,
        "body": body,
    }
    written = stdlib_canonical(envelope)  # as a truck of an earlier version wrote it
    assert canonical_bytes(envelope) == written
    assert decode_entry(written).body == body


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"total": 2**64}, "64 bits"),
        ({1: "eins"}, "text keys"),
        ({"total": float("nan")}, "not storable"),
        ({"total": Decimal("1.50")}, "not storable"),
        ({"at": T0}, "not storable"),
        ({"text": "\ud800"}, "not storable"),
    ],
)
def test_the_writer_refuses_what_the_hub_could_not_read_back(body, why):
    with pytest.raises(JournalError, match=why):
        encode_entry(
            truck="T01", seq=1, at=T0, kind=EntryKind.RECEIPT, prev=GENESIS_HASH, body=body
        )


@pytest.mark.parametrize(
    ("data", "why"),
    [
        # a lone surrogate, escaped: JSON to some parsers, but no canonical bytes can hold it
        (
            b'{"at":"2026-11-24T08:00:00.000000+00:00","body":{"t":"\\ud800"},"kind":"receipt",'
            b'"prev":"' + GENESIS_HASH.encode() + b'","seq":1,"truck":"T01","v":1}',
            "kein gültiges JSON.*surrogate",
        ),
        # an integer beyond 64 bits
        (
            b'{"at":"2026-11-24T08:00:00.000000+00:00","body":{"t":18446744073709551616},'
            b'"kind":"receipt","prev":"'
            + GENESIS_HASH.encode()
            + b'","seq":1,"truck":"T01","v":1}',
            "kanonischer Form",
        ),
        # a key twice: the parser keeps one, so the bytes are not what the entry says
        (
            b'{"at":"2026-11-24T08:00:00.000000+00:00","body":{"t":1,"t":2},"kind":"receipt",'
            b'"prev":"' + GENESIS_HASH.encode() + b'","seq":1,"truck":"T01","v":1}',
            "kanonischer Form",
        ),
        # a float, even one written the way the canonical encoder would write it
        (
            b'{"at":"2026-11-24T08:00:00.000000+00:00","body":{"t":1.5},"kind":"receipt",'
            b'"prev":"' + GENESIS_HASH.encode() + b'","seq":1,"truck":"T01","v":1}',
            "Kommazahl im Journal.*1.5",
        ),
        (
            b'{"at":"2026-11-24T08:00:00.000000+00:00","body":{"t":[1e+16]},"kind":"receipt",'
            b'"prev":"' + GENESIS_HASH.encode() + b'","seq":1,"truck":"T01","v":1}',
            "Kommazahl im Journal",
        ),
    ],
)
def test_bytes_the_writer_could_not_have_written_are_refused(data, why):
    with pytest.raises(JournalError, match=why):
        decode_entry(data)
