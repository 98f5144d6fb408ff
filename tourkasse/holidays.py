"""German statutory public holidays (gesetzliche Feiertage) per federal state.

The rules follow the states' holiday laws (the Feiertagsgesetze, Sonn- und Feiertagsgesetze
of the 16 Länder) as they stand today, plus the Tag der Deutschen Einheit from the
Einigungsvertrag (Art. 2 Abs. 2). Changes since 2017 are modelled by year:

* Reformationstag: everywhere once in 2017 (500 years of the Reformation); in HB, HH, NI
  and SH since 2018; always in BB, MV, SN, ST and TH.
* Internationaler Frauentag (8 March): BE since 2019, MV since 2023.
* Weltkindertag (20 September): TH since 2019.
* One-off days in BE: 8 May 2020 and 8 May 2025 (75th and 80th anniversary of the end of
  the Second World War).

Only holidays that hold in the whole state are listed. Deliberately left out:

* Fronleichnam in parts of SN and TH (some Catholic communities only),
* Mariä Himmelfahrt in BY (only communities with a Catholic majority; statewide in SL),
* regional days such as the Augsburger Friedensfest (8 August, city of Augsburg only),
* days that are not statutory holidays, e.g. Heiligabend and Silvester.

Earlier changes of the law are not modelled: years before 2017 get today's rules (for
example, Buß- und Bettag was a holiday in all states until 1994; here it is only in SN).

Easter Sunday comes from the Gregorian computus (the "anonymous" algorithm, also known as
Meeus/Jones/Butcher). Ostersonntag and Pfingstsonntag are statutory holidays only in BB,
so they appear only there.

Pure standard library, no I/O.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

STATES: dict[str, str] = {
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "BE": "Berlin",
    "BB": "Brandenburg",
    "HB": "Bremen",
    "HH": "Hamburg",
    "HE": "Hessen",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}
"""The 16 Bundesländer by ISO 3166-2 short code (without the ``DE-`` prefix)."""

_HEILIGE_DREI_KOENIGE = frozenset({"BW", "BY", "ST"})
_FRONLEICHNAM = frozenset({"BW", "BY", "HE", "NW", "RP", "SL"})
_MARIAE_HIMMELFAHRT = frozenset({"SL"})
_ALLERHEILIGEN = frozenset({"BW", "BY", "NW", "RP", "SL"})
_REFORMATIONSTAG = frozenset({"BB", "MV", "SN", "ST", "TH"})
_REFORMATIONSTAG_SINCE_2018 = frozenset({"HB", "HH", "NI", "SH"})
_BUSS_UND_BETTAG = frozenset({"SN"})
_EASTER_AND_PENTECOST_SUNDAY = frozenset({"BB"})

_SEPARATOR = " / "
"""Joins the names when two holidays fall on one day (e.g. 1 May 2008)."""


def easter_sunday(year: int) -> date:
    """Easter Sunday of ``year`` by the Gregorian computus (anonymous algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _check_state(state: str) -> None:
    if state not in STATES:
        allowed = ", ".join(STATES)
        raise ValueError(f"Unbekanntes Bundesland „{state}“ (erlaubt: {allowed})")


def holidays(year: int, state: str) -> dict[date, str]:
    """Every statutory public holiday of ``state`` in ``year``, by date, sorted by date.

    ``state`` is an ISO 3166-2 short code from :data:`STATES`, e.g. ``"NI"``; anything else
    raises ``ValueError``. The result has one entry per day: if two holidays fall on the
    same day (Tag der Arbeit and Christi Himmelfahrt, e.g. in 2008), their names are
    joined with ``" / "``. Fronleichnam in parts of SN and TH and Mariä Himmelfahrt in
    Catholic communities of BY are not statewide and therefore not included.
    """
    _check_state(state)
    easter = easter_sunday(year)
    found: list[tuple[date, str]] = []

    def add(day: date, name: str, *, where: frozenset[str] | None = None) -> None:
        if where is None or state in where:
            found.append((day, name))

    add(date(year, 1, 1), "Neujahr")
    add(date(year, 1, 6), "Heilige Drei Könige", where=_HEILIGE_DREI_KOENIGE)
    if (state == "BE" and year >= 2019) or (state == "MV" and year >= 2023):
        add(date(year, 3, 8), "Internationaler Frauentag")
    add(easter - timedelta(days=2), "Karfreitag")
    add(easter, "Ostersonntag", where=_EASTER_AND_PENTECOST_SUNDAY)
    add(easter + timedelta(days=1), "Ostermontag")
    add(date(year, 5, 1), "Tag der Arbeit")
    if state == "BE" and year == 2020:
        add(date(2020, 5, 8), "75. Jahrestag der Befreiung vom Nationalsozialismus")
    if state == "BE" and year == 2025:
        add(date(2025, 5, 8), "80. Jahrestag der Befreiung vom Nationalsozialismus")
    add(easter + timedelta(days=39), "Christi Himmelfahrt")
    add(easter + timedelta(days=49), "Pfingstsonntag", where=_EASTER_AND_PENTECOST_SUNDAY)
    add(easter + timedelta(days=50), "Pfingstmontag")
    add(easter + timedelta(days=60), "Fronleichnam", where=_FRONLEICHNAM)
    add(date(year, 8, 15), "Mariä Himmelfahrt", where=_MARIAE_HIMMELFAHRT)
    if state == "TH" and year >= 2019:
        add(date(year, 9, 20), "Weltkindertag")
    add(date(year, 10, 3), "Tag der Deutschen Einheit")
    if (
        state in _REFORMATIONSTAG
        or (state in _REFORMATIONSTAG_SINCE_2018 and year >= 2018)
        or year == 2017
    ):
        add(date(year, 10, 31), "Reformationstag")
    add(date(year, 11, 1), "Allerheiligen", where=_ALLERHEILIGEN)
    add(_buss_und_bettag(year), "Buß- und Bettag", where=_BUSS_UND_BETTAG)
    add(date(year, 12, 25), "1. Weihnachtstag")
    add(date(year, 12, 26), "2. Weihnachtstag")

    result: dict[date, str] = {}
    for day, name in sorted(found, key=lambda entry: entry[0]):
        result[day] = f"{result[day]}{_SEPARATOR}{name}" if day in result else name
    return result


def is_holiday(day: date, state: str) -> str | None:
    """The name of the statutory holiday on ``day`` in ``state``, or ``None`` on other days.

    Raises ``ValueError`` for an unknown state code, like :func:`holidays`.
    """
    return _holidays(day.year, state).get(day)


@functools.lru_cache(maxsize=64)
def _holidays(year: int, state: str) -> dict[date, str]:
    """:func:`holidays`, kept: the boards and timetables ask for every day of weeks ahead.
    Only read, never handed out (callers of ``holidays`` get their own dict)."""
    return holidays(year, state)


def _buss_und_bettag(year: int) -> date:
    """The last Wednesday before 23 November (16 to 22 November)."""
    day = date(year, 11, 22)
    return day - timedelta(days=(day.weekday() - 2) % 7)
