"""Must show, in a real headless Chromium (Debian's, driven by Playwright): each role logs in
through the form and lands on its page; on the operator's live page a truck moves on the map
as its positions arrive, a sale appears in the feed and in the turnover, and an alert appears
when the truck goes offline — all without reloading the page.

Real parts throughout: Mosquitto, the hub's ingest and its web server (uvicorn, live events
over the broker), the agent's sync and the till selling into a real journal.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.broker import LocalBroker, free_port
from hub.config import HubConfig, HubToursSettings, MqttSettings, StoreSettings, WebSettings
from tests.conftest import EXAMPLE_TOUR
from tests.support.browser import chromium, new_page
from tests.support.fleet import IngestThread, SyncThread, sell, truck_config, wall_clock
from tests.support.web import WebThread, add_user, browser_log_in

pytestmark = pytest.mark.slow


def tour_running_today(folder: Path) -> Path:
    """The example tour, made to run today (whatever weekday or holiday it is)."""
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    path = folder / "tour.toml"
    path.write_text(
        EXAMPLE_TOUR.read_text(encoding="utf-8")
        + f'\n[[exception]]\ndate = "{today}"\ntour = "werra-weser"\nruns = true\n',
        encoding="utf-8",
    )
    return path


def arrive_at_gimte(truck_config_path: Path) -> None:
    """The truck's journal says it arrived at the tour's first stop (as its agent writes it)."""
    from tourkasse.journal import EntryKind
    from truck.config import load_truck_config
    from truck.store import stops
    from truck.store.database import open_database

    config = load_truck_config(truck_config_path)
    db = open_database(config.paths.journal)
    try:
        body = {"stop": "gimte", "name": "Gimte, Dorfgemeinschaftshaus", "tour": "werra-weser"}
        stops.record(
            db, truck=config.truck.id, kind=EntryKind.STOP_ARRIVAL, body=body, clock=wall_clock
        )
    finally:
        db.close()


def hub_settings(url: str, broker_port: int, tour: Path) -> HubConfig:
    return HubConfig(
        store=StoreSettings(url=url),
        mqtt=MqttSettings(host="127.0.0.1", port=broker_port, client_id="hub-browser-test"),
        web=WebSettings(port=free_port(), offline_alert_minutes=0),
        tours=HubToursSettings(file=tour),
    )


@pytest.fixture
def sqlite_hub(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'hub.sqlite'}"


def test_each_role_logs_in_through_the_form_and_lands_on_its_page(tmp_path, sqlite_hub):
    add_user(sqlite_hub, "olga", "operator")
    add_user(sqlite_hub, "anton", "accountant")
    add_user(sqlite_hub, "ada", "admin")
    with LocalBroker(tmp_path / "broker") as broker:
        config = hub_settings(sqlite_hub, broker.port, tour_running_today(tmp_path))
        with WebThread(config) as web, chromium() as browser:
            for name, heading, path in (
                ("olga", "Karte", "/live"),
                ("anton", "Tagesumsätze", "/turnover"),
                ("ada", "Benutzer", "/users"),
            ):
                page = new_page(browser)
                page.goto(f"{web.url}{path}")
                assert page.url.startswith(f"{web.url}/login?next=")  # sent to log in first
                browser_log_in(page, web.url, name)
                page.goto(web.url)
                assert page.url == f"{web.url}{path}"
                assert page.locator("h1, h2").first.inner_text().startswith(heading)
                assert name in page.locator("header .who").inner_text()
                page.context.close()
            page = new_page(browser)
            browser_log_in(page, web.url, "olga", "falsch-falsch")
            assert "Benutzername oder Passwort falsch" in page.locator("[role=alert]").inner_text()


def test_the_live_page_follows_a_truck_its_sale_and_its_going_offline(tmp_path, sqlite_hub):
    from truck.devices.gps.fix import Fix

    add_user(sqlite_hub, "olga", "operator")
    with LocalBroker(tmp_path / "broker") as broker:
        config = hub_settings(sqlite_hub, broker.port, tour_running_today(tmp_path))
        truck = truck_config(tmp_path / "truck", port=broker.port)
        with IngestThread(sqlite_hub, broker.port), WebThread(config) as web, chromium() as b:
            page = new_page(b)
            browser_log_in(page, web.url, "olga")
            page.goto(f"{web.url}/live")
            page.wait_for_selector("body[data-live=ready]")
            # the tour's stops are on the map, none visited yet
            page.wait_for_selector("[data-stop='T01/gimte'][data-visited=no]", state="attached")
            page.evaluate("window.notReloaded = true")

            with SyncThread(truck) as agent:
                agent.sync.position(Fix(wall_clock(), 51.4230, 9.6540, 0.0, 0.0, 3))
                marker = page.wait_for_selector("[data-truck=T01][data-lat='51.42300']")
                agent.sync.position(Fix(wall_clock(), 51.4441, 9.6602, 8.0, 0.0, 3))
                page.wait_for_selector("[data-truck=T01][data-lat='51.44410']")
                assert marker.get_attribute("data-lon") == "9.66020"  # the same marker moved

                page.wait_for_selector("#fleet tr[data-truck=T01] .state-online")
                arrive_at_gimte(truck)  # what the agent journals when GPS says it is there
                page.wait_for_selector(
                    "[data-stop='T01/gimte'][data-visited=yes]", state="attached"
                )
                assert (
                    "Gimte, Dorfgemeinschaftshaus"
                    in page.locator("#fleet tr[data-truck=T01]").inner_text()
                )
                sold = sell(truck, 1)
                sale = page.wait_for_selector("#sales li[data-truck=T01]")
                total = f"{sold.total / 100:.2f}".replace(".", ",")
                assert total in sale.inner_text()
                page.wait_for_selector(f"#turnover .row:has-text('{total}')")
                page.wait_for_selector(f"#turnover-trucks .row[data-truck=T01]:has-text('{total}')")
                assert total in page.locator("#fleet tr[data-truck=T01]").inner_text()

            # the agent stopped: the truck said it is offline, and the page warns
            alert = page.wait_for_selector("#alerts li[data-kind=offline]")
            assert "Wagen T01 offline seit" in alert.inner_text()
            page.wait_for_selector("#fleet tr[data-truck=T01] .state-offline")
            assert page.evaluate("window.notReloaded") is True


class TileServer:
    """A map tile server on loopback: the same small grey tile for every address, and a count
    of what was asked for (the hub's config names the server; the page loads from it)."""

    def __init__(self) -> None:
        import base64
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        tile = base64.b64decode(  # a 1×1 grey PNG
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg=="
        )
        asked: list[str] = []

        class Tiles(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                asked.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(tile)))
                self.end_headers()
                self.wfile.write(tile)

            def log_message(self, *_: object) -> None:
                return None

        self.asked = asked
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
        self.url = f"http://127.0.0.1:{self.server.server_port}/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_map_loads_tiles_from_the_configured_server_and_none_elsewhere(tmp_path, sqlite_hub):
    """The tile server is the config's; the page's content security policy admits it (and
    only it) for images, and the map shows its tiles instead of the hint that there are none."""
    from dataclasses import replace

    add_user(sqlite_hub, "olga", "operator")
    with LocalBroker(tmp_path / "broker") as broker, TileServer() as tiles:
        config = hub_settings(sqlite_hub, broker.port, tour_running_today(tmp_path))
        config = replace(config, web=replace(config.web, tile_url=tiles.url))
        with WebThread(config) as web, chromium() as browser:
            page = new_page(browser)
            browser_log_in(page, web.url, "olga")
            answer = page.goto(f"{web.url}/live")
            assert answer is not None
            origin = tiles.url.split("/{z}")[0]
            assert f"img-src 'self' data: {origin};" in answer.headers["content-security-policy"]
            page.wait_for_selector("img.leaflet-tile-loaded", state="attached")
            assert page.locator("#no-tiles").is_hidden()
            assert tiles.asked and all(path.endswith(".png") for path in tiles.asked)
