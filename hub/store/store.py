"""The hub store: the trucks' journals, what was refused, telemetry, and the turnover figures.

:func:`open_store` connects (SQLite by default, PostgreSQL for fleets), brings the tables up to
date and returns a :class:`HubStore`. Both databases behave the same; see ``dialect.py`` for
the few differences and ``schema.py`` for the tables.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.store import ingest, live, projections, queries, report, schema, telemetry
from hub.store.board_links import BoardLinks
from hub.store.catalogue import Catalogue
from hub.store.dialect import PostgresDatabase, StoreError, connect
from hub.store.model import Alert, BatchOutcome, Fork, Rejected, TruckPosition, TruckStatus
from hub.store.orders import Orders
from hub.store.pipelined import Pipeline
from hub.store.tour_plans import TourPlans
from hub.store.users import Users
from tourkasse import protocol
from tourkasse.journal import EntryKind, format_time

TIMEZONE_SETTING = "projections.timezone"


class HubStore:
    """One connection to the hub store.

    A HubStore is used from one thread (it holds one database connection): give each thread,
    or each process, a store of its own. Several stores on the same database may write at the
    same time: SQLite serialises them (WAL, busy timeout), PostgreSQL locks per truck.
    """

    def __init__(self, url: str, *, timezone: str = "Europe/Berlin") -> None:
        try:
            self.zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise StoreError(f"unbekannte Zeitzone {timezone!r}") from None
        self.timezone = timezone
        self.url = url
        self.db = connect(url)
        self.users = Users(self.db)  # the web's users, sessions and failed logins
        self.catalogue = Catalogue(self.db)  # the office's article list
        self.tour_plans = TourPlans(self.db)  # the tour plan as edited on the web
        self.board_links = BoardLinks(self.db)  # the public arrival boards' links
        self.orders = Orders(self.db)  # orders for the stops' next visits
        try:
            schema.migrate(self.db)
            self._check_timezone()
        except BaseException:
            self.db.close()
            raise
        # PostgreSQL stores one batch while the ingest reads the next (pipelined.py)
        self._pipeline = (
            Pipeline(self.db, self.zone) if isinstance(self.db, PostgresDatabase) else None
        )
        self._settled: list[BatchOutcome] = []

    def _check_timezone(self) -> None:
        """Business days depend on the time zone: computed with another one, compute again."""
        known = schema.setting(self.db, TIMEZONE_SETTING)  # as a rule there: no write lock
        if known is None:
            with self.db.transaction():
                known = schema.setting(self.db, TIMEZONE_SETTING)
                if known is None:
                    schema.set_setting(self.db, TIMEZONE_SETTING, self.timezone)
        if known is not None and known != self.timezone:
            self.rebuild_projections()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> HubStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- journals ----------------------------------------------------------------------

    def accept_batch(self, batch: protocol.JournalBatch, *, received_at: datetime) -> BatchOutcome:
        """Store what is new in the batch, in one transaction committed before it returns."""
        self.submit_batch(batch, received_at=received_at)
        *earlier, outcome = self.settled(wait=True)
        self._settled = earlier  # outcomes of batches submitted before, for their submitter
        return outcome

    def submit_batch(self, batch: protocol.JournalBatch, *, received_at: datetime) -> None:
        """Store what is new in the batch; its outcome comes from :meth:`settled` once the
        transaction is committed (on PostgreSQL maybe only after the next batch is
        submitted: until then nothing of it may be acknowledged)."""
        if self._pipeline is None:
            self._settled.append(ingest.accept_batch(self.db, self.zone, batch, received_at))
        else:
            self._settled.extend(self._pipeline.submit(batch, received_at))

    def settled(self, *, wait: bool = False) -> list[BatchOutcome]:
        """Outcomes of submitted batches whose transactions are committed, in the order the
        batches came; ``wait`` waits for every batch still on its way."""
        if self._pipeline is not None and (wait or self._pipeline.answered):
            self._settled.extend(self._pipeline.settle())
        done, self._settled = self._settled, []
        return done

    @property
    def batch_in_flight(self) -> bool:
        """A submitted batch's transaction is on its way to the database."""
        return self._pipeline is not None and self._pipeline.in_flight

    def reject(
        self,
        *,
        topic: str,
        payload: bytes,
        reason: str,
        received_at: datetime,
        truck: str | None = None,
    ) -> None:
        """Keep a message the ingest cannot accept, its payload bytes exactly as received."""
        with self.db.transaction():
            ingest.insert_rejected(
                self.db, topic, bytes(payload), reason, format_time(received_at), truck
            )

    def rejected(self, limit: int = 100) -> list[Rejected]:
        """Refused messages, newest first."""
        return queries.rejected(self.db, limit)

    def committed_through(self, truck: str) -> int:
        return queries.committed_through(self.db, truck)

    def journal_heads(self) -> list[queries.JournalHead]:
        """Each truck's last stored entry: its number, when it was written and stored."""
        return queries.journal_heads(self.db)

    def kept_counts(self) -> dict[str, int]:
        """How many refused messages (``rejected``) and forks (``forks``) the hub keeps."""
        return queries.counts(self.db)

    def trucks(self) -> list[str]:
        """Trucks with a journal on the hub."""
        return queries.trucks(self.db)

    def journal(self, truck: str, after: int = 0) -> Iterator[bytes]:
        """The truck's entries after ``after`` as canonical bytes, in sequence order."""
        return queries.journal(self.db, truck, after)

    def forks(self, truck: str | None = None) -> list[Fork]:
        return queries.forks(self.db, truck)

    def alerts(self) -> list[Alert]:
        return queries.alerts(self.db)

    # --- the live page -------------------------------------------------------------------

    def heads(self) -> dict[str, int]:
        """Each truck's last committed entry (a new sale shows as a higher number)."""
        return live.heads(self.db)

    def receipts_after(self, truck: str, after: int, limit: int = 100) -> list[bytes]:
        return live.receipts_after(self.db, truck, after, limit)

    def latest_receipts(self, limit: int = 20) -> list[bytes]:
        return live.latest_receipts(self.db, limit)

    def entries_since(
        self, kinds: Sequence[EntryKind], since: datetime, until: datetime | None = None
    ) -> list[bytes]:
        """Entries of these kinds dated from ``since`` to before ``until``, per truck in order."""
        return live.entries_since(self.db, kinds, since, until)

    # --- telemetry -----------------------------------------------------------------------

    def save_status(self, status: protocol.Status, *, received_at: datetime) -> None:
        telemetry.save_status(self.db, status, received_at)

    def statuses(self) -> list[TruckStatus]:
        return telemetry.statuses(self.db)

    def add_track(self, batch: protocol.TrackBatch) -> str:
        """Store the track's points once each; returns the truck's latest stored point time."""
        return telemetry.add_track(self.db, batch)

    def track(self, truck: str, since: datetime | None = None) -> list[protocol.TrackPoint]:
        return telemetry.track(self.db, truck, since)

    def save_position(self, position: protocol.Position, *, received_at: datetime) -> None:
        telemetry.save_position(self.db, position, received_at)

    def positions(self) -> list[TruckPosition]:
        return telemetry.positions(self.db)

    # --- figures -------------------------------------------------------------------------

    def rebuild_projections(self) -> int:
        """Compute every projection again from the journals alone; returns entries read."""
        with self.db.transaction():
            read = projections.rebuild(self.db, self.zone)
            schema.set_setting(self.db, TIMEZONE_SETTING, self.timezone)
        return read

    def turnover(self, day: date, *, truck: str | None = None) -> report.TurnoverReport:
        return report.turnover(self.db, day, self.timezone, truck)

    def turnover_days(
        self, first: date, last: date, *, truck: str | None = None
    ) -> list[report.TurnoverReport]:
        """The turnover of each business day in the range that has receipts."""
        return report.turnover_days(self.db, first, last, self.timezone, truck)

    # --- the accountant's reports ----------------------------------------------------------

    def entries_between(
        self,
        kinds: Sequence[EntryKind],
        since: datetime | None,
        until: datetime,
        *,
        truck: str | None = None,
    ) -> list[bytes]:
        """Entries of these kinds dated from ``since`` (None: the beginning) to before
        ``until``, per truck in sequence order."""
        return queries.entries_between(self.db, kinds, since, until, truck)

    def last_before(self, truck: str, kind: EntryKind, before: datetime) -> bytes | None:
        """The truck's last entry of ``kind`` dated before ``before``."""
        return queries.last_before(self.db, truck, kind, before)

    def first_after(self, truck: str, kind: EntryKind, since: datetime) -> bytes | None:
        """The truck's first entry of ``kind`` dated from ``since`` on."""
        return queries.first_after(self.db, truck, kind, since)


def open_store(url: str, *, timezone: str = "Europe/Berlin") -> HubStore:
    """Open the hub store at ``sqlite:////ABSOLUTE/PATH`` or ``postgresql://…``.

    Creates or updates the tables. Raises :class:`StoreError` (German) when it cannot.
    """
    return HubStore(url, timezone=timezone)
