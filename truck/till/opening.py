"""Opening the till from the truck's configuration: database, TSE, recovery after a crash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from tourkasse.dsfinvk.master import MasterData
from tourkasse.journal import Entry
from tourkasse.receipt_text import ShopHeader
from truck.config import TruckConfig
from truck.core.barcode import DEFAULT_INSTORE_PREFIXES, InStorePrefix
from truck.fiscal.fiskaly import FiskalyTse
from truck.fiscal.fiskaly_http import FiskalyHttp, RetryPolicy
from truck.fiscal.software_tse import SoftwareTse
from truck.fiscal.tse import Tse, TseUnavailable
from truck.fiscal.unavailable import UnavailableTse
from truck.store.database import open_database
from truck.store.lock import TillLock
from truck.till.signing import Signed
from truck.till.till import Till


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class OpenedTill:
    config: TruckConfig
    db: Database
    tse: Tse
    till: Till
    recovered: list[Signed | Entry]
    lock: TillLock

    def close(self) -> None:
        close = getattr(self.tse, "close", None)
        if close is not None:
            close()
        self.db.close()
        self.lock.release()

    def shop_header(self) -> ShopHeader:
        return shop_header(self.config)

    def instore_prefixes(self) -> tuple[InStorePrefix, ...]:
        configured = tuple(
            InStorePrefix(item.prefix, item.kind) for item in self.config.barcode.instore
        )
        return configured or DEFAULT_INSTORE_PREFIXES


def shop_header(config: TruckConfig) -> ShopHeader:
    shop = config.shop
    return ShopHeader(
        shop.name,
        shop.street,
        shop.postcode,
        shop.city,
        shop.tax_number,
        shop.vat_id,
        config.truck.till_serial,
    )


def fiskaly_http(config: TruckConfig) -> FiskalyHttp:
    """The connection to fiskaly that ``[tse]`` describes (its keys are checked with the config)."""
    settings = config.tse
    assert settings.api_key and settings.api_secret
    return FiskalyHttp(
        settings.base_url,
        settings.api_key,
        settings.api_secret,
        policy=RetryPolicy(timeout_s=settings.timeout_ms / 1000, retries=settings.retries),
    )


def make_tse(config: TruckConfig, clock: Callable[[], datetime]) -> Tse:
    """The TSE the config names. A hardware TSE plugs in here (see docs/fiscal.md).

    Raises TseUnavailable when the TSE cannot be opened; the till then sells in failure mode.
    Opening never needs the network: a cloud TSE is first asked when the first receipt starts.
    """
    settings = config.tse
    if settings.kind == "fiskaly":
        assert settings.tss_id and settings.client_id
        return FiskalyTse(
            config.paths.tse,
            fiskaly_http(config),
            tss_id=settings.tss_id,
            client_id=settings.client_id,
            client_serial=config.truck.till_serial,
            clock=clock,
        )
    return SoftwareTse(config.paths.tse, curve=settings.curve, clock=clock)


def open_till(config: TruckConfig, *, clock: Callable[[], datetime] = wall_clock) -> OpenedTill:
    """Open everything the till needs and resolve what a crash may have left open.

    Raises TillBusy when another process has this till open, and
    truck.store.database.StoreError for an unusable database. A TSE that cannot be opened does
    not stop the till: it sells in failure mode, and every receipt says so.
    """
    lock = TillLock(config.paths.journal).acquire()
    try:
        db = open_database(config.paths.journal)
    except BaseException:
        lock.release()
        raise
    try:
        tse: Tse = make_tse(config, clock)
    except TseUnavailable as exc:
        tse = UnavailableTse(str(exc))
    except BaseException:
        db.close()
        lock.release()
        raise
    till = Till(
        db,
        tse,
        truck=config.truck.id,
        client_id=config.truck.till_serial,
        clock=clock,
        master=MasterData.of_shop(config.shop, config.truck.till_serial),
    )
    opened = OpenedTill(config, db, tse, till, [], lock)
    try:
        opened.recovered = till.recover()
    except BaseException:
        opened.close()
        raise
    return opened
