"""Must show: the accountant's benchmark (scripts/bench_accounts.py, run by scripts/bench)
still measures what it claims, in a short run: the hub's daily sums equal a plain GROUP BY
over the raw lines to the cent, and both timings, the page's latency and the ratios print.

The full run (20 trucks, a year, about 1.5 million receipts) belongs to scripts/bench.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def test_a_short_accounts_benchmark_checks_its_sums_and_prints_its_ratios():
    done = subprocess.run(
        [
            sys.executable, "scripts/bench_accounts.py", "--trucks", "3", "--days", "4",
            "--receipts", "20", "--clients", "2", "--requests", "3",
        ],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    out = done.stdout
    assert "240 receipts of 3 trucks over 4 days stored through the ingest" in out
    assert re.search(r"daily sums of the period: \d+ figures, equal to the cent", out)
    assert re.search(r"baseline: plain GROUP BY over raw lines\s+\d+\.\d{3}", out)
    assert re.search(r"hub: daily sums from its projections\s+\d+\.\d{3}", out)
    assert re.search(r"ratio baseline / hub: \d+\.\d", out)
    assert re.search(r"accountant page /accounts\s+\d+\.\d\s+\d+\.\d", out)
    assert re.search(r"ratio page / baseline: median \d+\.\d, p99 \d+\.\d", out)
