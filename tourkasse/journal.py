"""Journal entries: their kinds, their canonical bytes, and the hash chain over them.

An entry is stored and shipped as canonical bytes (JSON, sorted keys, no spaces, UTF-8,
integers only: no floats). The entry's hash is the SHA-256 of exactly those bytes; each
entry names the hash of the one before, so a changed, missing or reordered entry breaks
the chain where it happened. The same bytes travel unchanged to the hub.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import msgspec
import orjson

ENTRY_VERSION = 1
GENESIS_HASH = "0" * 64


class EntryKind(enum.StrEnum):
    RECEIPT = "receipt"
    TSE_STARTED = "tse_started"
    STAFF_SIGN_ON = "staff_sign_on"
    STAFF_SIGN_OFF = "staff_sign_off"
    OPENING_FLOAT = "opening_float"
    CASH_MOVEMENT = "cash_movement"
    X_REPORT = "x_report"
    DAILY_CLOSING = "daily_closing"
    TSE_FAILURE_START = "tse_failure_start"
    TSE_FAILURE_END = "tse_failure_end"
    TSE_LATE_SIGNATURE = "tse_late_signature"  # the TSE's answer to a receipt sold in failure mode
    DEVICE_FAILURE_START = "device_failure_start"  # printer, scale, … stopped working
    DEVICE_FAILURE_END = "device_failure_end"
    CLOCK_OVERRIDE = "clock_override"
    CLOCK_CORRECTION = "clock_correction"
    STOP_ARRIVAL = "stop_arrival"  # the agent saw the truck arrive at a stop (GPS)
    STOP_DEPARTURE = "stop_departure"
    STOP_CHOSEN = "stop_chosen"  # staff said where the truck is (GPS out or wrong)
    # an order for this visit was not collected; a collected one is named by its sale's receipt
    ORDER_NOT_COLLECTED = "order_not_collected"

    @property
    def numbered(self) -> bool:
        """Entries that carry the till's gap-free receipt number (BON_NR)."""
        return self in (EntryKind.RECEIPT, EntryKind.OPENING_FLOAT, EntryKind.CASH_MOVEMENT)

    @property
    def resets_clock(self) -> bool:
        """Entries after these may carry earlier times than the entries before them."""
        return self in (EntryKind.CLOCK_OVERRIDE, EntryKind.CLOCK_CORRECTION)


class JournalError(ValueError):
    """An entry that is not what the journal promises."""


@dataclass(frozen=True)
class Entry:
    truck: str
    seq: int
    at: datetime
    kind: EntryKind
    prev: str
    body: dict[str, Any]
    data: bytes  # the canonical bytes: what is hashed, stored and shipped

    @cached_property
    def hash(self) -> str:
        return entry_hash(self.data)

    @cached_property
    def at_text(self) -> str:
        """The time as stored and sorted: UTC, microseconds, explicit offset."""
        return format_time(self.at)


def _no_floats(token: str) -> Any:
    raise ValueError(token)  # msgspec hands it on as a ValidationError, with where it stood


# One reader for every entry on truck and hub: msgspec's JSON parser calls the hook for every
# number with a fraction or an exponent, so floats are refused while parsing, at several times
# the speed of the standard library's parser with its parse_float hook (the hub reads every
# entry of every truck). NaN and Infinity are not JSON to it at all.
_READER = msgspec.json.Decoder(float_hook=_no_floats)


def _parse(data: bytes) -> Any:
    """The JSON value in ``data``; JournalError (German) when it is not JSON or holds a float."""
    try:
        return _READER.decode(data)
    except msgspec.ValidationError as exc:  # the hook's refusal, with where it stood
        raise JournalError(f"Kommazahl im Journal, erlaubt sind nur ganze Zahlen: {exc}") from None
    except msgspec.DecodeError as exc:
        raise JournalError(f"kein gültiges JSON: {exc}") from None
    except RecursionError:
        raise JournalError("kein gültiges JSON: zu tief verschachtelt") from None


# The hub encodes every entry of every truck once more to check that its bytes are canonical;
# orjson does that several times faster than json.dumps. The writer keeps json.dumps as the
# definition and insists that orjson writes the same bytes, so the hub can read every entry a
# truck writes (tests/tourkasse/test_canonical.py holds the two to the same bytes for the
# values a journal holds). Dates and dataclasses, which orjson would write on its own, are
# passed through to its refusal, as json.dumps refuses them.
_CANONICAL = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
)


def _encode(value: Any) -> bytes | None:
    """The canonical bytes as the hub checks them; None for what orjson cannot write."""
    try:
        return orjson.dumps(value, option=_CANONICAL)
    except TypeError:  # orjson's JSONEncodeError: non-string keys, huge integers, surrogates
        return None


def canonical_bytes(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8; refuses floats, NaN, non-string keys and huge integers."""
    try:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        data = text.encode("utf-8")
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise JournalError(f"not storable in the journal: {exc}") from exc
    _parse(data)  # floats are refused where they are read back
    if _encode(value) != data:
        raise JournalError(
            "not storable in the journal: only text keys and integers within 64 bits"
        )
    return data


def format_time(moment: datetime) -> str:
    """UTC with microseconds and an explicit offset: sortable and exact."""
    if moment.tzinfo is UTC:  # as read from the journal: no conversion needed
        return moment.isoformat(timespec="microseconds")
    if moment.tzinfo is None:
        raise JournalError("journal times must carry a time zone")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_entry(
    *, truck: str, seq: int, at: datetime, kind: EntryKind, prev: str, body: dict[str, Any]
) -> Entry:
    envelope = {
        "v": ENTRY_VERSION,
        "truck": truck,
        "seq": seq,
        "at": format_time(at),
        "kind": kind.value,
        "prev": prev,
        "body": body,
    }
    data = canonical_bytes(envelope)
    return Entry(truck, seq, at.astimezone(UTC), kind, prev, body, data)


# the form format_time writes, as every truck writes it: such a text needs no formatting again
_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")
_FIELDS = frozenset({"v", "truck", "seq", "at", "kind", "prev", "body"})
_KINDS = {kind.value: kind for kind in EntryKind}  # a lookup, not an enum call: see decode_entry


def decode_entry(data: bytes) -> Entry:
    """Read canonical bytes back; bytes that are not canonical are rejected.

    One parse (refusing floats, NaN and Infinity on the way) and one encoding to compare: the
    hub reads every entry of every truck through here, so it takes the cheap way at each step.
    """
    envelope = _parse(data)
    if not isinstance(envelope, dict):
        raise JournalError("kein JSON-Objekt")
    if envelope.keys() != _FIELDS:
        raise JournalError(f"Felder {sorted(envelope)}, erwartet {sorted(_FIELDS)}")
    if envelope["v"] != ENTRY_VERSION:
        raise JournalError(f"Version {envelope['v']} wird nicht unterstützt")
    kind = _KINDS.get(envelope["kind"]) if isinstance(envelope["kind"], str) else None
    if kind is None:
        raise JournalError(f"{envelope['kind']!r} is not a valid EntryKind")
    try:
        at = datetime.fromisoformat(envelope["at"])
    except (TypeError, ValueError) as exc:
        raise JournalError(str(exc)) from exc
    if at.tzinfo is None:
        raise JournalError("Zeit ohne Zeitzone")
    if _encode(envelope) != data:
        raise JournalError("nicht in kanonischer Form gespeichert (verändert?)")
    # the dataclass's __init__ would set each field through object.__setattr__ (it is frozen),
    # several times slower than filling the new entry's __dict__ at once
    # (and the hash and the time's text, which every reader on the hub needs, are filled in
    # at once, so no cached_property has to find them missing first)
    entry = object.__new__(Entry)
    entry.__dict__.update(
        truck=envelope["truck"],
        seq=envelope["seq"],
        at=at,
        kind=kind,
        prev=envelope["prev"],
        body=envelope["body"],
        data=data,
        hash=hashlib.sha256(data).hexdigest(),
    )
    if _CANONICAL_TIME.fullmatch(envelope["at"]):
        entry.__dict__["at_text"] = envelope["at"]
    return entry


# what check_chain asks of every entry's kind, as lookups instead of the properties' tuple scans
_RESETS_CLOCK = frozenset(kind for kind in EntryKind if kind.resets_clock)
_NUMBER_KEYS = {kind: "number" for kind in EntryKind if kind.numbered} | {
    EntryKind.DAILY_CLOSING: "closing_number"
}


@dataclass(frozen=True)
class ChainSummary:
    entries: int
    first_seq: int | None
    last_seq: int | None
    last_hash: str
    first_at: datetime | None
    last_at: datetime | None
    # what the next entry must carry: receipt number, closing number (None: not known yet)
    next_number: int | None = None
    next_closing_number: int | None = None


class ChainBroken(JournalError):
    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"Eintrag {seq}: {reason}")
        self.seq = seq
        self.reason = reason


def check_chain(
    rows: Iterable[tuple[int, bytes | Entry, str]],
    *,
    truck: str | None = None,
    prev_hash: str = GENESIS_HASH,
    first_seq: int = 1,
    next_number: int | None = None,
    next_closing_number: int | None = None,
    prev_at: datetime | None = None,
) -> ChainSummary:
    """Walk (seq, canonical bytes, stored hash) rows in order; raise ChainBroken at the first fault.

    Checks: gap-free sequence, canonical bytes, stored hash, link to the previous entry, the
    truck id, that no time goes backwards except after a clock correction or override, and
    that receipt and closing numbers run on without gaps (from 1 when the check starts at
    the journal's beginning, from the first one seen otherwise).

    A check that continues where an earlier one stopped (the hub, batch by batch) passes what
    that one returned: ``prev_hash`` (its ``last_hash``), ``next_number`` and
    ``next_closing_number``, and ``prev_at`` (its ``last_at``), so numbers and times are
    checked across the boundary too.
    """
    walk = ChainWalk(
        truck=truck,
        prev_hash=prev_hash,
        first_seq=first_seq,
        next_number=next_number,
        next_closing_number=next_closing_number,
        prev_at=prev_at,
    )
    for seq, data, stored_hash in rows:
        walk.step(seq, data, stored_hash)
    return walk.summary()


class ChainWalk:
    """:func:`check_chain` one entry at a time, for a reader that acts on each entry as soon as
    it is known to continue the chain (the hub streams a batch into its store that way)."""

    def __init__(
        self,
        *,
        truck: str | None = None,
        prev_hash: str = GENESIS_HASH,
        first_seq: int = 1,
        next_number: int | None = None,
        next_closing_number: int | None = None,
        prev_at: datetime | None = None,
    ) -> None:
        self.truck = truck
        self.first_seq = first_seq
        self.expected_seq = first_seq
        start = 1 if first_seq == 1 else None
        self.next_numbers: dict[str, int | None] = {
            "number": next_number if next_number is not None else start,
            "closing_number": next_closing_number if next_closing_number is not None else start,
        }
        self.count = 0
        self.first_at: datetime | None = None
        self.last_at: datetime | None = prev_at
        self.prev_hash = prev_hash

    def step(self, seq: int, data: bytes | Entry, stored_hash: str) -> Entry:
        """Check the next entry (its bytes, or the entry a caller has decoded already), walk on
        past it and return it decoded; ChainBroken, with the walk unchanged, if it does not
        continue the chain."""
        entry = self.check(seq, data, stored_hash)
        self.advance(entry, stored_hash)
        return entry

    def check(self, seq: int, data: bytes | Entry, stored_hash: str) -> Entry:
        """The next entry decoded if it continues the chain (ChainBroken if not); the walk
        stays where it is until :meth:`advance`, so a caller may refuse the entry for a
        reason of its own first."""
        decoded = data if isinstance(data, Entry) else None
        data = decoded.data if decoded is not None else data
        if seq != self.expected_seq:
            raise ChainBroken(
                self.expected_seq, f"fehlt (der nächste vorhandene Eintrag ist {seq})"
            )
        try:
            entry = decoded if decoded is not None else decode_entry(data)
        except JournalError as exc:
            raise ChainBroken(seq, str(exc)) from exc
        if entry.seq != seq:
            raise ChainBroken(seq, f"steht an Stelle {seq}, nennt sich aber {entry.seq}")
        if self.truck is not None and entry.truck != self.truck:
            raise ChainBroken(seq, f"gehört zu Wagen {entry.truck}, nicht zu {self.truck}")
        if (entry.hash if decoded is not None else entry_hash(data)) != stored_hash:
            raise ChainBroken(
                seq, "Inhalt passt nicht zu seinem Hash (nach dem Schreiben verändert)"
            )
        if entry.prev != self.prev_hash:
            raise ChainBroken(
                seq,
                f"verweist nicht auf Eintrag {seq - 1} (Hash-Kette unterbrochen): Eintrag "
                f"{seq - 1} wurde verändert, oder dieser gehört nicht dorthin",
            )
        kind = entry.kind
        last_at = self.last_at
        if last_at is not None and entry.at < last_at and kind not in _RESETS_CLOCK:
            raise ChainBroken(seq, f"datiert {entry.at.isoformat()}, vor dem Eintrag davor")
        key = _NUMBER_KEYS.get(kind)
        if key is not None:
            number = entry.body.get(key)
            wanted = self.next_numbers[key]
            if not isinstance(number, int) or (wanted is not None and number != wanted):
                what = "Bonnummer" if key == "number" else "Abschlussnummer"
                raise ChainBroken(seq, f"{what} {number}, erwartet {wanted} (Lücke oder doppelt)")
        return entry

    def advance(self, entry: Entry, stored_hash: str) -> None:
        """Walk on past ``entry``, which :meth:`check` has passed."""
        key = _NUMBER_KEYS.get(entry.kind)
        if key is not None:
            self.next_numbers[key] = entry.body[key] + 1
        self.first_at = self.first_at or entry.at
        self.last_at = entry.at
        self.prev_hash = stored_hash
        self.expected_seq += 1
        self.count += 1

    def summary(self) -> ChainSummary:
        """What the entries walked so far come to (all of them: a refused one is not walked)."""
        count = self.count
        return ChainSummary(
            entries=count,
            first_seq=self.first_seq if count else None,
            last_seq=self.expected_seq - 1 if count else None,
            last_hash=self.prev_hash,
            first_at=self.first_at,
            last_at=self.last_at,
            next_number=self.next_numbers["number"],
            next_closing_number=self.next_numbers["closing_number"],
        )
