"""``tourkasse hub publish articles|tours`` against a real Mosquitto: checked, versioned, retained.

What the broker holds is read as a truck would: subscribe, and the retained message comes first.
"Nothing retained" is proved with a barrier, never a pause: after subscribing, a marker is sent
to a topic of our own; the broker keeps the order, so once the marker is back, a retained
message would have been too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.broker import LocalBroker, free_port
from hub.cli import main
from tests.conftest import EXAMPLE_ARTICLES, EXAMPLE_TOUR
from tests.support.retained import retained_download
from tourkasse.article_list import load_article_list
from tourkasse.protocol import Download, fleet_topic


def hub_config(tmp_path: Path, port: int, *, username: str = "hub", password: str = "") -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(
        f'[mqtt]\nhost = "127.0.0.1"\nport = {port}\nusername = "{username}"\n'
        f'password = "{password}"\n',
        encoding="utf-8",
    )
    return path


def retained(port: int, kind: str, **login: str) -> Download | None:
    return retained_download(port, fleet_topic(kind), **login)


@pytest.fixture
def broker(tmp_path: Path):
    with LocalBroker(tmp_path / "broker") as broker:
        yield broker


def test_each_publish_is_the_next_version_retained_for_every_truck(broker, tmp_path, capsys):
    config = hub_config(tmp_path, broker.port)
    count = len(load_article_list(EXAMPLE_ARTICLES).articles)
    assert retained(broker.port, "articles") is None

    assert main(["publish", "articles", str(EXAMPLE_ARTICLES), "--config", str(config)]) == 0
    assert capsys.readouterr().out.startswith(
        f"Artikelliste Version 1 veröffentlicht ({count} Artikel"
    )
    first = retained(broker.port, "articles")
    assert (first.kind, first.version) == ("articles", 1)
    assert first.content == EXAMPLE_ARTICLES.read_text(encoding="utf-8")

    assert main(["publish", "articles", str(EXAMPLE_ARTICLES), "--config", str(config)]) == 0
    assert "Artikelliste Version 2 veröffentlicht" in capsys.readouterr().out
    assert retained(broker.port, "articles").version == 2
    assert first.published_at <= retained(broker.port, "articles").published_at


def test_tours_are_versioned_on_their_own(broker, tmp_path, capsys):
    config = hub_config(tmp_path, broker.port)
    main(["publish", "articles", str(EXAMPLE_ARTICLES), "--config", str(config)])
    main(["publish", "articles", str(EXAMPLE_ARTICLES), "--config", str(config)])
    assert main(["publish", "tours", str(EXAMPLE_TOUR), "--config", str(config)]) == 0
    assert "Tourplan Version 1 veröffentlicht (" in capsys.readouterr().out
    tours = retained(broker.port, "tours")
    assert (tours.kind, tours.version) == ("tours", 1)
    assert tours.content == EXAMPLE_TOUR.read_text(encoding="utf-8")


def test_a_broken_file_is_refused_with_the_loaders_reasons_and_nothing_is_published(
    broker, tmp_path, capsys
):
    config = hub_config(tmp_path, broker.port)
    assert main(["publish", "articles", str(EXAMPLE_ARTICLES), "--config", str(config)]) == 0
    broken = tmp_path / "articles.toml"
    text = EXAMPLE_ARTICLES.read_text(encoding="utf-8")
    broken.write_text(text.replace('price = "4,20"', 'price = "vier Euro"'), encoding="utf-8")
    capsys.readouterr()

    assert main(["publish", "articles", str(broken), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "nichts veröffentlicht" in err
    assert f"{broken}: article[0].price: " in err and "vier Euro" in err
    assert retained(broker.port, "articles").version == 1  # the good one is still there
    assert main(["publish", "tours", str(tmp_path / "fehlt.toml"), "--config", str(config)]) == 2
    assert "Datei nicht gefunden" in capsys.readouterr().err
    assert retained(broker.port, "tours") is None


def test_an_unreachable_broker_is_said_plainly(tmp_path, capsys):
    config = hub_config(tmp_path, free_port())  # nobody listens there
    assert main(["publish", "articles", str(EXAMPLE_ARTICLES), "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Nicht veröffentlicht: MQTT-Broker 127.0.0.1:")
    assert "nicht erreichbar" in err


def test_the_hubs_login_is_used_and_a_refusal_by_the_broker_is_not_taken_for_success(
    tmp_path, capsys
):
    from hub.broker import BrokerSecurity

    security = BrokerSecurity.write(
        tmp_path / "auth", trucks={"T01": "wagen"}, hub={"hub": "zentrale"}
    )
    with LocalBroker(tmp_path / "broker", security=security) as broker:
        good = hub_config(tmp_path, broker.hub_port, password="zentrale")
        assert main(["publish", "articles", str(EXAMPLE_ARTICLES), "--config", str(good)]) == 0
        login = {"username": "hub", "password": "zentrale"}
        assert retained(broker.hub_port, "articles", **login).version == 1

        wrong = hub_config(tmp_path, broker.hub_port, password="falsch")
        assert main(["publish", "articles", str(EXAMPLE_ARTICLES), "--config", str(wrong)]) == 1
        assert "lehnt die Anmeldung ab" in capsys.readouterr().err

        # a truck's login may read the fleet's data but not write: MQTT 5 says "not authorized"
        truck = hub_config(tmp_path, broker.port, username="T01", password="wagen")
        assert main(["publish", "articles", str(EXAMPLE_ARTICLES), "--config", str(truck)]) == 1
        assert "lehnt die" in capsys.readouterr().err
        assert retained(broker.hub_port, "articles", **login).version == 1
