"""A hub store that keeps being written: ``python -m tests.support.busy_hub URL TRUCKS``.

Several trucks sell business day after business day (tests/support/journals.py), and each
day of each truck goes through the hub's accept path as one batch, as the ingest would store
it, until the process gets SIGTERM; then it finishes the batch it is at and exits. For the
tests that back up a store while the hub runs.
"""

from __future__ import annotations

import signal
import sys
from datetime import UTC, datetime, timedelta

from hub.store import open_store
from tests.support.journals import DAY, JournalWriter, sell_day
from tourkasse.protocol import JournalBatch


def main(url: str, trucks: int) -> int:
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    writers = [JournalWriter(f"T{number:02d}") for number in range(1, trucks + 1)]
    day = DAY
    with open_store(url) as store:
        while not stopping:
            for number, writer in enumerate(writers):
                first = len(writer.entries) + 1
                sell_day(writer, day, sales=12, seed=day.toordinal() * 100 + number)
                batch = JournalBatch(
                    writer.truck, tuple(e.data for e in writer.entries[first - 1 :]), first
                )
                outcome = store.accept_batch(batch, received_at=datetime.now(UTC))
                if outcome.reason is not None:
                    print(f"refused: {outcome.reason}", file=sys.stderr)
                    return 1
            day += timedelta(days=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], int(sys.argv[2])))
