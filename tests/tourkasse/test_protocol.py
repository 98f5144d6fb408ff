"""The wire protocol: topics, journal batches byte for byte, and every refusal with its reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tourkasse.journal import GENESIS_HASH, EntryKind, encode_entry
from tourkasse.protocol import (
    Ack,
    JournalBatch,
    ProtocolError,
    Resend,
    UnknownVersion,
    decode,
    encode,
    fleet_topic,
    parse_topic,
    truck_topic,
)

AT = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


def entries(n: int) -> tuple[bytes, ...]:
    prev, out = GENESIS_HASH, []
    for seq in range(1, n + 1):
        entry = encode_entry(
            truck="T01",
            seq=seq,
            at=AT,
            kind=EntryKind.STOP_CHOSEN,
            prev=prev,
            body={"stop": "gimte", "name": "Gimte, Dorfgemeinschaftshaus – „Anger“"},
        )
        out.append(entry.data)
        prev = entry.hash
    return tuple(out)


def test_topics_per_truck_and_for_the_fleet():
    assert truck_topic("T01", "journal") == "tourkasse/v1/truck/T01/journal"
    assert fleet_topic("tours") == "tourkasse/v1/fleet/tours"
    assert parse_topic("tourkasse/v1/truck/T01/ack").truck == "T01"
    assert parse_topic("tourkasse/v1/fleet/articles").truck is None
    with pytest.raises(ValueError):
        truck_topic("T01/#", "journal")  # a wildcard never becomes a truck id


def test_a_journal_batch_carries_the_entries_byte_for_byte():
    batch = JournalBatch("T01", entries(3), first=1)
    topic = truck_topic("T01", "journal")
    payload = encode(batch)
    head, *lines = payload.split(b"\n")
    assert json.loads(head) == {
        "schema": "journal-batch",
        "v": 1,
        "truck": "T01",
        "first": 1,
        "count": 3,
    }
    assert tuple(lines) == batch.entries  # JSON lines: each entry's own bytes, unescaped
    again = decode(topic, payload)
    assert again == batch and again.last == 3
    assert decode(truck_topic("T01", "ack"), encode(Ack("T01", 3))) == Ack("T01", 3)
    resend = Resend("T01", 2, "Lücke")
    assert decode(truck_topic("T01", "resend"), encode(resend)) == resend


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("tourkasse/v1/truck/T01/journal", b"{not json", "kein gültiges JSON"),
        ("tourkasse/v1/truck/T01/journal", b"\xff\xfe", "kein UTF-8"),
        ("tourkasse/v1/truck/T01/journal", b"[1, 2]", "erwartet ein JSON-Objekt"),
        ("tourkasse/v1/truck/T01/journal", b'{"schema":"ack","v":1}', "passt nicht zum Thema"),
        (
            "tourkasse/v1/truck/T02/journal",
            None,
            "Wagen 'T01' im Inhalt passt nicht zum Thema ('T02')",
        ),
        ("tourkasse/v2/truck/T01/journal", None, "gehört nicht zu tourkasse/v1"),
        (
            "tourkasse/v1/truck/T01/journal",
            b'{"schema":"journal-batch","v":1,"truck":"T01","first":1,"count":2}\n{}',
            "count: 2 Einträge angekündigt, 1 Zeilen gefolgt",
        ),
        (
            "tourkasse/v1/truck/T01/journal",
            b'{"schema":"journal-batch","v":1,"truck":"T01","first":1,"count":0}',
            "count: erwartet eine ganze Zahl ab 1",
        ),
        ("tourkasse/v1/truck/T01/other", None, "unbekanntes Thema"),
    ],
)
def test_what_cannot_be_accepted_says_why(topic, payload, reason):
    payload = payload or encode(JournalBatch("T01", entries(1), first=1))
    with pytest.raises(ProtocolError) as caught:
        decode(topic, payload)
    assert reason in str(caught.value)


def test_an_entry_with_a_line_break_is_never_sent():
    with pytest.raises(ValueError, match="Zeilenumbruch"):
        encode(JournalBatch("T01", (b'{"a":\n1}',), first=1))


def test_a_newer_version_is_reported_as_such_not_crashed_on():
    made_up_v2 = json.dumps(
        {"schema": "journal-batch", "v": 2, "truck": "T01", "first": 1, "entries": [], "zip": "…"}
    ).encode()
    with pytest.raises(UnknownVersion, match="Version 2 ist neuer als diese Software"):
        decode(truck_topic("T01", "journal"), made_up_v2)


@given(st.binary(max_size=300))
def test_garbage_is_always_a_protocol_error_never_a_crash(payload):
    try:
        decode("tourkasse/v1/truck/T01/journal", payload)
    except ProtocolError as refused:
        assert str(refused)


@given(
    st.dictionaries(
        st.text(max_size=8), st.none() | st.integers() | st.text(max_size=8), max_size=6
    )
)
def test_any_json_object_is_accepted_or_refused_with_a_reason(body):
    body = {"schema": "journal-batch", "v": 1, "truck": "T01", **body}
    try:
        decode("tourkasse/v1/truck/T01/journal", json.dumps(body).encode())
    except ProtocolError as refused:
        assert str(refused)


def test_track_status_position_and_downloads_go_there_and_back():
    from tourkasse.protocol import (
        DeviceReport,
        Download,
        Position,
        Status,
        TrackAck,
        TrackBatch,
        TrackPoint,
    )

    when = "2026-11-24T07:30:00.000000Z"
    messages = [
        (
            truck_topic("T01", "track"),
            TrackBatch("T01", (TrackPoint(when, 515_000_000, 97_000_000, 130),)),
        ),
        (truck_topic("T01", "ack"), TrackAck("T01", when)),
        (truck_topic("T01", "position"), Position("T01", when, 515_000_000, 97_000_000, 0)),
        (
            truck_topic("T01", "status"),
            Status(
                "T01",
                True,
                when,
                "0.1.0",
                120,
                20,
                (("printer", DeviceReport(False, "Papier leer", when)),),
            ),
        ),
        (fleet_topic("articles"), Download("articles", 4, when, "[[article]]\nnumber = „1“")),
    ]
    for topic, message in messages:
        assert decode(topic, encode(message)) == message


@pytest.mark.parametrize(
    ("topic", "body", "reason"),
    [
        ("track", {"schema": "track-batch", "points": [[1, 2, 3, 4]]}, "points: erwartet [Zeit"),
        (
            "position",
            {"schema": "position", "time": "gestern", "lat": 1, "lon": 2, "speed_cm_s": 0},
            "time: erwartet eine Zeit",
        ),
        (
            "position",
            {
                "schema": "position",
                "time": "2026-11-24T07:30:00+00:00",
                "lat": 51.5,
                "lon": 2,
                "speed_cm_s": 0,
            },
            "ganze Zahlen",
        ),
        (
            "status",
            {"schema": "status", "online": "ja", "at": "2026-11-24T07:30:00+00:00"},
            "online: erwartet true oder false",
        ),
        (
            "status",
            {
                "schema": "status",
                "online": True,
                "at": "2026-11-24T07:30:00+00:00",
                "devices": {"printer": {"ok": 1}},
            },
            "devices.printer",
        ),
        ("ack", {"schema": "track-ack", "through": 5}, "through: erwartet eine Zeit"),
        (
            "status",  # PostgreSQL's text cannot hold it: refused, not tried again for ever
            {
                "schema": "status",
                "online": True,
                "at": "2026-11-24T07:30:00+00:00",
                "devices": {"printer": {"ok": False, "message": "Papier\u0000", "since": "x"}},
            },
            "NUL-Zeichen",
        ),
    ],
)
def test_bad_telemetry_is_refused_with_its_reason(topic, body, reason):
    payload = json.dumps({"v": 1, "truck": "T01", **body}).encode()
    with pytest.raises(ProtocolError) as caught:
        decode(truck_topic("T01", topic), payload)
    assert reason in str(caught.value)


def test_a_download_without_its_content_is_refused():
    payload = json.dumps(
        {"schema": "tours", "v": 1, "version": 3, "published_at": "2026-11-24T07:30:00+00:00"}
    ).encode()
    with pytest.raises(ProtocolError, match="content"):
        decode(fleet_topic("tours"), payload)
