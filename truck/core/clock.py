"""The clock rules: the system clock checked against GPS time and the journal's last entry.

A Raspberry Pi without a battery clock may start with a wrong time. The journal's last entry is
a lower bound for the time; GPS time is the authority. Nothing here changes any clock: the
verdict says what to record or show (see DESIGN.md, "German rules").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal


@dataclass(frozen=True)
class ClockVerdict:
    kind: Literal["ok", "clock_wrong", "journal_ahead"]
    offset: timedelta  # system clock minus GPS time
    message: str


def judge(
    system_now: datetime, gps_time: datetime, journal_last: datetime | None, tolerance: timedelta
) -> ClockVerdict:
    """What GPS time says about the system clock and the journal.

    - The system clock differs from GPS by more than ``tolerance``: the clock is wrong (chrony
      with gpsd should correct it; until then nothing is recorded on GPS's word).
    - The clock agrees with GPS, but the journal's last entry lies after GPS time: the clock ran
      ahead before; a clock-correction entry is to be written, after which entries may carry
      earlier times than the ones before it.
    """
    offset = system_now - gps_time
    if abs(offset) > tolerance:
        seconds = round(abs(offset).total_seconds())
        direction = "vor" if offset > timedelta(0) else "nach"
        return ClockVerdict(
            "clock_wrong", offset, f"Systemuhr geht {seconds} s {direction} (laut GPS)"
        )
    if journal_last is not None and journal_last > gps_time + tolerance:
        ahead = round((journal_last - gps_time).total_seconds())
        return ClockVerdict(
            "journal_ahead",
            offset,
            f"Letzter Journaleintrag liegt {ahead} s nach der GPS-Zeit: Uhr lief vor",
        )
    return ClockVerdict("ok", offset, "Uhr stimmt mit GPS überein")
