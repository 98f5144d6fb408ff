"""The wire protocol between the trucks' agents and the hub: topics and message schemas.

Every payload is a JSON object naming its schema and version (``"schema"``, ``"v"``). A reader
refuses what it cannot trust with a :class:`ProtocolError` that says why in words an operator
can act on; a message of a newer version than this software knows is :class:`UnknownVersion`
— kept and reported by the hub, never crashed on. Journal entries travel as their canonical
bytes, unchanged: a journal batch is JSON lines, the batch's head and then one entry a line
(canonical bytes never hold a raw line break), so neither side escapes or copies an entry.
See docs/protocol.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

PREFIX = "tourkasse/v1"
VERSION = 1
_TRUCK_ID = re.compile(r"[A-Za-z0-9-]{1,32}")

# channel → the schemas it carries, for the per-truck topics tourkasse/v1/truck/<id>/<channel>
TRUCK_CHANNELS: dict[str, tuple[str, ...]] = {
    "journal": ("journal-batch",),  # up, QoS 1: entries in sequence order
    "track": ("track-batch",),  # up, QoS 1, after the journal
    "position": ("position",),  # up, QoS 0: the live position
    "status": ("status",),  # up, retained, with a last will saying offline
    "ack": ("ack", "track-ack"),  # down, QoS 1: "committed through N", cumulative
    "resend": ("resend",),  # down, QoS 1: "send again from N" (a gap, a broken chain)
    "orders": ("orders",),  # down, retained, versioned: this truck's orders to hand over
}
# downloads: versioned data the hub keeps retained for the trucks (fleet-wide, or one truck's)
DOWNLOAD_SCHEMAS = ("articles", "tours", "orders")
FLEET_CHANNELS: dict[str, tuple[str, ...]] = {
    "articles": ("articles",),  # down, retained, versioned
    "tours": ("tours",),  # down, retained, versioned
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
    def schemas(self) -> tuple[str, ...]:
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


@dataclass(frozen=True)
class TrackPoint:
    """A point of the track on the wire: integers only (1e-7 degrees, cm/s), UTC time text."""

    time: str
    lat: int
    lon: int
    speed_cm_s: int


@dataclass(frozen=True)
class TrackBatch:
    truck: str
    points: tuple[TrackPoint, ...]


@dataclass(frozen=True)
class TrackAck:
    """The hub has stored the track through the point of time ``through`` (cumulative)."""

    truck: str
    through: str


@dataclass(frozen=True)
class Position:
    """The live position (telemetry for the operator's map, never for public pages)."""

    truck: str
    time: str
    lat: int
    lon: int
    speed_cm_s: int


@dataclass(frozen=True)
class DeviceReport:
    ok: bool
    message: str
    since: str


@dataclass(frozen=True)
class Status:
    """How a truck is: online or not, what it still has to send, its devices and clock.

    ``devices`` holds the till's and the agent's device rows (printer, scale, tse, gps,
    gpsd, clock, …) as the truck's status table has them. The broker publishes the last will,
    ``online`` false, when the truck's connection dies.
    """

    truck: str
    online: bool
    at: str
    version: str = ""
    journal_seq: int = 0  # the truck's last journal entry
    backlog: int = 0  # entries the hub has not acknowledged yet
    devices: tuple[tuple[str, DeviceReport], ...] = ()


@dataclass(frozen=True)
class Download:
    """Data for the trucks, versioned, retained on the broker: for every truck (articles and
    prices, tours), or for one truck on its own topic (its orders to hand over).

    ``content`` is the file as the office wrote it (article list CSV, tour file TOML), or the
    JSON text of ``tourkasse.orders``, so the truck checks it with the same rules as a file
    given to it by hand.
    """

    kind: str  # "articles", "tours" or "orders"
    version: int
    published_at: str
    content: str


Message = JournalBatch | Ack | Resend | TrackBatch | TrackAck | Position | Status | Download


def encode(message: Message) -> bytes:
    body = _body(message)
    body["v"] = VERSION
    # orjson: the same compact UTF-8 JSON as json.dumps, several times faster
    head = orjson.dumps(body)
    if isinstance(message, JournalBatch):
        payload = b"\n".join((head, *message.entries))
        # one scan of the whole payload instead of one per entry: only the separators may
        # be line breaks (the head, compact JSON, holds none)
        if payload.count(b"\n") != len(message.entries):
            raise ValueError("ein Journaleintrag mit Zeilenumbruch ist nicht kanonisch")
        return payload
    return head


def _body(message: Message) -> dict[str, Any]:
    if isinstance(message, JournalBatch):
        return {
            "schema": "journal-batch",
            "truck": message.truck,
            "first": message.first,
            "count": len(message.entries),  # the entries follow, one a line
        }
    if isinstance(message, Ack):
        return {"schema": "ack", "truck": message.truck, "through": message.through}
    if isinstance(message, Resend):
        return {
            "schema": "resend",
            "truck": message.truck,
            "since": message.since,
            "reason": message.reason,
        }
    if isinstance(message, TrackBatch):
        return {
            "schema": "track-batch",
            "truck": message.truck,
            "points": [[p.time, p.lat, p.lon, p.speed_cm_s] for p in message.points],
        }
    if isinstance(message, TrackAck):
        return {"schema": "track-ack", "truck": message.truck, "through": message.through}
    if isinstance(message, Position):
        return {
            "schema": "position",
            "truck": message.truck,
            "time": message.time,
            "lat": message.lat,
            "lon": message.lon,
            "speed_cm_s": message.speed_cm_s,
        }
    if isinstance(message, Status):
        return {
            "schema": "status",
            "truck": message.truck,
            "online": message.online,
            "at": message.at,
            "version": message.version,
            "journal_seq": message.journal_seq,
            "backlog": message.backlog,
            "devices": {
                name: {"ok": d.ok, "message": d.message, "since": d.since}
                for name, d in message.devices
            },
        }
    return {
        "schema": message.kind,
        "version": message.version,
        "published_at": message.published_at,
        "content": message.content,
    }


def decode(topic: str, payload: bytes) -> Message:
    """Read any message of the protocol, or say why not (:class:`ProtocolError`)."""
    where = parse_topic(topic)
    lines: list[bytes] = []
    if where.schemas == ("journal-batch",):
        payload, *lines = payload.split(b"\n")
    try:
        body = orjson.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProtocolError("kein UTF-8") from None
    except orjson.JSONDecodeError as exc:  # too deep a nesting included
        raise ProtocolError(f"kein gültiges JSON ({exc.msg}, Zeichen {exc.pos})") from None
    if not isinstance(body, dict):
        raise ProtocolError("erwartet ein JSON-Objekt")
    if _holds_nul(body):
        raise ProtocolError("Text mit NUL-Zeichen (\\u0000): kann die Zentrale nicht speichern")
    schema, version = body.get("schema"), body.get("v")
    if schema not in where.schemas:
        expected = " oder ".join(repr(s) for s in where.schemas)
        raise ProtocolError(f"Schema {schema!r} passt nicht zum Thema (erwartet {expected})")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProtocolError(f"ungültige Version {version!r}")
    if version > VERSION:
        raise UnknownVersion(f"{schema} Version {version} ist neuer als diese Software ({VERSION})")
    if schema in DOWNLOAD_SCHEMAS:  # the topic says whose it is
        return _download(schema, body)
    truck = body.get("truck")
    if truck != where.truck:
        raise ProtocolError(f"Wagen {truck!r} im Inhalt passt nicht zum Thema ({where.truck!r})")
    if schema == "journal-batch":
        return _journal_batch(truck, body, lines)
    return _READERS[schema](truck, body)


def _holds_nul(value: object) -> bool:
    """A NUL character in a key or text anywhere in ``value`` (PostgreSQL's text cannot hold
    one, and a message the hub cannot store must be refused, not tried again for ever)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _journal_batch(truck: str, body: dict[str, Any], entries: list[bytes]) -> JournalBatch:
    first, count = _count(body, "first"), _count(body, "count")
    if len(entries) != count:
        raise ProtocolError(f"count: {count} Einträge angekündigt, {len(entries)} Zeilen gefolgt")
    return JournalBatch(truck, tuple(entries), first)


def _ack(truck: str, body: dict[str, Any]) -> Ack:
    return Ack(truck, _count(body, "through", low=0))


def _resend(truck: str, body: dict[str, Any]) -> Resend:
    reason = body.get("reason", "")
    return Resend(truck, _count(body, "since"), reason if isinstance(reason, str) else "")


def _track_batch(truck: str, body: dict[str, Any]) -> TrackBatch:
    points = body.get("points")
    if not isinstance(points, list) or not points:
        raise ProtocolError("points: erwartet eine nicht leere Liste")
    read = []
    for point in points:
        if not (
            isinstance(point, list)
            and len(point) == 4
            and _is_time(point[0])
            and all(_is_int(value) for value in point[1:])
        ):
            raise ProtocolError(
                f"points: erwartet [Zeit, lat, lon, cm/s], gefunden {point!r}"[:200]
            )
        read.append(TrackPoint(*point))
    return TrackBatch(truck, tuple(read))


def _track_ack(truck: str, body: dict[str, Any]) -> TrackAck:
    return TrackAck(truck, _time(body, "through"))


def _position(truck: str, body: dict[str, Any]) -> Position:
    values = [body.get(key) for key in ("lat", "lon", "speed_cm_s")]
    if not all(_is_int(value) for value in values):
        raise ProtocolError("lat, lon, speed_cm_s: erwartet ganze Zahlen")
    return Position(truck, _time(body, "time"), *values)


def _status(truck: str, body: dict[str, Any]) -> Status:
    online = body.get("online")
    if not isinstance(online, bool):
        raise ProtocolError(f"online: erwartet true oder false, gefunden {online!r}")
    devices = body.get("devices", {})
    if not isinstance(devices, dict):
        raise ProtocolError("devices: erwartet ein JSON-Objekt")
    reports = []
    for name, report in sorted(devices.items()):
        if not (
            isinstance(report, dict)
            and isinstance(report.get("ok"), bool)
            and isinstance(report.get("message"), str)
            and isinstance(report.get("since"), str)
        ):
            raise ProtocolError(f"devices.{name}: erwartet ok, message und since"[:200])
        reports.append((name, DeviceReport(report["ok"], report["message"], report["since"])))
    version = body.get("version", "")
    return Status(
        truck,
        online,
        _time(body, "at"),
        version if isinstance(version, str) else "",
        _count(body, "journal_seq", low=0) if "journal_seq" in body else 0,
        _count(body, "backlog", low=0) if "backlog" in body else 0,
        tuple(reports),
    )


def _download(schema: str, body: dict[str, Any]) -> Download:
    content = body.get("content")
    if not isinstance(content, str):
        raise ProtocolError("content: erwartet den Inhalt der Datei als Text")
    return Download(schema, _count(body, "version"), _time(body, "published_at"), content)


_READERS = {
    "ack": _ack,
    "resend": _resend,
    "track-batch": _track_batch,
    "track-ack": _track_ack,
    "position": _position,
    "status": _status,
}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_time(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _time(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not _is_time(value):
        raise ProtocolError(f"{key}: erwartet eine Zeit mit Zeitzone, gefunden {value!r}"[:200])
    return value


def _count(body: dict[str, Any], key: str, *, low: int = 1) -> int:
    value = body.get(key)
    if not _is_int(value) or value < low:
        raise ProtocolError(f"{key}: erwartet eine ganze Zahl ab {low}, gefunden {value!r}"[:200])
    return value
