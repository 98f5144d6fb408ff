"""Benchmark: a fleet of 200 trucks for a minute against the hub on PostgreSQL with three
``tourkasse hub ingest`` processes, against the raw broker rate in the same run.

Each simulated truck (tests/support/fleet_load.py) has its own MQTT client and its own journal
written by the real till with a software TSE; it publishes its live position every second, a
sale every 1–2 minutes (each sale's entries as soon as they are written), its status and its
track as the agent does, and listens for the hub's acknowledgements and requests to send again.
Beside the ingest's share group, a plain paho subscriber receives the same messages through the
same broker and only reads their JSON head: the baseline for lag and CPU.

Printed: messages sent per kind, the broker's rate, lag (median, p99, max) of journal entries
and positions at the hub and at the raw subscriber, CPU per 1,000 messages of the three ingest
processes together against the raw subscriber (and of Mosquitto, PostgreSQL and the senders),
the time to drain once the load stops, the peak backlog, the rows in PostgreSQL and whether
every journal and total on the hub is exact. Definitions: tests/support/fleet_figures.py.

The PostgreSQL cluster is the tests' throwaway one (tests/support/postgres.py): fsync and
synchronous commit are off, so a commit costs less than on a server that waits for its disk.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.fleet_figures import describe  # noqa: E402
from tests.support.fleet_run import FleetRun, run_fleet  # noqa: E402
from tests.support.postgres import start_cluster  # noqa: E402


def _range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    try:
        values = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"erwartet z. B. 60-120, nicht {text!r}") from None
    if not 0 < values[0] <= values[1]:
        raise argparse.ArgumentTypeError(f"erwartet 0 < von <= bis, nicht {text!r}")
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trucks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--ingests", type=int, default=3, help="tourkasse hub ingest processes")
    parser.add_argument("--senders", type=int, default=2, help="processes playing the trucks")
    parser.add_argument(
        "--sale-every", type=_range, default=(60.0, 120.0), metavar="S-S",
        help="seconds between a truck's sales, drawn evenly from this range (default 60-120)",
    )  # fmt: skip
    parser.add_argument("--position-every", type=float, default=1.0, metavar="S")
    parser.add_argument("--drain-timeout", type=float, default=300.0, metavar="S")
    args = parser.parse_args()
    if args.trucks < 1 or args.seconds <= 0 or args.ingests < 1 or args.senders < 1:
        parser.error("trucks, seconds, ingests and senders must be positive")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl+C
    run = FleetRun(
        trucks=args.trucks,
        seconds=args.seconds,
        ingests=args.ingests,
        senders=min(args.senders, args.trucks),
        sale_every_s=args.sale_every,
        position_every_s=args.position_every,
        drain_timeout_s=args.drain_timeout,
    )
    print(
        f"Fleet benchmark: {run.trucks} trucks for {run.seconds:.0f} s, a position every "
        f"{run.position_every_s:g} s, a sale every {run.sale_every_s[0]:g}–"
        f"{run.sale_every_s[1]:g} s per truck; hub on PostgreSQL with {run.ingests} ingest "
        "processes in a share group; one Mosquitto; raw subscriber in the same run"
    )
    with contextlib.ExitStack() as stack:
        var = REPO / "var"
        root = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(
                    prefix="tourkasse-bench-fleet-", dir=var if var.is_dir() else None
                )
            )
        )
        began = time.perf_counter()
        cluster = start_cluster()
        stack.callback(cluster.stop)
        print(f"  set-up: PostgreSQL cluster started in {time.perf_counter() - began:.1f} s")
        url = cluster.url(cluster.create_database())
        figures = run_fleet(run, url, root, pg_data=cluster.data)
    print("\n".join(describe(figures)))
    return 1 if figures.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
