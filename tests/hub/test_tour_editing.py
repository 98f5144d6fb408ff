"""Must show: the tour plan is edited on the web — stops changed, added, removed, reordered,
moved on the map; trucks assigned per date; exceptions; the federal state for holidays — each
change kept as a version with who and what, checked as a truck checks its tour file (a plan a
truck would refuse is never saved), used by the hub's pages and reports, and sent to the
trucks, where the agent receives it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from hub.broker import LocalBroker
from hub.config import HubConfig, HubToursSettings, MqttSettings, StoreSettings
from hub.store import open_store
from hub.tours import editing
from hub.web.app import create_app
from tests.conftest import EXAMPLE_TOUR
from tests.hub.test_web_live_browser import hub_settings
from tests.support.browser import chromium, new_page
from tests.support.fleet import SyncThread, truck_config
from tests.support.waiting import eventually
from tests.support.web import WebThread, add_user, browser_log_in, csrf_of, log_in
from tourkasse.tour import DayException, load_tour_plan

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def form_of(page: str) -> dict[str, str]:
    """The tour form's fields as the page filled them in (inputs and checked boxes)."""
    fields = dict(re.findall(r'<input name="([^"]+)" value="([^"]*)"', page))
    fields |= {
        name: "on" for name in re.findall(r'<input type="checkbox" name="([^"]+)" checked', page)
    }
    fields |= dict(re.findall(r'<input type="hidden" name="(stop-\d+-kind)" value="([^"]*)"', page))
    return fields


@pytest.fixture
def web(hub_url):
    add_user(hub_url, "olga", "operator")
    config = HubConfig(store=StoreSettings(url=hub_url), tours=HubToursSettings(file=EXAMPLE_TOUR))
    client = TestClient(create_app(config, live_events=False))
    log_in(client, "olga")
    return client, hub_url


def test_the_first_edit_starts_from_the_tour_file_and_keeps_a_version(web):
    client, url = web
    page = client.get("/tours/werra-weser").text
    fields = form_of(page)
    assert fields["stop-0-id"] == "gimte" and fields["stop-0-lat"] == "51.4441"
    fields["stop-0-lat"], fields["stop-0-lon"] = "51.44500", "9.66100"  # moved on the map
    fields["stop-1-delete"] = "on"  # Volkmarshausen no more
    new = max(int(k.split("-")[1]) for k in fields if k.startswith("stop-"))
    fields |= {f"stop-{new}-{k}": v for k, v in {"id": "laubach", "name": "Laubach, Kirche",
               "address": "Kirchstr. 1", "lat": "51.45", "lon": "9.65", "arrive": "07:58",
               "depart": "08:05", "order": "0"}.items()}  # fmt: skip
    saved = client.post("/tours/werra-weser", data={**fields, "csrf": csrf_of(page)})
    assert saved.status_code == 200 and "Tourplan Version 1 gespeichert" in saved.text
    with open_store(url) as store:
        plan = editing.current_plan(store, EXAMPLE_TOUR)
        [version] = store.tour_plans.history()
    [tour] = plan.tour
    ids = [s.id for s in tour.stop]
    original = [s.id for s in load_tour_plan(EXAMPLE_TOUR).tour[0].stop]
    assert ids[0] == "laubach"  # ordered first by its order field
    assert "volkmarshausen" not in ids and ids[1:] == [i for i in original if i != "volkmarshausen"]
    gimte = next(s for s in tour.stop if s.id == "gimte")
    assert (gimte.lat, gimte.lon) == (51.445, 9.661)
    assert (version.by, version.what) == ("olga", "Tour werra-weser geändert")
    # everything else of the file is as it was
    assert plan.assignment == load_tour_plan(EXAMPLE_TOUR).assignment


def test_a_plan_a_truck_would_refuse_is_not_saved_and_says_why(web):
    client, url = web
    page = client.get("/tours/werra-weser").text
    fields = form_of(page)
    fields["stop-0-depart"] = "07:00"  # before its arrival
    fields["stop-2-id"] = fields["stop-1-id"]  # twice the same stop
    fields["stop-3-lat"] = "nördlich"
    refused = client.post("/tours/werra-weser", data={**fields, "csrf": csrf_of(page)})
    assert refused.status_code == 422
    assert "Halt 4 Breite: „nördlich“ ist keine Zahl" in refused.text
    fields["stop-3-lat"] = "51.5"
    refused = client.post("/tours/werra-weser", data={**fields, "csrf": csrf_of(page)})
    assert refused.status_code == 422
    assert "liegt nicht nach der Ankunft" in refused.text
    fields["stop-0-depart"] = "08:40"
    refused = client.post("/tours/werra-weser", data={**fields, "csrf": csrf_of(page)})
    assert refused.status_code == 422
    assert "kommt mehrfach vor" in refused.text
    assert 'value="nördlich"' not in refused.text and 'value="51.5"' in refused.text  # kept
    with open_store(url) as store:
        assert store.tour_plans.latest() is None


def test_assignments_exceptions_and_the_state_are_versions_too(hub_url):
    with open_store(hub_url) as store:
        plan = load_tour_plan(EXAMPLE_TOUR)
        plan = editing.with_assignment(plan, "2026-12-04", "werra-weser", "T07")
        plan = editing.with_exception(
            plan, DayException("2026-12-08", "werra-weser", skip=("hemeln",), note="Glatteis")
        )
        editing.save(store, plan, "olga", "Wintertage", NOW)
        with pytest.raises(editing.PlanRefused, match="Tour nirgendwo gibt es nicht"):
            editing.with_assignment(plan, "2026-12-04", "nirgendwo", "T07")
        with pytest.raises(editing.PlanRefused, match="zugleich ausfallen"):
            editing.with_exception(
                plan, DayException("2026-12-09", "werra-weser", cancelled=True, runs=True)
            )
        saved = editing.current_plan(store, None)
    assert saved.day(date(2026, 12, 4), "T07") is not None  # Friday: T07 drives it
    assert saved.day(date(2026, 12, 4), "T01") is None
    december_8 = saved.day(date(2026, 12, 8), "T01")
    assert "hemeln" not in [s.stop.id for s in december_8.stops]
    removed = editing.without_entry(saved, "assignment", len(saved.assignment) - 1)
    assert len(removed.assignment) == len(saved.assignment) - 1


def test_reports_and_pages_go_by_the_plan_edited_on_the_web(web):
    client, url = web
    with open_store(url) as store:
        plan = load_tour_plan(EXAMPLE_TOUR)
        tour = plan.tour[0]
        renamed = tour.stop[0].__class__(**{**tour.stop[0].__dict__, "name": "Gimte, Anger"})
        changed = editing.with_tour(
            plan,
            tour.id,
            {
                "id": tour.id,
                "name": tour.name,
                "truck": tour.truck,
                "weekdays": tour.weekdays,
                "depot_name": tour.depot.name,
                "depot_lat": str(tour.depot.lat),
                "depot_lon": str(tour.depot.lon),
                "depot_leave": tour.depot.leave,
            },
            [renamed, *tour.stop[1:]],
        )
        editing.save(store, changed, "olga", "Name", NOW)
    assert "Gimte, Anger" in client.get("/tours").text


def test_the_plan_is_sent_to_the_trucks_and_the_agent_receives_it(tmp_path):
    from truck.config import load_truck_config
    from truck.store import downloads
    from truck.store.database import open_database

    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    add_user(url, "olga", "operator")
    with LocalBroker(tmp_path / "broker") as broker:
        config = HubConfig(
            store=StoreSettings(url=url),
            mqtt=MqttSettings(host="127.0.0.1", port=broker.port, client_id="office"),
            tours=HubToursSettings(file=EXAMPLE_TOUR),
        )
        client = TestClient(create_app(config, live_events=False))
        log_in(client, "olga")
        page = client.get("/tours").text
        sent = client.post("/tours-push", data={"csrf": csrf_of(page)})
        assert "Touren Version 1 veröffentlicht" in sent.text or "Version 1" in sent.text
        truck = truck_config(tmp_path / "truck", port=broker.port)
        db = open_database(load_truck_config(truck).paths.journal)
        try:
            with SyncThread(truck):
                found = eventually(
                    lambda: downloads.pending(db, "tours"), timeout=20, what="Tourplan beim Wagen"
                )
            assert found.version == 1 and "werra-weser" in found.content
        finally:
            db.close()


@pytest.mark.slow
def test_a_stop_dragged_on_the_map_is_saved_where_it_was_dropped(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    add_user(url, "olga", "operator")
    with LocalBroker(tmp_path / "broker") as broker:
        config = hub_settings(url, broker.port, EXAMPLE_TOUR)
        with WebThread(config) as web, chromium() as browser:
            page = new_page(browser)
            browser_log_in(page, web.url, "olga")
            page.goto(f"{web.url}/tours/werra-weser")
            marker = page.wait_for_selector("[data-place='Gimte, Dorfgemeinschaftshaus']")
            before = page.input_value("input[name=stop-0-lat]")
            box = marker.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + 30, y - 40, steps=8)
            page.mouse.up()
            after_lat = page.input_value("input[name=stop-0-lat]")
            after_lon = page.input_value("input[name=stop-0-lon]")
            assert after_lat != before and float(after_lat) > float(before)  # dragged north
            page.click("#save-tour")
            assert "Tourplan Version 1 gespeichert" in page.locator("[role=status]").inner_text()
    with open_store(url) as store:
        gimte = editing.current_plan(store, None).tour[0].stop[0]
    assert (gimte.lat, gimte.lon) == (float(after_lat), float(after_lon))


def test_the_overview_assigns_trucks_adds_exceptions_sets_the_state_and_deletes(web):
    client, url = web
    token = csrf_of(client.get("/tours").text)

    def post(path: str, **fields: str):
        return client.post(path, data={**fields, "csrf": token}, follow_redirects=False)

    saved = post("/tours/assignments", date="2026-12-04", tour="werra-weser", truck="T07")
    assert saved.status_code == 303
    shown = client.get(saved.headers["location"]).text
    assert "Tourplan Version 1 gespeichert: 2026-12-04: Tour werra-weser fährt Wagen T07" in shown
    refused = post("/tours/assignments", date="2026-12-04", tour="nirgendwo", truck="T07")
    assert refused.status_code == 422 and "Tour nirgendwo gibt es nicht" in refused.text
    skip = {"date": "2026-12-08", "tour": "werra-weser", "how": "skip", "note": "Glatteis"}
    assert post("/tours/exceptions", **skip, skip="hemeln").status_code == 303
    assert load_tour_plan(EXAMPLE_TOUR).day(date(2026, 12, 11), "T01") is not None  # a Friday
    off = post("/tours/exceptions", date="2026-12-11", tour="werra-weser", how="cancelled")
    assert off.status_code == 303
    wrong = post("/tours/state", state="XY")
    assert wrong.status_code == 422 and "XY" in wrong.text
    assert post("/tours/state", state="HE").status_code == 303
    with open_store(url) as store:
        plan = editing.current_plan(store, EXAMPLE_TOUR)
    assert plan.state == "HE"
    assert plan.day(date(2026, 12, 4), "T07") is not None
    assert "hemeln" not in [s.stop.id for s in plan.day(date(2026, 12, 8), "T01").stops]
    assert plan.day(date(2026, 12, 11), "T01") is None  # cancelled that day
    last = len(plan.assignment) - 1
    assert post(f"/tours/assignment/{last}/delete").status_code == 303
    assert post("/tours/nonsense/0/delete").status_code == 404
    with open_store(url) as store:
        after = editing.current_plan(store, EXAMPLE_TOUR)
        history = [(v.by, v.what) for v in store.tour_plans.history()]
    assert after.day(date(2026, 12, 4), "T07") is None
    assert len(after.assignment) == len(plan.assignment) - 1
    assert history[0] == ("olga", "Wagentausch gelöscht")  # newest first
    assert ("olga", "Bundesland HE") in history and len(history) == 5
