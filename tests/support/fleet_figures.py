"""What a fleet load run measured (tests/support/fleet_run.py), and the lines that say it.

Definitions, the same in the test and in scripts/bench_fleet.py:

- entry lag at the truck: from the entry's time as the till wrote it to the moment the truck
  hears the hub's acknowledgement ("committed through N") — the truck waits that long before
  it may count the entry as safe on the hub;
- entry lag at the hub: from the entry's time to the time the hub received it, as stored with
  the entry (the ingest lag of /api/metrics, for every entry instead of the last one);
- position lag: from the position's time (the moment it was published) to the time the hub
  received it, as stored with it; the hub keeps only each truck's newest position, so it is
  read every 0.1 s and a position replaced in between is not seen;
- raw: the same messages through the same broker to a plain paho subscriber that only receives
  them and reads their JSON head (subscribed as one client, beside the ingest's share group);
- CPU: user and system seconds from /proc, from the start of the load until the hub has
  stored everything, per 1,000 messages the raw subscriber received (each of which one of the
  ingest processes took).
"""

from __future__ import annotations

import os
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.fleet_load import TruckOutcome

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User and system CPU of a process (all its threads) so far; 0 when it is gone.
    ``children``: also what its children that ended have used."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()
    used = int(fields[11]) + int(fields[12])
    if children:
        used += int(fields[13]) + int(fields[14])
    return used / _TICKS


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        if int(text[text.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def postgres_cpu(data_dir: Path | None) -> float:
    """CPU of a PostgreSQL cluster: the postmaster, its processes, those that ended."""
    if data_dir is None:
        return 0.0
    try:
        postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    own = cpu_seconds(postmaster, children=True)
    return own + sum(cpu_seconds(child) for child in children_of(postmaster))


@dataclass
class Spread:
    """Median, 99th percentile and maximum of some seconds."""

    values: list[float]

    def __len__(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def p99(self) -> float:
        if len(self.values) < 2:
            return self.values[0] if self.values else float("nan")
        return statistics.quantiles(self.values, n=100, method="inclusive")[98]

    @property
    def max(self) -> float:
        return max(self.values) if self.values else float("nan")


@dataclass
class RawCounts:
    """What the plain subscriber received."""

    messages: Counter[str] = field(default_factory=Counter)  # per channel
    entry_lags: list[float] = field(default_factory=list)  # last entry of each batch
    position_lags: list[float] = field(default_factory=list)


@dataclass
class Figures:
    trucks: int
    seconds: float
    ingests: int
    outcomes: list[TruckOutcome]
    raw: RawCounts
    cpu: dict[str, float]  # seconds over the measured time, per process or group
    measured_s: float  # from the start of the load until the hub had everything
    entry_lags_hub: list[float]
    position_lags_hub: list[float]
    drain_s: float | None  # load over → every entry stored on the hub and acknowledged
    telemetry_s: float | None  # load over → every last position and status stored too
    peak_backlog: int  # entries written on the trucks, not yet acknowledged: fleet-wide
    rows: dict[str, int]
    batches_per_ingest: list[int]
    problems: list[str]

    @property
    def sent(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for outcome in self.outcomes:
            total.update(outcome.sent)
        return total

    @property
    def messages(self) -> int:
        return sum(self.raw.messages.values())

    def per_thousand(self, seconds: float) -> float:
        return 1000 * seconds / self.messages if self.messages else float("nan")

    @property
    def ingest_cpu(self) -> float:
        return sum(v for k, v in self.cpu.items() if k.startswith("ingest"))


def _row(name: str, spread: Spread) -> str:
    ms = [f"{value * 1000:9.1f}" for value in (spread.median, spread.p99, spread.max)]
    return f"  {name:48} {' '.join(ms)} {len(spread):8d}"


def describe(f: Figures) -> list[str]:
    """The figures as the bench prints them."""
    sent = f.sent
    receipts = sum(o.sold.receipts for o in f.outcomes)
    resends = sum(o.resends_asked for o in f.outcomes)
    timeouts = sum(o.timeouts for o in f.outcomes)
    reconnects = sum(o.reconnects for o in f.outcomes)
    entry_lags = [lag for o in f.outcomes for lag in o.entry_lags]
    lines = [
        f"  sent by the trucks in {f.seconds:.0f} s: {sent['positions']} positions (QoS 0), "
        f"{sent['statuses']} statuses, {sent['journal batches']} journal batches "
        f"({sent['journal entries']} entries, {receipts} receipts, "
        f"{receipts / f.seconds:.1f} receipts/s), {sent['track batches']} track batches",
        f"  trucks sent again: {resends} on the hub's request, {timeouts} for want of an "
        f"acknowledgement; {reconnects} reconnects",
        f"  broker, raw subscriber: {f.messages} messages "
        f"({', '.join(f'{k} {v}' for k, v in sorted(f.raw.messages.items()))}), "
        f"{f.messages / f.seconds:.0f} messages/s over the load",
        "",
        f"  {'lag (ms)':48} {'median':>9} {'p99':>9} {'max':>9} {'count':>8}",
        _row("entry written → hub's ack heard by the truck", Spread(entry_lags)),
        _row("entry written → received by the hub (metrics)", Spread(f.entry_lags_hub)),
        _row("raw: entry written → raw subscriber", Spread(f.raw.entry_lags)),
        _row("position published → received and stored by hub", Spread(f.position_lags_hub)),
        _row("raw: position published → raw subscriber", Spread(f.raw.position_lags)),
        "",
    ]
    raw_cpu = f.cpu.get("raw subscriber", float("nan"))
    ingest_k, raw_k = f.per_thousand(f.ingest_cpu), f.per_thousand(raw_cpu)
    ratio = ingest_k / raw_k if raw_k else float("nan")
    lines += [
        f"  CPU per 1,000 messages: ingest ({_processes(f.ingests)}) {ingest_k:.3f} s, "
        f"raw subscriber {raw_k:.3f} s: the ingest costs {ratio:.1f}× the raw broker rate",
        f"  CPU seconds over {f.measured_s:.1f} s (load and drain): "
        + ", ".join(f"{name} {seconds:.2f}" for name, seconds in f.cpu.items()),
        "  per 1,000 messages: "
        + ", ".join(f"{name} {f.per_thousand(sec):.3f} s" for name, sec in f.cpu.items()),
        "",
        f"  drain: {_seconds(f.drain_s)} after the load stopped until every entry was stored "
        f"and acknowledged; last positions and statuses stored after {_seconds(f.telemetry_s)}",
        f"  peak backlog: {f.peak_backlog} journal entries written and not yet acknowledged "
        "(fleet-wide)",
        "  PostgreSQL rows: " + ", ".join(f"{name} {count}" for name, count in f.rows.items()),
        f"  journal batches stored per ingest process: {f.batches_per_ingest}",
        "  hub check: "
        + (
            "every journal byte for byte, receipts and turnover per truck and stop to the cent, "
            "no refused messages, no forks"
            if not f.problems
            else f"{len(f.problems)} PROBLEMS: " + "; ".join(f.problems[:10])
        ),
    ]
    return lines


def _seconds(value: float | None) -> str:
    return f"{value:.2f} s" if value is not None else "NOT reached"


def _processes(count: int) -> str:
    return "one process" if count == 1 else f"{count} processes together"
