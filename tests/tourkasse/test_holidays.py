from datetime import date

import pytest

from tourkasse.holidays import STATES, easter_sunday, holidays, is_holiday

NATIONWIDE_2026 = {
    date(2026, 1, 1): "Neujahr",
    date(2026, 4, 3): "Karfreitag",
    date(2026, 4, 6): "Ostermontag",
    date(2026, 5, 1): "Tag der Arbeit",
    date(2026, 5, 14): "Christi Himmelfahrt",
    date(2026, 5, 25): "Pfingstmontag",
    date(2026, 10, 3): "Tag der Deutschen Einheit",
    date(2026, 12, 25): "1. Weihnachtstag",
    date(2026, 12, 26): "2. Weihnachtstag",
}


def test_the_sixteen_states_by_iso_code():
    assert len(STATES) == 16
    assert STATES["NI"] == "Niedersachsen"
    assert STATES["TH"] == "Thüringen"
    assert STATES["BW"] == "Baden-Württemberg"


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),  # latest possible date
        (2285, date(2285, 3, 22)),  # earliest possible date
        (1961, date(1961, 4, 2)),
        (2000, date(2000, 4, 23)),
    ],
)
def test_easter_by_the_gregorian_computus(year, easter):
    assert easter_sunday(year) == easter
    assert is_holiday(easter, "BB") == "Ostersonntag"
    assert is_holiday(easter, "NI") is None


def test_niedersachsen_2026_is_the_nationwide_days_plus_reformationstag():
    assert holidays(2026, "NI") == {**NATIONWIDE_2026, date(2026, 10, 31): "Reformationstag"}


@pytest.mark.parametrize(
    ("state", "count"),
    [
        ("NI", 10),
        ("BY", 12),  # Mariä Himmelfahrt is not statewide in BY
        ("BB", 12),  # with Ostersonntag and Pfingstsonntag
        ("SN", 11),
        ("BW", 12),
        ("BE", 10),
        ("MV", 11),
        ("SL", 12),
        ("TH", 11),
        ("HE", 10),
    ],
)
def test_number_of_holidays_in_2026(state, count):
    assert len(holidays(2026, state)) == count


def test_every_state_has_the_nationwide_holidays():
    for state in STATES:
        assert NATIONWIDE_2026.items() <= holidays(2026, state).items(), state


def test_holidays_come_in_date_order():
    days = list(holidays(2026, "BY"))
    assert days == sorted(days)


def test_easter_dependent_days_in_2026():
    assert is_holiday(date(2026, 4, 3), "HE") == "Karfreitag"
    assert is_holiday(date(2026, 5, 14), "HE") == "Christi Himmelfahrt"
    assert is_holiday(date(2026, 5, 24), "BB") == "Pfingstsonntag"
    assert is_holiday(date(2026, 5, 24), "HE") is None
    assert is_holiday(date(2026, 5, 25), "HE") == "Pfingstmontag"


def test_fronleichnam_only_where_it_is_statewide():
    assert is_holiday(date(2026, 6, 4), "NW") == "Fronleichnam"
    assert {s for s in STATES if date(2026, 6, 4) in holidays(2026, s)} == {
        "BW",
        "BY",
        "HE",
        "NW",
        "RP",
        "SL",
    }


def test_mariae_himmelfahrt_statewide_only_in_saarland():
    assert is_holiday(date(2026, 8, 15), "SL") == "Mariä Himmelfahrt"
    assert is_holiday(date(2026, 8, 15), "BY") is None


def test_heilige_drei_koenige_and_allerheiligen():
    assert {s for s in STATES if is_holiday(date(2026, 1, 6), s)} == {"BW", "BY", "ST"}
    assert {s for s in STATES if is_holiday(date(2026, 11, 1), s)} == {
        "BW",
        "BY",
        "NW",
        "RP",
        "SL",
    }


@pytest.mark.parametrize(
    ("year", "day"),
    [(2022, 16), (2023, 22), (2024, 20), (2025, 19), (2026, 18), (2028, 22)],
)
def test_buss_und_bettag_is_the_wednesday_before_23_november_in_saxony(year, day):
    assert is_holiday(date(year, 11, day), "SN") == "Buß- und Bettag"
    assert date(year, 11, day).weekday() == 2
    assert is_holiday(date(year, 11, day), "BY") is None


def test_reformationstag_in_niedersachsen_since_2018_and_once_in_2017():
    assert is_holiday(date(2016, 10, 31), "NI") is None
    assert is_holiday(date(2017, 10, 31), "NI") == "Reformationstag"
    assert is_holiday(date(2018, 10, 31), "NI") == "Reformationstag"
    assert is_holiday(date(2016, 10, 31), "SN") == "Reformationstag"


def test_reformationstag_2017_everywhere_and_afterwards_not_in_the_south():
    assert all(is_holiday(date(2017, 10, 31), s) == "Reformationstag" for s in STATES)
    assert is_holiday(date(2018, 10, 31), "BY") is None
    assert is_holiday(date(2026, 10, 31), "NW") is None


def test_frauentag_in_berlin_since_2019_and_in_mv_since_2023():
    assert is_holiday(date(2018, 3, 8), "BE") is None
    assert is_holiday(date(2019, 3, 8), "BE") == "Internationaler Frauentag"
    assert is_holiday(date(2022, 3, 8), "MV") is None
    assert is_holiday(date(2023, 3, 8), "MV") == "Internationaler Frauentag"
    assert is_holiday(date(2026, 3, 8), "BB") is None


def test_weltkindertag_in_thueringen_since_2019():
    assert is_holiday(date(2018, 9, 20), "TH") is None
    assert is_holiday(date(2019, 9, 20), "TH") == "Weltkindertag"
    assert is_holiday(date(2026, 9, 20), "SN") is None


def test_berlins_one_off_holidays_on_8_may():
    assert is_holiday(date(2020, 5, 8), "BE") == (
        "75. Jahrestag der Befreiung vom Nationalsozialismus"
    )
    assert is_holiday(date(2025, 5, 8), "BE") == (
        "80. Jahrestag der Befreiung vom Nationalsozialismus"
    )
    assert is_holiday(date(2026, 5, 8), "BE") is None
    assert is_holiday(date(2021, 5, 8), "BE") is None
    assert is_holiday(date(2020, 5, 8), "BB") is None
    assert len(holidays(2025, "BE")) == 11


def test_two_holidays_on_one_day_keep_both_names():
    # Easter 2008 was on 23 March, so Christi Himmelfahrt fell on 1 May.
    assert is_holiday(date(2008, 5, 1), "HH") == "Tag der Arbeit / Christi Himmelfahrt"
    assert len(holidays(2008, "HH")) == 8


def test_ordinary_days_are_no_holidays():
    assert is_holiday(date(2026, 7, 15), "BY") is None
    assert is_holiday(date(2026, 12, 24), "NI") is None  # Heiligabend is not statutory


@pytest.mark.parametrize("state", ["XY", "by", "DE-BY", ""])
def test_unknown_state_is_refused_in_german_with_the_valid_codes(state):
    with pytest.raises(ValueError) as raised:
        holidays(2026, state)
    message = str(raised.value)
    assert message.startswith(f"Unbekanntes Bundesland „{state}“")
    assert "(erlaubt: BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH, TH)" in message


def test_is_holiday_also_refuses_an_unknown_state():
    with pytest.raises(ValueError, match="Unbekanntes Bundesland „XY“"):
        is_holiday(date(2026, 1, 1), "XY")
