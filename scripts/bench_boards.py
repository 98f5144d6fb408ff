"""Benchmark: the stops' public boards with many open at once.

A hub (the real web app in uvicorn, SQLite store) with ``--tours`` tours of six stops each,
every truck on the road with stop events and a live position, and a board link per stop.
``--boards`` boards are opened (each its live event stream, as a tablet keeps it open; the
stops in turn), and the board's JSON (``/tafel/<link>/stand``) is asked for ``--requests``
times, one after the other: median and p95, against the same with no board open, measured in
the same run. Then one truck arrives at a stop and the time until every open board of that
stop has the news is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hub.broker import free_port  # noqa: E402
from hub.config import HubConfig, HubToursSettings, StoreSettings, WebSettings  # noqa: E402
from hub.store import open_store  # noqa: E402
from hub.web.app import create_app  # noqa: E402
from tests.support.journals import JournalWriter  # noqa: E402
from tests.support.web import serving  # noqa: E402
from tourkasse import protocol  # noqa: E402
from tourkasse.journal import EntryKind  # noqa: E402

ZONE = ZoneInfo("Europe/Berlin")
TUESDAY = datetime(2026, 11, 24, tzinfo=ZONE)
NOW = TUESDAY.replace(hour=9, minute=30).astimezone(UTC)


def tour_file(tours: int) -> str:
    """``tours`` tours through made-up villages, six stops each, every Tuesday."""
    parts = ['state = "NI"\ntimezone = "Europe/Berlin"\n']
    for t in range(tours):
        lat, lon = 51.0 + t * 0.01, 9.5
        parts.append(
            f'[[tour]]\nid = "tour-{t}"\nname = "Tour {t}"\ntruck = "T{t:03d}"\n'
            f'weekdays = ["di"]\n[tour.depot]\nname = "Lager"\nlat = {lat}\nlon = {lon}\n'
            'leave = "08:00"\n'
        )
        for s in range(6):
            arrive, depart = 8 * 60 + 10 + s * 40, 8 * 60 + 40 + s * 40
            parts.append(
                f'[[tour.stop]]\nid = "s{t}-{s}"\nname = "Dorf {t}-{s}"\n'
                f'address = "Dorfstraße {s}, Dorf {t}"\nlat = {lat + 0.002}\n'
                f"lon = {lon + 0.01 * (s + 1)}\n"
                f'arrive = "{arrive // 60:02d}:{arrive % 60:02d}"\n'
                f'depart = "{depart // 60:02d}:{depart % 60:02d}"\n'
            )
    return "\n".join(parts)


def fill(url: str, tours: int) -> dict[str, str]:
    """Each truck at its second stop since 09:20, with a position; a link per stop."""
    links = {}
    with open_store(url) as store:
        for t in range(tours):
            writer = JournalWriter(f"T{t:03d}", start=NOW - timedelta(hours=2))
            for kind, stop, at in (
                (EntryKind.STOP_ARRIVAL, f"s{t}-0", NOW - timedelta(minutes=80)),
                (EntryKind.STOP_DEPARTURE, f"s{t}-0", NOW - timedelta(minutes=50)),
                (EntryKind.STOP_ARRIVAL, f"s{t}-1", NOW - timedelta(minutes=10)),
            ):
                writer.at = at
                body = {"stop": stop, "name": stop, "tour": f"tour-{t}", "gps_time": at.isoformat()}
                writer.add(kind, body, minutes=0)
            batch = protocol.JournalBatch(
                f"T{t:03d}", tuple(e.data for e in writer.entries), first=1
            )
            store.accept_batch(batch, received_at=NOW)
            position = protocol.Position(
                f"T{t:03d}", NOW.isoformat(), 510020000 + t * 100000, 95200000, 0
            )
            store.save_position(position, received_at=NOW)
            for s in range(6):
                stop = f"s{t}-{s}"
                links[stop] = store.board_links.ensure(stop, "bench", NOW).token
    return links


async def stand_latency(base: str, token: str, requests: int) -> list[float]:
    times = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(requests):
            start = time.perf_counter()
            answer = await client.get(f"/tafel/{token}/stand")
            answer.raise_for_status()
            times.append(time.perf_counter() - start)
    return times


async def open_boards(base: str, tokens: list[str], ready: asyncio.Event, done: asyncio.Event):
    """Keep one event stream open per token until ``done``; ``ready`` once all have a state."""
    limits = httpx.Limits(max_connections=len(tokens) + 10)
    got = 0
    news: dict[str, asyncio.Event] = {}

    async with httpx.AsyncClient(base_url=base, timeout=None, limits=limits) as client:

        async def one(index: int, token: str) -> None:
            nonlocal got
            async with client.stream("GET", f"/tafel/{token}/events") as answer:
                first = True
                async for line in answer.aiter_lines():
                    if line.startswith("event: board"):
                        if first:
                            first = False
                            got += 1
                            if got == len(tokens):
                                ready.set()
                        else:
                            news.setdefault(token, asyncio.Event()).set()
                    if done.is_set():
                        return

        tasks = [asyncio.create_task(one(i, t)) for i, t in enumerate(tokens)]
        await done.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"Median {statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


async def measure(base: str, links: dict[str, str], boards: int, requests: int) -> None:
    tokens = list(links.values())
    probe = tokens[0]
    alone = await stand_latency(base, probe, requests)
    print(f"/stand ohne offene Anzeigen:     {summary(alone)}")
    ready, done = asyncio.Event(), asyncio.Event()
    opened = [tokens[i % len(tokens)] for i in range(boards)]
    keeper = asyncio.create_task(open_boards(base, opened, ready, done))
    start = time.perf_counter()
    await asyncio.wait_for(ready.wait(), timeout=300)
    print(
        f"{boards} Anzeigen geöffnet (jede mit ihrem Ereignisstrom) in "
        f"{time.perf_counter() - start:.1f} s"
    )
    loaded = await stand_latency(base, probe, requests)
    print(f"/stand mit {boards} offenen Anzeigen: {summary(loaded)}")
    ratio = statistics.median(loaded) / statistics.median(alone)
    print(f"Verhältnis (Median): {ratio:.1f}")
    done.set()
    await keeper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tours", type=int, default=50)
    parser.add_argument("--boards", type=int, default=300)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tour = Path(folder) / "tour.toml"
        tour.write_text(tour_file(args.tours), encoding="utf-8")
        url = f"sqlite:///{folder}/hub.sqlite"
        links = fill(url, args.tours)
        config = HubConfig(
            store=StoreSettings(url=url),
            tours=HubToursSettings(file=tour),
            web=WebSettings(port=free_port()),
        )
        app = create_app(config, live_events=False)
        app.state.events.clock = lambda: NOW
        print(f"{args.tours} Touren, {len(links)} Halte mit Anzeige; SQLite; Zeit {NOW:%H:%M} UTC")
        with serving(app) as base:
            asyncio.run(measure(base, links, args.boards, args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
