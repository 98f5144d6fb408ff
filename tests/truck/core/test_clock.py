"""The clock rules against GPS time and the journal's last entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from truck.core.clock import judge

GPS = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TOLERANCE = timedelta(seconds=5)


def test_a_clock_that_agrees_with_gps_is_ok():
    verdict = judge(GPS + timedelta(seconds=2), GPS, GPS - timedelta(hours=1), TOLERANCE)
    assert verdict.kind == "ok"


def test_a_clock_far_from_gps_is_wrong_and_says_by_how_much():
    verdict = judge(GPS - timedelta(hours=3), GPS, None, TOLERANCE)
    assert (verdict.kind, verdict.message) == (
        "clock_wrong",
        "Systemuhr geht 10800 s nach (laut GPS)",
    )
    assert judge(GPS + timedelta(seconds=90), GPS, None, TOLERANCE).message.endswith(
        "90 s vor (laut GPS)"
    )


def test_a_journal_ahead_of_gps_calls_for_a_correction():
    verdict = judge(GPS, GPS, GPS + timedelta(hours=2), TOLERANCE)
    assert verdict.kind == "journal_ahead"
    assert "7200 s nach der GPS-Zeit" in verdict.message
    # a wrong clock is reported first: on a wrong clock's word nothing is corrected
    assert (
        judge(GPS + timedelta(hours=3), GPS, GPS + timedelta(hours=2), TOLERANCE).kind
        == "clock_wrong"
    )
