"""Simulated trucks for the fleet load (tests/hub/test_fleet_load.py, scripts/bench_fleet.py).

Two hundred ``tourkasse truck agent`` processes do not fit on a small machine, so a sender
process plays many trucks at once: each truck has its own MQTT client (the agent's own
``truck_client``: client id and user name the truck id, its last will, MQTT 5, no kept
session), its own journal written by the real till with a real software TSE (each sale a TSE
start and a receipt, hash-chained, as a truck's SQLite journal holds them), and it sends what the
agent sends, built with the project's protocol code:

- each sale's entries as a journal batch (QoS 1) as soon as they are written;
- the live position every ``position_every_s`` (QoS 0);
- its status (retained, QoS 1) when it goes online, when its last entry or backlog changes (at
  most every 2 s) and at least every 60 s;
- a point of the track every ``track_every_s``, sent as a track batch once the journal is
  acknowledged, one batch at a time until the hub acknowledges it.

It listens like the agent: "committed through N" moves the truck's pointer; "send again from
N" rewinds it (the same request again within the acknowledgement timeout is ignored, as the
agent does); no acknowledgement within ``ack_timeout_s`` sends again from the pointer; a lost
connection reconnects and sends again from the pointer. Left out: stop arrivals from GPS, the
download of articles and tours (subscribed, never acted on) and the offline status at the end.

A sender process (fleet_senders.py) runs many of them on one thread. An entry's lag is
measured at the truck: from the entry's time as the till wrote it to the acknowledgement's
arrival.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from tests.conftest import EXAMPLE_ARTICLES
from tests.support.fleet import STOPS, Sold
from tourkasse import protocol
from tourkasse.journal import decode_entry
from tourkasse.protocol import Ack, Download, JournalBatch, Resend, TrackAck, TrackBatch

STATUS_AT_MOST_EVERY_S = 2.0  # as truck/agent/sync.py
STATUS_EVERY_S = 60.0
WINDOW_BATCHES = 8
# where the fleet drives: around the example tour's stops (1e-7 degrees)
HOME_LAT, HOME_LON = 514_200_000, 96_500_000


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LoadPlan:
    """What every simulated truck does; the same for all senders of a run."""

    port: int
    seconds: float
    template: Path  # a truck folder (journal with articles, software TSE) copied per truck
    workdir: Path  # the trucks' folders go here
    sale_every_s: tuple[float, float] = (60.0, 120.0)
    position_every_s: float = 1.0
    track_every_s: float = 30.0
    ack_timeout_s: float = 15.0
    batch_size: int = 200
    seed: int = 1


@dataclass
class TruckOutcome:
    """What one simulated truck did, for the checks and the figures."""

    name: str
    journal: Path
    last_seq: int = 0
    acked: int = 0
    last_position: str = ""  # the time text of its last position
    sold: Sold = field(default_factory=Sold)
    vat: Counter[str] = field(default_factory=Counter)  # VAT per rate's name, per receipt
    entry_lags: list[float] = field(default_factory=list)  # seconds, written → ack heard
    sent: Counter[str] = field(default_factory=Counter)  # messages published, per kind
    resends_asked: int = 0  # "send again from N" acted on
    timeouts: int = 0  # sent again for want of an acknowledgement
    reconnects: int = 0


def make_template(folder: Path) -> Path:
    """A truck's journal with the example articles and a software TSE, ready to be copied."""
    from tourkasse.article_list import load_article_list
    from truck.fiscal.software_tse import SoftwareTse
    from truck.store.articles import replace_articles
    from truck.store.database import open_database

    db = open_database(folder / "journal.sqlite")
    catalogue = load_article_list(EXAMPLE_ARTICLES)
    replace_articles(db, catalogue.articles, catalogue.departments)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    with SoftwareTse(folder / "tse", clock=wall_clock, create=True):
        pass
    return folder


class Shelf:
    """The articles a simulated customer picks from: by the piece, not age-limited."""

    def __init__(self, db: Any) -> None:
        from truck.store import articles

        rows = db.execute("SELECT number FROM articles ORDER BY number").fetchall()
        found = [articles.by_number(db, number) for (number,) in rows]
        self.deposits = {a.number: a for a in found if a and a.is_deposit}
        self.goods = [
            a
            for a in found
            if a and not a.is_deposit and a.unit.value == "piece" and not a.age_limit
        ]

    def sale(self, rng: random.Random, stop: str | None) -> Any:
        """A receipt of one to six lines (drinks with their deposit), cash, card or both."""
        from truck.core.basket import Basket
        from truck.core.payment import settle

        basket = Basket()
        for article in rng.sample(self.goods, rng.randint(1, 6)):
            deposit = self.deposits.get(article.deposit) if article.deposit else None
            basket.add_article(article, rng.randint(1, 3), deposit=deposit)
        total = basket.total
        how = rng.choice(("cash", "cash", "card", "split"))
        card = total if how == "card" else total // 2 if how == "split" else 0
        rest = total - card
        tendered = ((rest // 500) + 1) * 500 if rest > 0 else None
        return basket.receipt(settle(total, cash_tendered=tendered, card=card), stop=stop)


class SimTruck:
    """One truck: its till and journal, its MQTT client, its pointers."""

    def __init__(self, name: str, plan: LoadPlan, shelf_of: Callable[[Any], Shelf]) -> None:
        from truck.config import HubSettings
        from truck.fiscal.software_tse import SoftwareTse
        from truck.store.database import open_database
        from truck.till.till import Till

        self.name = name
        self.plan = plan
        folder = plan.workdir / name
        shutil.copytree(plan.template, folder)
        self.db = open_database(folder / "journal.sqlite")
        self.tse = SoftwareTse(folder / "tse", clock=wall_clock)
        self.till = Till(
            self.db, self.tse, truck=name, client_id=f"TK-{name}-0001", clock=wall_clock
        )
        self.shelf = shelf_of(self.db)
        self.rng = random.Random(f"{plan.seed}-{name}")
        self.out = TruckOutcome(name, folder / "journal.sqlite")
        self.settings = HubSettings(enabled=True, host="127.0.0.1", port=plan.port)
        self.connected = False
        self.online_since = wall_clock().isoformat()
        self.written: dict[int, float] = {}  # seq → its time as written (epoch seconds)
        self.sent = 0
        self.progress_at = 0.0
        self.rewound: tuple[int, float] | None = None
        self.status_key: tuple[int, int] | None = None
        self.status_at = -1e9
        self.track: list[protocol.TrackPoint] = []  # points not yet acknowledged
        self.track_sent: str | None = None
        self.lat = HOME_LAT + self.rng.randrange(-300_000, 300_000)
        self.lon = HOME_LON + self.rng.randrange(-300_000, 300_000)
        self.speed = 0
        self.inbox: list[tuple[str, bytes]] = []
        self.lost_at: float | None = None
        self.client = self._client()

    # --- the connection ----------------------------------------------------------------
    def _client(self) -> mqtt.Client:
        from truck.agent.mqtt_link import truck_client

        client = truck_client(self.name, self.settings, will=self.status(online=False))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = lambda _c, _u, m: self.inbox.append((m.topic, bytes(m.payload)))
        return client

    def connect(self) -> None:
        self.client.connect(self.settings.host, self.settings.port, self.settings.keepalive_s)

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            return
        client.subscribe(
            [
                (protocol.truck_topic(self.name, "ack"), 1),
                (protocol.truck_topic(self.name, "resend"), 1),
                (protocol.fleet_topic("articles"), 1),
                (protocol.fleet_topic("tours"), 1),
            ]
        )
        self.connected = True
        self.sent = self.out.acked  # whatever was in flight is sent again
        self.track_sent = None
        self.status_key = None
        self.progress_at = time.monotonic()

    def _on_disconnect(self, *_: Any) -> None:
        if self.connected:
            self.lost_at = time.monotonic()
        self.connected = False

    def reconnect(self, now: float) -> None:
        if self.connected or self.lost_at is None or now - self.lost_at < 1.0:
            return
        self.lost_at = now
        self.out.reconnects += 1
        with contextlib.suppress(OSError):  # no broker yet: the next pass tries again
            self.client.reconnect()

    def publish(self, kind: str, channel: str, message: protocol.Message, qos: int) -> None:
        retain = channel == "status"
        self.client.publish(
            protocol.truck_topic(self.name, channel), protocol.encode(message), qos, retain
        )
        self.out.sent[kind] += 1

    # --- what the truck does -------------------------------------------------------------
    def sell(self, now: float) -> None:
        from truck.store import sync_state

        index = self.out.sold.receipts
        receipt = self.shelf.sale(self.rng, STOPS[index % len(STOPS)])
        self.till.sell(receipt)
        self.out.sold.receipts += 1
        self.out.sold.per_stop[receipt.stop] += receipt.total
        self.out.vat.update({rate.name: vat for rate, vat in receipt.vat_by_rate.items()})
        for seq, data in sync_state.journal_rows(self.db, after=self.out.last_seq, limit=100):
            self.written[seq] = decode_entry(data).at.timestamp()
            self.out.last_seq = seq
        self.send_journal(now)

    def send_journal(self, now: float) -> None:
        from truck.store import sync_state

        size = self.plan.batch_size
        if not self.connected:
            return
        while self.sent - self.out.acked < size * WINDOW_BATCHES:
            rows = sync_state.journal_rows(self.db, after=self.sent, limit=size)
            if not rows:
                return
            batch = JournalBatch(self.name, tuple(data for _, data in rows), first=rows[0][0])
            if self.sent == self.out.acked:
                self.progress_at = now  # the wait for an acknowledgement starts now
            self.publish("journal batches", "journal", batch, qos=1)
            self.out.sent["journal entries"] += len(rows)
            self.sent = batch.last

    def position(self) -> None:
        if not self.connected:
            return  # QoS 0 while offline is lost anyway; the agent sends none
        self.speed = 0 if self.rng.random() < 0.6 else self.rng.randrange(300, 2200)
        self.lat += self.speed // 10
        self.lon += self.speed // 7
        moment = wall_clock().isoformat()
        self.out.last_position = moment
        point = protocol.Position(self.name, moment, self.lat, self.lon, self.speed)
        self.publish("positions", "position", point, qos=0)

    def sample_track(self) -> None:
        from truck.store.track import stamp

        self.track.append(protocol.TrackPoint(stamp(wall_clock()), self.lat, self.lon, self.speed))

    def status(self, *, online: bool) -> protocol.Status:
        from truck.agent.sync import software_version

        ready = protocol.DeviceReport(True, "bereit", self.online_since)
        devices = tuple(
            (name, ready) for name in ("clock", "gps", "gpsd", "printer", "scale", "tse")
        )
        last = self.out.last_seq
        return protocol.Status(
            self.name,
            online,
            wall_clock().isoformat(),
            software_version(),
            last,
            max(0, last - self.out.acked),
            devices,
        )

    def step(self, now: float) -> None:
        """What the agent's loop does each pass: status, a late acknowledgement, the track."""
        if not self.connected:
            return
        key = (self.out.last_seq, self.out.last_seq - self.out.acked)
        changed = key != self.status_key
        if (changed and now - self.status_at >= STATUS_AT_MOST_EVERY_S) or (
            now - self.status_at >= STATUS_EVERY_S
        ):
            self.status_key, self.status_at = key, now
            self.publish("statuses", "status", self.status(online=True), qos=1)
        if self.sent > self.out.acked and now - self.progress_at > self.plan.ack_timeout_s:
            self.out.timeouts += 1
            self.sent = self.out.acked
            self.progress_at = now
            self.send_journal(now)
        if self.out.acked >= self.out.last_seq and self.track_sent is None and self.track:
            points = tuple(self.track[: self.plan.batch_size])
            self.publish("track batches", "track", TrackBatch(self.name, points), qos=1)
            self.track_sent = points[-1].time

    def read(self, now: float) -> None:
        inbox, self.inbox = self.inbox, []
        for topic, payload in inbox:
            try:
                message = protocol.decode(topic, payload)
            except protocol.ProtocolError:
                continue
            if isinstance(message, Ack):
                self._acked(message.through, now)
            elif isinstance(message, Resend):
                self._resend(message.since, now)
            elif isinstance(message, TrackAck):
                self._track_acked(message.through)
            elif isinstance(message, Download):
                pass  # the agent keeps it for the till; not part of the load

    def _acked(self, through: int, now: float) -> None:
        through = min(through, self.out.last_seq)
        if through <= self.out.acked:
            return
        heard = time.time()
        for seq in range(self.out.acked + 1, through + 1):
            self.out.entry_lags.append(heard - self.written.pop(seq))
        self.out.acked = through
        self.sent = max(self.sent, through)
        self.progress_at = now

    def _resend(self, since: int, now: float) -> None:
        if since <= self.out.acked or since - 1 >= self.sent:
            return
        rewound = self.rewound
        if rewound and rewound[0] == since and now - rewound[1] < self.plan.ack_timeout_s:
            return  # asked again by batches that were already on their way
        self.rewound = (since, now)
        self.out.resends_asked += 1
        self.sent = since - 1
        self.send_journal(now)

    def _track_acked(self, through: str) -> None:
        from truck.store.track import stamp

        through = stamp(datetime.fromisoformat(through))
        self.track = [point for point in self.track if point.time > through]
        if self.track_sent is not None and through >= self.track_sent:
            self.track_sent = None

    def close(self) -> None:
        self.client.disconnect()
        self.db.close()
        self.tse.close()
