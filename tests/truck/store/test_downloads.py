"""Downloads on the truck, on a real SQLite file: kept, ignored, refused, applied as a whole."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import EXAMPLE_ARTICLES, EXAMPLE_TOUR
from tourkasse.protocol import Download
from truck.store import articles, downloads
from truck.store.database import open_database

ARTICLES = EXAMPLE_ARTICLES.read_text(encoding="utf-8")
DEARER_BREAD = ARTICLES.replace('price = "4,20"', 'price = "4,50"')
TOURS = EXAMPLE_TOUR.read_text(encoding="utf-8")
PUBLISHED = "2026-11-24T06:00:00+00:00"


def articles_download(version: int, content: str = DEARER_BREAD) -> Download:
    return Download("articles", version, PUBLISHED, content)


@pytest.fixture
def db(till_parts):
    db, _ = till_parts  # the example article list, on a real file
    return db


def rows(db) -> list[tuple]:
    return list(db.execute("SELECT kind, version, applied_at, problem FROM downloads"))


def test_a_newer_version_is_kept_as_pending_and_changes_nothing_yet(db, clock):
    said = downloads.receive(db, articles_download(4), clock=clock)
    assert (
        said
        == "Artikelliste Version 4 erhalten – wird nach dem nächsten abgeschlossenen Bon übernommen"
    )
    found = downloads.pending(db, "articles")
    assert (found.version, found.content, found.published_at) == (4, DEARER_BREAD, PUBLISHED)
    assert found.received_at == clock.now.isoformat()
    assert articles.by_number(db, "1001").price == 420  # not before the till applies it
    assert downloads.applied(db, "articles") is None


def test_the_same_or_an_older_version_is_ignored_and_says_so(db, clock):
    downloads.receive(db, articles_download(3), clock=clock)
    again = downloads.receive(db, articles_download(3, ARTICLES), clock=clock)  # retained, again
    older = downloads.receive(db, articles_download(2, ARTICLES), clock=clock)
    assert again == "Artikelliste Version 3 ignoriert – hat der Wagen schon"
    assert older == "Artikelliste Version 2 ignoriert – der Wagen hat schon Version 3"
    assert rows(db) == [("articles", 3, None, None)]
    assert downloads.pending(db, "articles").content == DEARER_BREAD
    # once applied, the same version coming back is still only "already there"
    downloads.apply_pending_articles(db, clock=clock)
    assert "ignoriert" in downloads.receive(db, articles_download(3), clock=clock)
    assert downloads.pending(db, "articles") is None


def test_a_broken_article_list_is_refused_with_the_loaders_reason_and_kept(db, clock):
    broken = ARTICLES.replace('price = "4,20"', 'price = "vier Euro"')
    said = downloads.receive(db, articles_download(5, broken), clock=clock)
    assert said.startswith("Artikelliste Version 5 abgelehnt: article[0].price: ")
    assert "vier Euro" in said
    ((kind, version, applied_at, problem),) = rows(db)
    assert (kind, version, applied_at) == ("articles", 5, None)
    assert problem == said.removeprefix("Artikelliste Version 5 abgelehnt: ")
    assert downloads.refused(db)[0].problem == problem
    assert downloads.pending(db, "articles") is None
    assert downloads.apply_pending_articles(db, clock=clock) is None
    assert articles.by_number(db, "1001").price == 420
    # the broker sends its retained copy again: still refused, and says why once more
    again = downloads.receive(db, articles_download(5, broken), clock=clock)
    assert again == f"Artikelliste Version 5 ignoriert – schon abgelehnt: {problem}"
    # the office fixes the file: the next version comes through
    assert "erhalten" in downloads.receive(db, articles_download(6), clock=clock)
    assert downloads.pending(db, "articles").version == 6


def test_not_toml_at_all_is_refused_with_the_line(db, clock):
    said = downloads.receive(db, articles_download(1, "[[article]\nnumber = 1"), clock=clock)
    assert said.startswith("Artikelliste Version 1 abgelehnt: Zeile 1: kein gültiges TOML")


def test_applying_replaces_the_whole_list_and_notes_the_version(db, clock):
    count = articles.count(db)
    downloads.receive(db, articles_download(1, ARTICLES), clock=clock)
    downloads.receive(db, articles_download(2), clock=clock)  # before the till got to version 1
    said = downloads.apply_pending_articles(db, clock=clock)
    assert said == f"Neue Artikelliste übernommen (Version 2, {count} Artikel)"
    assert articles.by_number(db, "1001").price == 450
    assert articles.by_gtin(db, "4006381001014").price == 450
    assert articles.count(db) == count
    assert downloads.applied(db, "articles").version == 2
    assert downloads.pending(db, "articles") is None  # version 1 is passed over for good
    assert downloads.apply_pending_articles(db, clock=clock) is None


def test_a_failure_halfway_through_leaves_the_old_list_and_the_download_pending(db, clock):
    count = articles.count(db)
    downloads.receive(db, articles_download(1), clock=clock)
    # the disk gives up while the new list is written: the last article cannot be inserted
    last = max(row[0] for row in db.execute("SELECT number FROM articles"))
    db.execute(
        "CREATE TRIGGER fail_late BEFORE INSERT ON articles WHEN NEW.number = "
        f"'{last}' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        downloads.apply_pending_articles(db, clock=clock)
    assert articles.count(db) == count
    assert articles.by_number(db, "1001").price == 420  # all of the old list, none of the new
    assert downloads.pending(db, "articles").version == 1
    assert downloads.applied(db, "articles") is None
    db.execute("DROP TRIGGER fail_late")
    assert downloads.apply_pending_articles(db, clock=clock).startswith(
        "Neue Artikelliste übernommen (Version 1"
    )
    assert articles.by_number(db, "1001").price == 450


def test_the_agent_keeps_it_through_its_own_connection(db, clock, tmp_path):
    agent_db = open_database(tmp_path / "journal.sqlite")  # the agent is another process
    try:
        downloads.receive(agent_db, articles_download(7), clock=clock)
    finally:
        agent_db.close()
    assert downloads.pending(db, "articles").version == 7


def test_the_tour_plan_in_use_is_the_newest_applied_download_else_the_file(db, clock):
    assert downloads.tour_plan(db, None) is None
    assert not downloads.has_tours(db, None)
    from_file = downloads.tour_plan(db, EXAMPLE_TOUR)
    assert from_file.tours[0].stops[1].name == "Volkmarshausen, Ortsmitte"
    renamed = TOURS.replace("Volkmarshausen, Ortsmitte", "Volkmarshausen, Kirche")
    said = downloads.receive(db, Download("tours", 1, PUBLISHED, renamed), clock=clock)
    assert said.startswith("Tourplan Version 1 erhalten")
    assert downloads.tour_plan(db, EXAMPLE_TOUR) == from_file  # pending: not in use yet
    applied = downloads.apply_pending_tours(db, clock=clock)
    assert applied.startswith("Neuer Tourplan übernommen (Version 1, ")
    assert downloads.tour_plan(db, EXAMPLE_TOUR).tours[0].stops[1].name == "Volkmarshausen, Kirche"
    assert downloads.tour_plan(db, None).tours[0].stops[1].name == "Volkmarshausen, Kirche"
    assert downloads.has_tours(db, None)


def test_a_broken_tour_plan_is_refused_and_the_file_stays_in_use(db, clock):
    broken = TOURS.replace('state = "', 'state = "XX', 1)
    said = downloads.receive(db, Download("tours", 1, PUBLISHED, broken), clock=clock)
    assert said.startswith("Tourplan Version 1 abgelehnt: state: erwartet ein Bundesland")
    assert downloads.apply_pending_tours(db, clock=clock) is None
    assert downloads.tour_plan(db, EXAMPLE_TOUR).state != "XX"


def test_a_sale_from_the_command_line_takes_over_what_is_pending_before_it_starts(
    tmp_path, clock, capsys
):
    from tests.conftest import example_config_text
    from tourkasse.cli import main
    from truck.config import load_truck_config

    config = tmp_path / "truck.toml"
    config.write_text(example_config_text(), encoding="utf-8")
    c = str(config)
    assert main(["truck", "articles", "import", "--config", c, str(EXAMPLE_ARTICLES)]) == 0
    assert main(["truck", "tse", "init", "--config", c]) == 0
    agent_db = open_database(load_truck_config(config).paths.journal)
    try:
        downloads.receive(agent_db, articles_download(3), clock=clock)
    finally:
        agent_db.close()
    capsys.readouterr()
    assert main(["truck", "sell", "--config", c, "4006381001014", "--cash", "5"]) == 0
    out = capsys.readouterr().out
    assert "Neue Artikelliste übernommen (Version 3" in out
    assert "SUMME                               4,50 €" in out
