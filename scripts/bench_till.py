"""Benchmark of the till on the screen: start to ready, scan to line, memory after 500 sales.

Each figure has a baseline measured in the same run: a bare Textual app with the same kind of
widgets for start-up and for a row appearing, and the till's own memory before the sales.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable, Input  # noqa: E402

from tests.truck.pos.conftest import make_session, write_config  # noqa: E402
from truck.pos.app import TillApp  # noqa: E402
from truck.pos.screens.payment import PaymentScreen  # noqa: E402
from truck.pos.screens.sale import SaleScreen  # noqa: E402


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Bare(App[None]):
    """The baseline: an input line and a table, nothing else."""

    def compose(self) -> ComposeResult:
        yield DataTable()
        yield Input()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Artikel", "Betrag")
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).add_row(event.value, "1,00")
        event.input.value = ""


async def send(pilot, text: str) -> None:
    from textual import events

    for character in text:
        pilot.app._driver.send_message(events.Key(character, character))
    pilot.app._driver.send_message(events.Key("enter", "\r"))


async def until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not show it in time")
        await asyncio.sleep(0.0005)


def rows(app) -> int:
    return app.screen.query_one(DataTable).row_count


async def scan_latencies(app, pilot, codes: list[str]) -> list[float]:
    times = []
    for code in codes:
        before = rows(app)
        t0 = time.perf_counter()
        await send(pilot, code)
        await until(lambda b=before: rows(app) > b)
        times.append(time.perf_counter() - t0)
    return times


async def main(sales: int) -> None:
    clock = lambda: datetime.now(UTC)  # noqa: E731
    tmp = Path(tempfile.mkdtemp(prefix="tourkasse-bench-till-"))

    t0 = time.perf_counter()
    bare = Bare()
    async with bare.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bare_start = time.perf_counter() - t0
        bare_scans = await scan_latencies(bare, pilot, ["4006381001014"] * 200)

    t0 = time.perf_counter()
    session = make_session(write_config(tmp), clock)
    opened = time.perf_counter() - t0
    app = TillApp(session)
    t1 = time.perf_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ready = time.perf_counter() - t1
        await pilot.press(*"7", "enter", *"1234", "enter")
        await until(lambda: isinstance(app.screen, SaleScreen))
        till_scans = await scan_latencies(app, pilot, ["4006381001014"] * 200)
        await pilot.press("f9")
        await until(lambda: app.screen.__class__.__name__ == "Question")
        await pilot.press("j")
        await until(lambda: not session.basket_lines)
        rss_before = rss_mib()
        t2 = time.perf_counter()
        for number in range(sales):
            await send(pilot, "4006381001014")
            await send(pilot, "4006385001010")
            await until(lambda: len(session.basket_lines) == 3)
            await pilot.press("f10")
            await until(lambda: isinstance(app.screen, PaymentScreen))
            await pilot.press("f9")
            await until(
                lambda n=number: session.last_done is not None and session.last_done.number >= n + 2
            )
        per_sale = (time.perf_counter() - t2) / sales
        rss_after = rss_mib()
    session.opened.close()

    def ms(values: list[float], q: float) -> float:
        return (
            statistics.quantiles(values, n=100)[int(q) - 1] * 1000
            if q < 100
            else max(values) * 1000
        )

    print("Till benchmark (80x24, headless, real files, software TSE, printer to a file)")
    print(
        f"  start to ready: open till {opened * 1000:.0f} ms + screen {ready * 1000:.0f} ms; bare Textual app {bare_start * 1000:.0f} ms; ratio {(opened + ready) / bare_start:.2f}"
    )
    print(
        f"  scan to line on screen: median {statistics.median(till_scans) * 1000:.1f} ms, p99 {ms(till_scans, 99):.1f} ms; "
        f"bare app median {statistics.median(bare_scans) * 1000:.1f} ms, p99 {ms(bare_scans, 99):.1f} ms; "
        f"median ratio {statistics.median(till_scans) / statistics.median(bare_scans):.2f}"
    )
    print(
        f"  {sales} sales through the screen: {per_sale * 1000:.0f} ms each (scan, scan, pay, print)"
    )
    print(
        f"  memory (RSS): {rss_before:.1f} MiB before, {rss_after:.1f} MiB after {sales} sales (+{rss_after - rss_before:.1f} MiB)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sales", type=int, default=500)
    asyncio.run(main(parser.parse_args().sales))
