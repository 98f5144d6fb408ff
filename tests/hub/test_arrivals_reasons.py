"""The reason an operator gives for calling a stop off stands on the stop's board and on the
printed timetables: an empty or too long one is refused in words, and characters that would
garble a board or a print-out (a NUL, a right-to-left override, a line break) never reach it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hub.store import open_store
from tests.hub.test_board_links import HOME, Hub, make_hub
from tests.support.web import csrf_of, log_in


@pytest.fixture
def hub(tmp_path) -> Hub:
    return make_hub(tmp_path)


def call_off(hub: Hub, reason: str):
    operator = TestClient(hub.app)
    log_in(operator, "olga")
    csrf = csrf_of(operator.get("/arrivals").text)
    return operator.post(
        f"/arrivals/{HOME}/cancel", data={"csrf": csrf, "tour": "weser-heime", "reason": reason}
    )


def plan_versions(hub: Hub) -> int:
    with open_store(hub.url) as store:
        return store.tour_plans.latest_version()


def test_an_empty_reason_is_asked_for_and_nothing_is_saved(hub: Hub):
    before = plan_versions(hub)
    answer = call_off(hub, "   ")
    assert answer.status_code == 422
    assert "Bitte einen kurzen Grund angeben" in answer.text
    assert plan_versions(hub) == before


def test_a_reason_too_long_for_the_board_is_refused_not_cut(hub: Hub):
    before = plan_versions(hub)
    answer = call_off(hub, "Sehr lange Begründung " * 8)
    assert answer.status_code == 422
    assert "Der Grund hat 175 Zeichen; auf die Anzeige passen höchstens 80." in answer.text
    assert plan_versions(hub) == before


def test_control_and_direction_characters_never_reach_the_board(hub: Hub):
    answer = call_off(hub, "Straße\u202e gesperrt\x00\nab Kreuzung")
    assert answer.status_code == 200
    state = TestClient(hub.app).get(f"/tafel/{hub.token}/stand").json()
    assert state["text"] == "fällt heute aus: Straße gesperrt ab Kreuzung"
