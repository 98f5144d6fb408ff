"""Many open boards, one watcher: however many streams are open, the web process looks once a
second for all of them (one call in the thread pool, one store), sends each stream its board's
new state and, when quiet, a ping; a renewed link's streams are told they are gone, and with
the last stream the watcher ends. A client too slow to read loses old states, not new ones.

Real parts: the hub's web app in uvicorn on a loopback port, SQLite; the streams are read with
httpx. The day is the test tour's Tuesday (tests/hub/test_board_links.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from hub.store import open_store
from hub.web import board_pages
from tests.hub.test_board_links import HOME, Hub, Truck, make_hub
from tests.support.waiting import eventually
from tests.support.web import serving

STREAMS = 30


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    return make_hub(tmp_path)


async def next_event(lines: AsyncIterator[str], kinds: tuple[str, ...]) -> tuple[str, str]:
    """The next event of one of ``kinds`` on an open stream's lines: its kind and data."""
    kind, data = "", ""
    async for line in lines:
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif line == "" and kind:
            if kind in kinds:
                return kind, data
            kind, data = "", ""
    raise AssertionError("der Ereignisstrom endete")


def test_many_open_boards_are_watched_once_a_second(hub: Hub, monkeypatch):
    looks: list[int] = []
    computed = board_pages.board_states

    def counted(app, tokens):
        looks.append(len(list(tokens)))
        return computed(app, tokens)

    monkeypatch.setattr(board_pages, "board_states", counted)
    monkeypatch.setattr(board_pages, "KEEPALIVE_S", 0.5)
    truck = Truck(hub.url)

    async def boards(base: str) -> None:
        url = f"{base}/tafel/{hub.token}/events"
        limits = httpx.Limits(max_connections=STREAMS + 5)
        async with (
            httpx.AsyncClient(timeout=10, limits=limits) as client,
            OpenStreams(client, url) as streams,
        ):
            firsts = [await next_event(s, ("board",)) for s in streams]
            assert all("kommt laut Fahrplan um 09:13" in data for _, data in firsts)
            watcher = hub.app.state.board_watcher
            assert len(watcher.boards[hub.token]) == STREAMS
            looks.clear()
            # quiet: each stream gets pings, and the watcher looks once a second for all
            pings = await asyncio.gather(*(next_event(s, ("ping",)) for s in streams))
            assert {kind for kind, _ in pings} == {"ping"}
            await asyncio.sleep(2.2)
            assert 1 <= len(looks) <= 4, looks  # not once per stream

            truck.arrive("gimte", "08:20")
            truck.at(51.4441, 9.6602, "08:24", speed_cm_s=0)
            hub.clock.set("08:25")
            news = await asyncio.gather(*(next_event(s, ("board",)) for s in streams))
            assert {json.loads(data)["text"] for _, data in news} == {"kommt ca. 09:19 (+6 min)"}

            with open_store(hub.url) as store:
                store.board_links.renew(HOME, "olga", hub.clock())
            gone = await asyncio.gather(*(next_event(s, ("gone",)) for s in streams))
            assert {kind for kind, _ in gone} == {"gone"}
        eventually(lambda: not watcher.boards and watcher.task.done(), timeout=5,
                   what="der Wächter endet mit der letzten Anzeige")  # fmt: skip

    with serving(hub.app) as base:
        asyncio.run(boards(base))


class OpenStreams:
    """``STREAMS`` streams of ``url`` open at once."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self.client, self.url = client, url
        self.opened: list[httpx.Response] = []

    async def __aenter__(self) -> list[AsyncIterator[str]]:
        for _ in range(STREAMS):
            request = self.client.build_request("GET", self.url)
            answer = await self.client.send(request, stream=True)
            assert answer.status_code == 200
            self.opened.append(answer)
        return [answer.aiter_lines() for answer in self.opened]

    async def __aexit__(self, *exc: object) -> None:
        for answer in self.opened:
            await answer.aclose()


def test_a_slow_client_loses_old_states_not_new_ones():
    async def run() -> None:
        board = board_pages.Board("t", "erste")
        for n in range(board_pages.QUEUED + 3):
            board.send(f"Zustand {n}")
        waiting = [board.queue.get_nowait() for _ in range(board.queue.qsize())]
        assert len(waiting) == board_pages.QUEUED
        assert waiting[-1] == f"Zustand {board_pages.QUEUED + 2}" == board.sent

    asyncio.run(run())
