"""Must show: the wholesaler's CSV is previewed with every refused row and its reason, taken
over only when the operator says so; articles are edited with a price from a date; every
change is kept with who and when; the list the trucks get is exactly what a truck accepts,
versioned at the broker, and a price change that becomes due is pushed on its day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from hub.broker import LocalBroker
from hub.catalogue import office
from hub.catalogue.article_csv import CsvError, read_csv
from hub.config import HubConfig, MqttSettings, StoreSettings
from hub.downloads import retained_version
from hub.store import open_store
from hub.web.app import create_app
from tests.support.web import add_user, csrf_of, log_in
from tourkasse.article_list import parse_article_list

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

WHOLESALER = """Artikelnummer;Bezeichnung;Preis;MwSt;Warengruppe;Einheit;EAN;Pfand;Pfandartikel
1001;Landbrot 1000 g;4,20;7;Brot;Stück;4006381001014;;
2001;Frischmilch 3,5 % 1 l;1,19;7 %;Molkerei;St;;;
4001;Äpfel Elstar;2,99;7;Obst;kg;;;
5001;Apfelsaft 1 l;1,89;19;Getränke;Stück;;9001;
9001;Pfand Flasche;0,15;19;Pfand;Stück;;;ja
""".encode()


def rows_of(text: str):
    return read_csv(text.encode())


@pytest.fixture
def store(hub_url):
    with open_store(hub_url) as opened:
        office.apply_import(opened, read_csv(WHOLESALER), "olga", NOW, TODAY)
        yield opened


def test_a_clean_csv_is_taken_over_and_gives_a_list_every_truck_accepts(store):
    text, summary = office.article_list(store, TODAY)
    parsed = parse_article_list(text, "test")
    assert {a.number: a.price for a in parsed.articles} == {
        "1001": 420,
        "2001": 119,
        "4001": 299,
        "5001": 189,
        "9001": 15,
    }
    assert summary == "5 Artikel, Preise vom 25.11.2026"
    apples = next(a for a in parsed.articles if a.number == "4001")
    assert apples.unit.value == "kg"
    assert [h.what for h in store.catalogue.history()] == ["Import: neu"] * 5
    assert {h.by for h in store.catalogue.history()} == {"olga"}


def test_the_preview_names_every_refused_row_and_why(store):
    csv = """Art.-Nr.;Bezeichnung;VK;USt;Warengruppe;EAN;Pfand
1001;Landbrot 1000 g;4,50;7;Brot;4006381001014;
1002;Brötchen;0,45;7;Brot;;
1003;Roggenbrot;vier;7;Brot;;
1004;Baguette;1,99;16;Brot;;
1005;;1,00;7;Brot;;
1006;Toast;1,49;7;Brot;4006381001015;
1002;Brötchen doppelt;0,45;7;Brot;;
5002;Cola 1 l;1,49;19;Getränke;;9999
2001;Frischmilch 3,5 % 1 l;1,19;7;Molkerei;;
"""
    result = office.preview(store, rows_of(csv), TODAY)
    assert [r.values["number"] for r in result.new] == ["1002"]
    assert [(r.values["number"], d) for r, d in result.changed] == [
        ("1001", {"price": ("4,20", "4,50")})
    ]
    assert [r.values["number"] for r in result.unchanged] == ["2001"]
    refused = {row.line: "; ".join(row.problems) for row in result.refused}
    assert set(refused) == {4, 5, 6, 7, 8, 9}
    assert "vier" in refused[4]
    assert "19, 7, 0, gefunden 16" in refused[5]
    assert "name: leer" in refused[6]
    assert "keine gültige EAN-13" in refused[7]
    assert "Artikelnummer 1002 schon in Zeile 3" in refused[8]
    assert "Pfandartikel 9999 fehlt" in refused[9]
    # nothing changed by looking
    assert office.effective(store, TODAY)["1001"]["price"] == "4,20"


def test_a_file_that_is_no_article_list_is_refused_as_a_whole():
    with pytest.raises(CsvError, match="Spalte\\(n\\) fehlen: price, vat"):
        read_csv(b"Artikelnummer;Bezeichnung;Warengruppe\n1;x;y\n")
    with pytest.raises(CsvError, match="leer"):
        read_csv(b"")


def test_windows_1252_and_commas_are_read_too(store):
    csv = 'Artikelnummer,Bezeichnung,Preis,MwSt,Warengruppe\n1002,Brötchen,"0,45",7,Brot\n'
    [row] = read_csv(csv.encode("cp1252"))
    assert row.values["name"] == "Brötchen" and row.values["price"] == "0,45"
    assert not row.problems


def test_taking_over_an_import_changes_prices_from_today_and_keeps_who_and_when(store):
    csv = "Artikelnummer;Bezeichnung;Preis;MwSt;Warengruppe;Einheit;EAN\n"
    csv += "1001;Landbrot 1000 g;4,50;7;Brot;Stück;4006381001014\n1003;Roggen;kaputt;7;Brot;;\n"
    later = NOW + timedelta(hours=1)
    result = office.apply_import(store, rows_of(csv), "paul", later, TODAY)
    assert (len(result.changed), len(result.refused)) == (1, 1)
    assert office.effective(store, TODAY)["1001"]["price"] == "4,50"
    assert office.effective(store, TODAY - timedelta(days=1))["1001"]["price"] == "4,20"
    change = store.catalogue.history("1001")[0]
    assert (change.by, change.at, change.what) == ("paul", later, "Import: geändert")
    assert (change.before["price"], change.after["price"]) == ("4,20", "4,50")
    assert "1003" not in office.effective(store, TODAY)


def test_a_price_for_a_later_date_waits_for_that_date(store):
    friday = TODAY + timedelta(days=2)
    fields = {"price": "4,60"}
    assert office.edit(store, "1001", fields, friday, "olga", NOW, TODAY) == []
    assert office.effective(store, TODAY)["1001"]["price"] == "4,20"
    assert office.effective(store, friday)["1001"]["price"] == "4,60"
    assert store.catalogue.history("1001")[0].what == "Preis ab 27.11.2026"
    problems = office.edit(store, "1001", {"price": "-1,00"}, TODAY, "olga", NOW, TODAY)
    assert problems and "negativ" in problems[0]
    assert office.edit(store, "1001", {"price": "4,70"}, TODAY - timedelta(days=1), "o", NOW, TODAY)


def test_pushing_sends_a_new_version_and_a_due_price_change_is_pushed_on_its_day(store, tmp_path):
    with LocalBroker(tmp_path / "broker") as broker:
        settings = MqttSettings(host="127.0.0.1", port=broker.port, client_id="office-test")
        assert office.push_if_due(store, settings, NOW, TODAY) is None  # never the first push
        first = office.push(store, settings, "olga", NOW, TODAY)
        assert first.download.version == 1
        assert "Landbrot" in first.download.content and '"4,20"' in first.download.content
        friday = TODAY + timedelta(days=2)
        office.edit(store, "1001", {"price": "4,60"}, friday, "olga", NOW, TODAY)
        assert office.push_if_due(store, settings, NOW, TODAY + timedelta(days=1)) is None
        due = office.push_if_due(store, settings, NOW, friday)
        assert due is not None and due.download.version == 2
        assert '"4,60"' in due.download.content
        assert retained_version(settings, "articles") == 2
        assert office.push_if_due(store, settings, NOW, friday) is None  # once
        [latest, _] = store.catalogue.pushes("articles")
        assert (latest.version, latest.by, latest.prices_as_of) == (2, "automatisch", friday)


def test_the_article_pages_import_edit_and_refuse_without_a_token(hub_url):
    add_user(hub_url, "olga", "operator")
    app = create_app(HubConfig(store=StoreSettings(url=hub_url)), live_events=False)
    client = TestClient(app)
    log_in(client, "olga")
    token = csrf_of(client.get("/articles").text)
    upload = {"file": ("liste.csv", WHOLESALER, "text/csv")}
    assert client.post("/articles/import", files=upload).status_code == 403  # no CSRF token
    preview = client.post("/articles/import", files=upload, data={"csrf": token})
    assert preview.status_code == 200 and "5 neu, 0 geändert" in preview.text
    with open_store(hub_url) as store:
        assert office.effective(store, TODAY) == {}  # a preview changes nothing
    action = preview.text.split('action="/articles/import/')[1].split('"')[0]
    done = client.post(f"/articles/import/{action}", data={"csrf": token})
    assert "5 neu" in done.text and "Landbrot" in done.text
    again = client.post(f"/articles/import/{action}", data={"csrf": token})
    assert again.status_code == 409  # a preview is taken over once
    form = {"csrf": token, "name": "Landbrot 1000 g", "price": "4,90", "vat": "7",
            "group": "Brot", "unit": "piece", "allergens": ""}  # fmt: skip
    saved = client.post("/articles/1001", data=form)
    assert saved.status_code == 200 and "Artikel 1001 gespeichert" in saved.text
    assert "4,90 €" in saved.text
    wrong = client.post("/articles/1001", data={**form, "price": "viel"})
    assert wrong.status_code == 422 and "viel" in wrong.text
    history = client.get("/articles/1001").text
    assert "olga" in history and "Preis" in history


def test_the_example_article_list_with_its_department_keys_comes_in_whole(hub_url):
    from hub.catalogue.article_csv import read_article_file
    from tests.conftest import EXAMPLE_ARTICLES

    rows, departments = read_article_file("articles.toml", EXAMPLE_ARTICLES.read_bytes())
    with open_store(hub_url) as store:
        result = office.apply_import(store, rows, "olga", NOW, TODAY, departments)
        assert not result.refused
        text, _ = office.article_list(store, TODAY)
    pushed = parse_article_list(text, "test")
    original = parse_article_list(EXAMPLE_ARTICLES.read_text(encoding="utf-8"), "example")
    # every article and department key, as the file had them (ordered by number and key)
    assert pushed.articles == tuple(sorted(original.articles, key=lambda a: a.number))
    assert set(pushed.departments) == set(original.departments)


@pytest.mark.slow
def test_a_price_for_a_date_reaches_a_running_truck_and_its_till_on_that_day(tmp_path):
    """The web process looks once a minute (due_prices.check_once): on the day a price takes
    effect the list goes out again, and the running truck's till takes it over."""
    from hub.web.due_prices import check_once
    from tests.support.fleet import SyncThread, truck_config, wall_clock
    from tests.support.waiting import eventually
    from truck.config import load_truck_config
    from truck.devices.scale.simulated import SimulatedScale
    from truck.fiscal.software_tse import SoftwareTse
    from truck.pos.start import start_session
    from truck.store import articles

    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    with LocalBroker(tmp_path / "broker") as broker:
        mqtt = MqttSettings(host="127.0.0.1", port=broker.port, client_id="office-test")
        config = HubConfig(store=StoreSettings(url=url), mqtt=mqtt)
        with open_store(url) as store:
            office.apply_import(store, read_csv(WHOLESALER), "olga", NOW, TODAY)
            office.push(store, mqtt, "olga", NOW, TODAY)
            friday = TODAY + timedelta(days=2)
            office.edit(store, "1001", {"price": "4,60"}, friday, "olga", NOW, TODAY)
        truck_path = truck_config(tmp_path / "truck", port=broker.port)
        truck = load_truck_config(truck_path)
        SoftwareTse(truck.paths.tse, create=True).close()
        till = start_session(truck, clock=wall_clock, scale=SimulatedScale())
        try:
            with SyncThread(truck_path):

                def till_takes(version: int) -> bool:
                    said = till.take_downloads()
                    return any(f"Version {version}" in line for line in said)

                eventually(lambda: till_takes(1), timeout=20, what="die Kasse hat Version 1")
                assert articles.by_number(till.opened.db, "1001").price == 420

                def stores():
                    return open_store(url)

                thursday = NOW + timedelta(days=1)
                assert check_once(config, stores, thursday) is None  # not due yet
                said = check_once(config, stores, NOW + timedelta(days=2))
                assert said is not None and "Version 2" in said
                eventually(lambda: till_takes(2), timeout=20, what="die Kasse hat Version 2")
                assert articles.by_number(till.opened.db, "1001").price == 460
                assert check_once(config, stores, NOW + timedelta(days=2)) is None  # once
        finally:
            till.opened.close()
