"""Must show: the sync benchmark (scripts/bench_sync.py, run by scripts/bench) still measures
what it claims, in a short run: both stores drained and checked, figures and ratios printed.

The full run (10,000 sales, three rounds) belongs to scripts/bench; this one sells 40.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def test_a_short_sync_benchmark_drains_both_stores_and_prints_its_ratios():
    done = subprocess.run(
        [sys.executable, "scripts/bench_sync.py", "--sales", "40", "--rounds", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "40 sales with the real till" in out
    assert "80 journal entries" in out
    for name in (
        "baseline: one QoS 1 message per sale",
        "sync into hub, sqlite",
        "sync into hub, postgresql",
    ):
        row = re.search(rf"{re.escape(name)}\s+40\s+\d+\.\d\d\s+(\d+)\s.*?(\d+\.\d\d)\s+\(", out)
        assert row is not None, out
        assert int(row.group(1)) > 0 and float(row.group(2)) > 0  # sales/s, ratio
    assert re.search(r"target: drain / raw >= 1\.0 for every store: (met|NOT met)", out)
    assert re.search(r"truck's sync process: \d+ MiB; baseline publisher process: \d+ MiB", out)
