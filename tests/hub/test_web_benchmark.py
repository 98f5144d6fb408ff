"""Must show: the live page's latency benchmark (scripts/bench_web.py, run by scripts/bench)
still measures what it claims, in a short run: every position reached the browser's stream,
and both latencies and their ratio are printed. The full run (50 trucks, 30 s) is
scripts/bench's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def test_a_short_latency_benchmark_prints_median_and_p99_for_web_and_baseline():
    done = subprocess.run(
        [sys.executable, "scripts/bench_web.py", "--trucks", "5", "--seconds", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    sent = int(re.search(r"for 2 s, (\d+) positions", out).group(1))
    assert sent >= 9
    for name in ("baseline: paho subscriber", "web: position event in Chromium"):
        row = re.search(rf"{re.escape(name)}\s+(\d+)\s+(\d+\.\d\d)\s+(\d+\.\d\d)", out)
        assert row is not None, out
        assert int(row.group(1)) == sent  # none lost
        assert 0 < float(row.group(2)) <= float(row.group(3))
    assert re.search(r"ratio web / baseline: median \d+\.\d, p99 \d+\.\d", out)
