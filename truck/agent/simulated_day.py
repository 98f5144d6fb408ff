"""A tour day as a GPS receiver would report it: for the demo, the tests and ``scripts/nmea-day``.

The tour file says where and when the truck halts; ``truck.devices.gps.drive`` drives it with
realistic speeds, dwell, jitter and stretches without fix, and writes NMEA (RMC and GGA) that
gpsfake replays into a real gpsd.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tourkasse.tour import DayTour, TourPlan, load_tour_plan
from truck.devices.gps.drive import Day, Halt, Outage, drive_day, nmea_log

LEAD_IN = timedelta(minutes=3)


def halts_of(day: DayTour) -> list[Halt]:
    return [Halt(s.stop.name, s.stop.lat, s.stop.lon, s.arrive, s.depart) for s in day.stops]


def simulated_day(
    plan: TourPlan,
    on: date,
    truck: str,
    *,
    interval: float = 1.0,
    jitter_m: float = 3.0,
    outages: Sequence[Outage] = (),
    seed: int = 0,
    lead_in: timedelta = LEAD_IN,
) -> tuple[DayTour, Day]:
    day = plan.day(on, truck)
    if day is None:
        raise ValueError(f"Wagen {truck} fährt am {on:%d.%m.%Y} keine Tour")
    depot = (day.tour.depot.lat, day.tour.depot.lon)
    driven: Day = drive_day(
        depot,
        day.leave,
        halts_of(day),
        interval=interval,
        jitter_m=jitter_m,
        outages=outages,
        seed=seed,
        end=depot,
    )
    # The receiver is on before the truck sets off: a few minutes standing at the depot, so
    # whoever starts listening a little late still sees the whole tour.
    first = driven.samples[0]
    steps = int(lead_in.total_seconds() // interval)
    lead_in = tuple(
        replace(first, time=first.time - timedelta(seconds=interval * n), speed=0.0)
        for n in range(steps, 0, -1)
    )
    return day, replace(driven, samples=lead_in + driven.samples)


def shifted(driven: Day, by: timedelta) -> Day:
    """The same day, every time moved by ``by``."""
    return Day(
        tuple(replace(sample, time=sample.time + by) for sample in driven.samples),
        tuple(replace(v, arrived=v.arrived + by, departed=v.departed + by) for v in driven.visits),
    )


def _outage(text: str, on: date, zone: ZoneInfo) -> Outage:
    try:
        start, end = (time.fromisoformat(part) for part in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"erwartet eine Zeitspanne wie 10:05-10:20, gefunden {text!r}"
        ) from None
    return Outage(datetime.combine(on, start, zone), datetime.combine(on, end, zone))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/nmea-day",
        description="Einen Tourtag als NMEA-Aufzeichnung (RMC, GGA) erzeugen, für gpsfake.",
    )
    parser.add_argument("--tour", type=Path, required=True, help="Tourdatei")
    parser.add_argument("--date", type=date.fromisoformat, required=True, help="Datum JJJJ-MM-TT")
    parser.add_argument("--truck", required=True, help="Wagen, z. B. T01")
    parser.add_argument("--out", type=Path, required=True, help="NMEA-Datei")
    parser.add_argument("--interval", type=float, default=1.0, help="Sekunden je Position")
    parser.add_argument("--jitter", type=float, default=3.0, help="Streuung in Metern")
    parser.add_argument(
        "--no-fix", action="append", default=[], metavar="HH:MM-HH:MM", help="ohne Empfang"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--start-now",
        action="store_true",
        help="alle Zeiten so verschieben, dass die Aufzeichnung jetzt beginnt (für die Demo)",
    )
    args = parser.parse_args(argv)
    plan = load_tour_plan(args.tour)
    zone = ZoneInfo(plan.timezone)
    outages = [_outage(text, args.date, zone) for text in args.no_fix]
    try:
        day, driven = simulated_day(
            plan,
            args.date,
            args.truck,
            interval=args.interval,
            jitter_m=args.jitter,
            outages=outages,
            seed=args.seed,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.start_now:
        driven = shifted(driven, datetime.now(UTC) - driven.samples[0].time)
    args.out.write_text(nmea_log(driven), encoding="ascii", newline="")
    print(f"{args.out}: {len(driven.samples)} Positionen, Tour {day.tour.name}")
    for visit in driven.visits:
        arrived = visit.arrived.astimezone(zone)
        departed = visit.departed.astimezone(zone)
        print(f"  {arrived:%H:%M:%S}–{departed:%H:%M:%S}  {visit.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
