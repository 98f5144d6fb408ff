"""Sender processes for the fleet load: many simulated trucks (fleet_load.py) on one thread.

Each sender keeps a timetable of what each of its trucks does next (a position, a sale, a point
of the track) and drives the trucks' paho clients with paho's own loop functions over ``poll``:
no thread per client. Every 0.2 s it makes the agent's pass over all its trucks (status, a late
acknowledgement, the track, keepalive, reconnect) and samples its backlog.
"""

from __future__ import annotations

import heapq
import itertools
import random
import select
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tests.support.fleet_load import (
    STATUS_AT_MOST_EVERY_S,
    LoadPlan,
    Shelf,
    SimTruck,
    TruckOutcome,
)

TICK_S = 0.2  # the agent's pass; the backlog is sampled on these ticks of the monotonic clock


@dataclass
class SenderResult:
    trucks: list[TruckOutcome]
    backlog: dict[int, int]  # tick → entries written and not yet acknowledged, this sender's
    all_acked_at: float | None  # monotonic time when its last truck had its last ack


def first_sale(rng: random.Random, low: float, high: float) -> float:
    """Seconds until a truck's first sale, as if it had been selling all along: with sales
    every ``low``–``high`` s (evenly drawn), the time to the next one from a random moment is
    even up to ``low`` and falls off linearly to ``high``. So the fleet sells at its steady
    rate (trucks / mean gap) from the first second, not at a start-up rate."""
    mean = (low + high) / 2
    if rng.random() < low / mean:
        return rng.uniform(0, low)
    return rng.triangular(low, high, low)


class Sender:
    """Many simulated trucks on one thread: a timetable of what each does next, and ``select``
    over their connections."""

    def __init__(self, names: list[str], plan: LoadPlan) -> None:
        shelves: dict[str, Shelf] = {}

        def shelf_of(db: Any) -> Shelf:  # the same articles in every copy: read once
            if "shelf" not in shelves:
                shelves["shelf"] = Shelf(db)
            return shelves["shelf"]

        self.plan = plan
        self.trucks = [SimTruck(name, plan, shelf_of) for name in names]
        self._timetable: list[tuple[float, int, int, str]] = []
        self._order = itertools.count()
        self.backlog: dict[int, int] = {}
        self.all_acked_at: float | None = None
        self._sockets: dict[Any, SimTruck] = {}
        self._by_fd: dict[int, SimTruck] = {}
        self._poller = select.poll()

    def connect(self, timeout: float = 30.0) -> None:
        for truck in self.trucks:
            truck.connect()
        deadline = time.monotonic() + timeout
        while not all(truck.connected for truck in self.trucks):
            if time.monotonic() > deadline:
                missing = [t.name for t in self.trucks if not t.connected]
                raise RuntimeError(f"nicht mit dem Broker verbunden: {missing[:10]}")
            self._write_left(self._poll(0.05))

    def _at(self, when: float, index: int, what: str) -> None:
        heapq.heappush(self._timetable, (when, next(self._order), index, what))

    def run(self, start: float, until_drained: Callable[[float | None], bool]) -> None:
        """The load from ``start`` (monotonic) for the plan's seconds; then acknowledgements and
        requests are answered until ``until_drained(all_acked_at)`` says to stop."""
        plan = self.plan
        end = start + plan.seconds
        for index, truck in enumerate(self.trucks):
            rng = truck.rng
            self._at(start + rng.uniform(0, plan.position_every_s), index, "position")
            self._at(start + first_sale(rng, *plan.sale_every_s), index, "sale")
            self._at(start + rng.uniform(0, plan.track_every_s), index, "track")
            # online from a moment of the first second on: its status then, not all at once
            truck.status_at = start + rng.uniform(0, 1) - STATUS_AT_MOST_EVERY_S
        while time.monotonic() < start:
            self._write_left(self._poll(min(0.05, max(0.0, start - time.monotonic()))))
        next_pass = 0.0
        while True:
            now = time.monotonic()
            while self._timetable and self._timetable[0][0] <= now:
                when, _, index, what = heapq.heappop(self._timetable)
                if when >= end:
                    continue  # the load is over: nothing new
                truck = self.trucks[index]
                if what == "position":
                    truck.position()
                    self._at(when + plan.position_every_s, index, what)
                elif what == "sale":
                    truck.sell(now)
                    truck.step(now)  # as the agent: the journal, then the status, in one step
                    self._at(when + truck.rng.uniform(*plan.sale_every_s), index, what)
                else:
                    truck.sample_track()
                    self._at(when + plan.track_every_s, index, what)
            if now >= next_pass:  # the agent's pass: timeouts, statuses, track, keepalive
                next_pass = now + TICK_S
                for truck in self.trucks:
                    truck.step(now)
                    truck.client.loop_misc()
                    truck.reconnect(now)
                self._write_left(self.trucks)
                self._sample_backlog(now)
            if now >= end and self.all_acked_at is None and self._all_acked():
                self.all_acked_at = time.monotonic()
            if now >= end and until_drained(self.all_acked_at):
                return
            wait = self._timetable[0][0] - time.monotonic() if self._timetable else 0.05
            touched = self._poll(min(0.05, max(0.0, wait)))
            for truck in touched:
                truck.read(time.monotonic())
            self._write_left(touched)

    def _all_acked(self) -> bool:
        return all(t.out.acked >= t.out.last_seq for t in self.trucks)

    def _sample_backlog(self, now: float) -> None:
        tick = int(now / TICK_S)
        self.backlog[tick] = sum(t.out.last_seq - t.out.acked for t in self.trucks)

    def _poll(self, timeout: float) -> list[SimTruck]:
        """Read what the connections have; the trucks that read something. The sockets are
        registered once (again when one changes, after a reconnect): building the set anew on
        every pass cost more than the trucks' messages."""
        sockets = {truck.client.socket(): truck for truck in self.trucks}
        sockets.pop(None, None)
        if sockets.keys() != self._sockets.keys():
            self._poller = select.poll()  # poll, not select: more descriptors than select takes
            for sock in sockets:
                self._poller.register(sock, select.POLLIN)
            self._sockets = sockets
            self._by_fd = {sock.fileno(): truck for sock, truck in sockets.items()}
        if not sockets:
            time.sleep(timeout)
            return []
        read = []
        for fd, _events in self._poller.poll(timeout * 1000):
            truck = self._by_fd[fd]
            truck.client.loop_read()
            read.append(truck)
        return read

    def _write_left(self, trucks: list[SimTruck]) -> None:
        """A publish writes at once; what did not fit (or was queued in a callback, such as
        the subscriptions and PUBACKs) is written here."""
        for truck in trucks:
            if truck.client.want_write():
                truck.client.loop_write()

    def result(self) -> SenderResult:
        outcomes = [replace(truck.out) for truck in self.trucks]
        return SenderResult(outcomes, dict(self.backlog), self.all_acked_at)

    def close(self) -> None:
        for truck in self.trucks:
            truck.close()


def run_sender(names: list[str], plan: LoadPlan, start, go, finish, reports) -> None:
    """A sender process: set up its trucks, connect, say "ready"; on ``go`` run the load from
    ``start.value``; say "loaded" with each truck's last entry and position once the load is
    over, "acked" when each truck has its last acknowledgement; the result on ``finish``."""
    sender = None
    try:
        sender = Sender(names, plan)
        sender.connect()
        reports.put(("ready", names[0], None))
        go.wait()
        said_loaded = said_acked = False
        end = start.value + plan.seconds

        def until_drained(all_acked_at: float | None) -> bool:
            nonlocal said_loaded, said_acked
            if not said_loaded and time.monotonic() >= end + 0.2:
                said_loaded = True
                last = {t.name: (t.out.last_seq, t.out.last_position) for t in sender.trucks}
                reports.put(("loaded", names[0], last))
            if said_loaded and not said_acked and all_acked_at is not None:
                said_acked = True
                reports.put(("acked", names[0], all_acked_at))
            return finish.is_set()

        sender.run(start.value, until_drained)
        reports.put(("result", names[0], sender.result()))
    except BaseException as exc:
        reports.put(("failed", names[0], f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        if sender is not None:
            sender.close()
