"""The wire protocol between the trucks' agents and the hub: topics and message schemas.

Every payload is a JSON object naming its schema and version (``"schema"``, ``"v"``). A reader
refuses what it cannot trust with a :class:`ProtocolError` that says why in words an operator
can act on; a message of a newer version than this software knows is :class:`UnknownVersion`
— kept and reported by the hub, never crashed on. Journal entries travel as their canonical
bytes, unchanged (UTF-8 JSON text, so they fit into the batch as strings byte for byte).
See docs/protocol.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

PREFIX = "tourkasse/v1"
VERSION = 1
_TRUCK_ID = re.compile(r"[A-Za-z0-9-]{1,32}")

# channel → (schema name, direction) for the per-truck topics tourkasse/v1/truck/<id>/<channel>
TRUCK_CHANNELS = {
    "journal": "journal-batch",  # up, QoS 1: entries in sequence order
    "track": "track-batch",  # up, QoS 1, after the journal
    "position": "position",  # up, QoS 0: the live position
    "status": "status",  # up, retained, with a last will saying offline
    "ack": "ack",  # down, QoS 1: "committed through N", cumulative
    "resend": "resend",  # down, QoS 1: "send again from N" (a gap, a broken chain)
}
FLEET_CHANNELS = {
    "articles": "articles",  # down, retained, versioned
    "tours": "tours",  # down, retained, versioned
}


class ProtocolError(ValueError):
    """A message that cannot be accepted; str() is the reason kept with it."""


class UnknownVersion(ProtocolError):
    """A newer version of a schema than this software knows: kept and reported."""


def truck_topic(truck: str, channel: str) -> str:
    if channel not in TRUCK_CHANNELS:
        raise ValueError(f"unbekannter Kanal {channel!r}")
    if not _TRUCK_ID.fullmatch(truck):
        raise ValueError(f"ungültige Wagennummer {truck!r}")
    return f"{PREFIX}/truck/{truck}/{channel}"


def fleet_topic(channel: str) -> str:
    if channel not in FLEET_CHANNELS:
        raise ValueError(f"unbekannter Kanal {channel!r}")
    return f"{PREFIX}/fleet/{channel}"


@dataclass(frozen=True)
class Topic:
    truck: str | None  # None for fleet-wide topics
    channel: str

    @property
    def schema(self) -> str:
        channels = TRUCK_CHANNELS if self.truck is not None else FLEET_CHANNELS
        return channels[self.channel]


def parse_topic(topic: str) -> Topic:
    parts = topic.split("/")
    if parts[:2] != PREFIX.split("/"):
        raise ProtocolError(f"Thema {topic!r} gehört nicht zu {PREFIX}")
    rest = parts[2:]
    if len(rest) == 3 and rest[0] == "truck" and rest[2] in TRUCK_CHANNELS:
        if not _TRUCK_ID.fullmatch(rest[1]):
            raise ProtocolError(f"ungültige Wagennummer im Thema: {rest[1]!r}")
        return Topic(rest[1], rest[2])
    if len(rest) == 2 and rest[0] == "fleet" and rest[1] in FLEET_CHANNELS:
        return Topic(None, rest[1])
    raise ProtocolError(f"unbekanntes Thema {topic!r}")


@dataclass(frozen=True)
class JournalBatch:
    """Entries ``first`` … ``last`` of a truck's journal, as their canonical bytes."""

    truck: str
    entries: tuple[bytes, ...]
    first: int

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1


@dataclass(frozen=True)
class Ack:
    """The hub has committed the truck's journal through ``through`` (cumulative)."""

    truck: str
    through: int


@dataclass(frozen=True)
class Resend:
    """The hub asks for the journal again from ``since`` on (a gap or a broken chain)."""

    truck: str
    since: int
    reason: str


def encode(message: JournalBatch | Ack | Resend) -> bytes:
    if isinstance(message, JournalBatch):
        body: dict[str, Any] = {
            "schema": "journal-batch",
            "truck": message.truck,
            "first": message.first,
            "entries": [entry.decode("utf-8") for entry in message.entries],
        }
    elif isinstance(message, Ack):
        body = {"schema": "ack", "truck": message.truck, "through": message.through}
    else:
        body = {
            "schema": "resend",
            "truck": message.truck,
            "since": message.since,
            "reason": message.reason,
        }
    body["v"] = VERSION
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(topic: str, payload: bytes) -> JournalBatch | Ack | Resend:
    """Read a journal batch, an acknowledgement or a resend request, or say why not."""
    where = parse_topic(topic)
    try:
        body = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProtocolError("kein UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"kein gültiges JSON ({exc.msg}, Zeichen {exc.pos})") from None
    if not isinstance(body, dict):
        raise ProtocolError("erwartet ein JSON-Objekt")
    schema, version = body.get("schema"), body.get("v")
    if schema != where.schema:
        raise ProtocolError(f"Schema {schema!r} passt nicht zum Thema (erwartet {where.schema!r})")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProtocolError(f"ungültige Version {version!r}")
    if version > VERSION:
        raise UnknownVersion(f"{schema} Version {version} ist neuer als diese Software ({VERSION})")
    truck = body.get("truck")
    if truck != where.truck:
        raise ProtocolError(f"Wagen {truck!r} im Inhalt passt nicht zum Thema ({where.truck!r})")
    if schema == "journal-batch":
        first, entries = _count(body, "first"), body.get("entries")
        if not isinstance(entries, list) or not entries:
            raise ProtocolError("entries: erwartet eine nicht leere Liste")
        if not all(isinstance(entry, str) for entry in entries):
            raise ProtocolError("entries: erwartet die Einträge als Text")
        return JournalBatch(truck, tuple(entry.encode("utf-8") for entry in entries), first)
    if schema == "ack":
        return Ack(truck, _count(body, "through", low=0))
    if schema == "resend":
        reason = body.get("reason", "")
        return Resend(truck, _count(body, "since"), reason if isinstance(reason, str) else "")
    raise ProtocolError(f"Schema {schema!r} wird hier nicht gelesen")


def _count(body: dict[str, Any], key: str, *, low: int = 1) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ProtocolError(f"{key}: erwartet eine ganze Zahl ab {low}, gefunden {value!r}")
    return value
