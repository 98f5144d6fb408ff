"""A range of business days and the instants that bound it in the hub's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONGEST_RANGE_DAYS = 3 * 366  # a guard against a mistyped year, not a limit of the exports
YEARS = (1970, 9998)  # no till sold before; and the day after the last must still be a date


class PeriodError(ValueError):
    """A range the accountant asked for that cannot be; str() is German."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    zone: ZoneInfo

    def __post_init__(self) -> None:
        for day in (self.first, self.last):
            if not YEARS[0] <= day.year <= YEARS[1]:
                raise PeriodError(
                    f"{day.day:02d}.{day.month:02d}.{day.year:04d} liegt außerhalb der Jahre "
                    f"{YEARS[0]} bis {YEARS[1]}"
                )
        if self.last < self.first:
            raise PeriodError(
                f"Der Zeitraum endet ({self.last:%d.%m.%Y}) vor seinem Beginn "
                f"({self.first:%d.%m.%Y})"
            )
        if (self.last - self.first).days >= LONGEST_RANGE_DAYS:
            raise PeriodError("Der Zeitraum ist länger als drei Jahre – bitte kürzer wählen")

    @property
    def start(self) -> datetime:
        """The first instant of the first day, in UTC."""
        return _midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The first instant after the last day, in UTC."""
        return _midnight(self.last + timedelta(days=1), self.zone)

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    @property
    def text(self) -> str:
        if self.first == self.last:
            return f"{self.first:%d.%m.%Y}"
        return f"{self.first:%d.%m.%Y} bis {self.last:%d.%m.%Y}"


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(
            f"„{text}“ ist kein Datum (erwartet JJJJ-MM-TT, z. B. 2026-11-24)"
        ) from None
