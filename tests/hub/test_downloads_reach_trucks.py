"""Articles and tours the office publishes reach a running truck's agent through the broker,
and are kept there until the till takes them over between receipts."""

from __future__ import annotations

from hub.broker import LocalBroker
from hub.config import MqttSettings
from hub.downloads import publish_file
from tests.conftest import EXAMPLE_ARTICLES, EXAMPLE_TOUR
from tests.support.fleet import SyncThread, truck_config
from tests.support.waiting import eventually
from truck.config import load_truck_config
from truck.store import downloads
from truck.store.database import open_database


def test_published_articles_and_tours_arrive_at_the_truck_as_pending_versions(tmp_path):
    with LocalBroker(tmp_path / "broker") as broker:
        settings = MqttSettings(port=broker.port, client_id="office")
        config = truck_config(tmp_path / "truck", port=broker.port)
        db = open_database(load_truck_config(config).paths.journal)
        try:
            publish_file(settings, "articles", EXAMPLE_ARTICLES)  # retained: waits for the truck
            with SyncThread(config) as agent:
                eventually(
                    lambda: downloads.pending(db, "articles"),
                    timeout=20,
                    what="Artikelliste beim Wagen",
                )
                publish_file(settings, "tours", EXAMPLE_TOUR)
                publish_file(settings, "articles", EXAMPLE_ARTICLES)
                eventually(
                    lambda: (found := downloads.pending(db, "articles")) and found.version == 2,
                    timeout=20,
                    what="Artikelliste Version 2 beim Wagen",
                )
                eventually(
                    lambda: downloads.pending(db, "tours"), timeout=20, what="Touren beim Wagen"
                )
            assert any("Artikelliste" in line for line in agent.lines)
        finally:
            db.close()
