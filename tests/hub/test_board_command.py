"""``tourkasse hub board``: the operator hands out a stop's board link on the command line,
renews it (the old one then opens nothing), and sees what every board says today."""

from __future__ import annotations

import pytest

from hub.cli import main
from hub.store import open_store
from tests.hub.test_figures_commands import run, write_config


@pytest.fixture(autouse=True)
def hub_store(hub_url):
    """The hub's store is there (the commands refuse to make an empty one)."""
    with open_store(hub_url):
        pass


def test_a_link_is_made_once_and_renewed_on_request(tmp_path, hub_url, capsys):
    config = str(write_config(tmp_path, hub_url))
    code, first, _ = run(capsys, "board", "link", "hemeln", "--config", config)
    assert code == 0 and first.startswith("http://127.0.0.1:8080/tafel/")
    token = first.strip().rsplit("/", 1)[1]
    assert len(token) >= 24
    assert run(capsys, "board", "link", "hemeln", "--config", config)[1] == first
    code, renewed, _ = run(
        capsys, "board", "link", "hemeln", "--renew", "--base-url", "https://laden.example/",
        "--config", config,
    )  # fmt: skip
    assert code == 0 and renewed.startswith("https://laden.example/tafel/")
    with open_store(hub_url) as store:
        assert store.board_links.stop_for(token) is None
        assert store.board_links.stop_for(renewed.strip().rsplit("/", 1)[1]) == "hemeln"


def test_an_unknown_stop_is_refused_naming_the_known_ones(tmp_path, hub_url, capsys):
    config = str(write_config(tmp_path, hub_url))
    code, out, err = run(capsys, "board", "link", "nirgends", "--config", config)
    assert code == 2 and out == ""
    assert "Unbekannter Halt 'nirgends'" in err and "hemeln" in err


def test_the_list_names_every_stop_with_its_link_and_todays_word(tmp_path, hub_url, capsys):
    config = str(write_config(tmp_path, hub_url))
    run(capsys, "board", "link", "rehberg", "--config", config)
    code, out, _ = run(capsys, "board", "list", "--config", config)
    rows = out.splitlines()
    stops = {
        line.split()[0]: (line, said.strip())
        for line, said in zip(rows[::2], rows[1::2], strict=True)
    }
    assert code == 0 and len(rows) == 16 and len(stops) == 8
    line, said = stops["rehberg"]
    assert "/tafel/" in line and "Seniorenzentrum Am Rehberg" in line
    assert said.startswith(("kommt", "laut Fahrplan", "heute kein Besuch"))
    assert "(noch kein Link)" in stops["gimte"][0]


def test_without_a_tour_plan_it_says_what_is_missing(tmp_path, hub_url, capsys):
    config = str(write_config(tmp_path, hub_url, tours=False))
    assert main(["board", "list", "--config", config]) == 2
    assert "keinen Tourplan" in capsys.readouterr().err
