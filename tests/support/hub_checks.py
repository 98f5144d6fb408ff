"""What the sync tests check on the hub: it has the truck's journal, byte for byte and once,
and its turnover per stop is the truck's, to the cent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.store import open_store
from tests.support.fleet import Sold, truck_journal
from tests.support.waiting import eventually
from tourkasse.journal import EntryKind, decode_entry

BERLIN = ZoneInfo("Europe/Berlin")


def committed(url: str, truck: str) -> int:
    store = open_store(url)
    try:
        return store.committed_through(truck)
    finally:
        store.close()


def assert_hub_has(
    url: str, config: Path, sold: Sold, *, timeout: float, truck: str = "T01"
) -> None:
    """Wait until the hub has committed everything in the truck's journal, then compare."""
    eventually(
        lambda: committed(url, truck) >= len(truck_journal(config)),
        timeout=timeout,
        what=f"die Zentrale hat das ganze Journal von {truck}",
    )
    entries = truck_journal(config)
    store = open_store(url)
    try:
        on_hub = list(store.journal(truck))
        assert on_hub[: len(entries)] == entries, "das Journal der Zentrale weicht ab"
        days = {
            entry.at.astimezone(BERLIN).date()
            for entry in map(decode_entry, on_hub)
            if entry.kind is EntryKind.RECEIPT
        }
        per_stop: Counter[str | None] = Counter()
        receipts = 0
        for day in days:
            for truck_figures in store.turnover(day, truck=truck).trucks:
                for stop in truck_figures.stops:
                    per_stop[stop.stop] += stop.figures.turnover
                    receipts += stop.figures.receipts
    finally:
        store.close()
    assert receipts == sold.receipts
    assert +per_stop == +sold.per_stop, "Umsatz je Halt weicht vom Wagen ab"
