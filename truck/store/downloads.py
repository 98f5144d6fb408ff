"""Article lists, tour plans and orders the hub sends down: kept as they arrive.

The agent hands every download it gets from the broker to :func:`receive`: a newer version is
checked with the same rules as a file given to the truck by hand and kept as pending; a version
the truck already has (the broker sends its retained copy again on every reconnect) or an older
one is ignored; one that does not load is kept with its reason and never applied. The till
calls :func:`apply_pending_articles` and :func:`apply_pending_tours` only when no receipt is
open, so prices never change under a receipt being rung up. Orders (the truck's own list of
orders to hand over) change no price: a good version is in use as soon as it is kept, and the
till builds an order's basket once, when staff open it (see truck/store/orders.py). Every
function returns or raises German text for the people at the truck.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from tourkasse.article_list import parse_article_list
from tourkasse.config import ConfigError
from tourkasse.orders import parse_orders
from tourkasse.protocol import Download
from tourkasse.tour import TourPlan, load_tour_plan, parse_tour_plan
from truck.store.articles import replace_articles
from truck.store.database import write_transaction

KINDS = ("articles", "tours", "orders")
WHAT = {"articles": "Artikelliste", "tours": "Tourplan", "orders": "Bestellungen"}
AT_ONCE = ("orders",)  # in use as soon as kept: they change nothing under an open receipt

_COLUMNS = "kind, version, published_at, content, received_at, applied_at, problem"


@dataclass(frozen=True)
class Received:
    """One download as the truck keeps it."""

    kind: str
    version: int
    published_at: str
    content: str
    received_at: str
    applied_at: str | None
    problem: str | None

    @property
    def name(self) -> str:
        """e.g. "Artikelliste Version 4": how problems and messages name it."""
        return f"{WHAT[self.kind]} Version {self.version}"


def receive(db: Database, download: Download, *, clock: Callable[[], datetime]) -> str:
    """Keep a download from the hub; say in one German line what became of it."""
    if download.kind not in KINDS:
        raise ValueError(f"unbekannte Art von Download: {download.kind!r}")
    name = f"{WHAT[download.kind]} Version {download.version}"
    ignored = _not_newer(db, download)
    if ignored is not None:
        return ignored
    problem = _problem(download.kind, download.content, name)  # checked outside the lock
    with write_transaction(db):
        ignored = _not_newer(db, download)  # another process may have kept it meanwhile
        if ignored is not None:
            return ignored
        now = clock().isoformat()
        at_once = download.kind in AT_ONCE and problem is None
        db.execute(
            f"INSERT INTO downloads ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                download.kind,
                download.version,
                download.published_at,
                download.content,
                now,
                now if at_once else None,
                problem,
            ],
        )
    if problem is not None:
        return f"{name} abgelehnt: {problem}"
    if download.kind == "orders":
        count = len(parse_orders(download.content))
        what = "Bestellung" if count == 1 else "Bestellungen"
        return f"{name} erhalten ({count} {what}) – gilt ab sofort"
    return f"{name} erhalten – wird nach dem nächsten abgeschlossenen Bon übernommen"


def newest(db: Database, kind: str) -> Received | None:
    """The newest version of ``kind`` the truck has received, whatever became of it."""
    return _one(db, "WHERE kind = ? ORDER BY version DESC LIMIT 1", [kind])


def applied(db: Database, kind: str) -> Received | None:
    """The version of ``kind`` in use now (the newest one applied); None: none applied yet."""
    return _one(
        db, "WHERE kind = ? AND applied_at IS NOT NULL ORDER BY version DESC LIMIT 1", [kind]
    )


def pending(db: Database, kind: str) -> Received | None:
    """The newest good version of ``kind`` newer than the one in use, waiting to be applied."""
    current = applied(db, kind)
    return _one(
        db,
        "WHERE kind = ? AND applied_at IS NULL AND problem IS NULL AND version > ? "
        "ORDER BY version DESC LIMIT 1",
        [kind, current.version if current else 0],
    )


def refused(db: Database, kind: str | None = None) -> list[Received]:
    """Downloads kept with a problem, newest first (for status reports)."""
    if kind is None:
        return _all(db, "WHERE problem IS NOT NULL ORDER BY received_at DESC, version DESC", [])
    return _all(db, "WHERE kind = ? AND problem IS NOT NULL ORDER BY version DESC", [kind])


def apply_pending_articles(db: Database, *, clock: Callable[[], datetime]) -> str | None:
    """Swap in the pending article list, in one transaction; None when there is none.

    Call only between receipts. The swap and the note that it happened commit together.
    """
    with write_transaction(db):
        found = pending(db, "articles")
        if found is None:
            return None
        try:
            article_list = parse_article_list(found.content, found.name)
        except ConfigError as exc:  # checked on receipt: only a changed rule ends up here
            _mark_problem(db, found, _reason(exc))
            return f"{found.name} nicht übernommen: {_reason(exc)}"
        replace_articles(db, article_list.articles, article_list.departments)
        _mark_applied(db, found, clock)
    return (
        f"Neue Artikelliste übernommen (Version {found.version}, "
        f"{len(article_list.articles)} Artikel)"
    )


def apply_pending_tours(db: Database, *, clock: Callable[[], datetime]) -> str | None:
    """Take the pending tour plan into use; None when there is none. Only between receipts."""
    with write_transaction(db):
        found = pending(db, "tours")
        if found is None:
            return None
        try:
            plan = parse_tour_plan(found.content, found.name)
        except ConfigError as exc:
            _mark_problem(db, found, _reason(exc))
            return f"{found.name} nicht übernommen: {_reason(exc)}"
        _mark_applied(db, found, clock)
    stops = sum(len(tour.stops) for tour in plan.tours)
    return (
        f"Neuer Tourplan übernommen (Version {found.version}, "
        f"{len(plan.tours)} Touren, {stops} Halte)"
    )


def tour_plan(db: Database, fallback_file: Path | None) -> TourPlan | None:
    """The tour plan in use: the newest downloaded one applied, else the configured file.

    None when there is neither. A broken configured file raises ConfigError, as before.
    """
    found = applied(db, "tours")
    if found is not None:
        return parse_tour_plan(found.content, found.name)
    return load_tour_plan(fallback_file) if fallback_file is not None else None


def has_tours(db: Database, fallback_file: Path | None) -> bool:
    """Whether the truck drives tours: a tour file is configured or a plan was downloaded."""
    return fallback_file is not None or applied(db, "tours") is not None


# --- inside ---------------------------------------------------------------------------------


def _not_newer(db: Database, download: Download) -> str | None:
    have = newest(db, download.kind)
    if have is None or download.version > have.version:
        return None
    name = f"{WHAT[download.kind]} Version {download.version}"
    if download.version == have.version and have.problem is not None:
        return f"{name} ignoriert – schon abgelehnt: {have.problem}"
    if download.version == have.version:
        return f"{name} ignoriert – hat der Wagen schon"
    return f"{name} ignoriert – der Wagen hat schon Version {have.version}"


def _problem(kind: str, content: str, name: str) -> str | None:
    if kind == "orders":
        try:
            parse_orders(content)
        except ValueError as exc:
            return str(exc).removeprefix("Bestellungen: ")
        return None
    try:
        if kind == "articles":
            parse_article_list(content, name)
        else:
            parse_tour_plan(content, name)
    except ConfigError as exc:
        return _reason(exc)
    return None


def _reason(exc: ConfigError) -> str:
    """The loader's problems without the name of the text (the message names it once)."""
    parts = []
    for problem in exc.problems:
        where = f"Zeile {problem.line}: " if problem.line is not None else ""
        key = f"{problem.key}: " if problem.key else ""
        parts.append(f"{where}{key}{problem.message}")
    return "; ".join(parts)


def _mark_applied(db: Database, found: Received, clock: Callable[[], datetime]) -> None:
    db.execute(
        "UPDATE downloads SET applied_at = ? WHERE kind = ? AND version = ?",
        [clock().isoformat(), found.kind, found.version],
    )


def _mark_problem(db: Database, found: Received, problem: str) -> None:
    db.execute(
        "UPDATE downloads SET problem = ? WHERE kind = ? AND version = ?",
        [problem, found.kind, found.version],
    )


def _one(db: Database, where: str, params: list) -> Received | None:
    rows = _all(db, where, params)
    return rows[0] if rows else None


def _all(db: Database, where: str, params: list) -> list[Received]:
    return [
        Received(*row) for row in db.execute(f"SELECT {_COLUMNS} FROM downloads {where}", params)
    ]
