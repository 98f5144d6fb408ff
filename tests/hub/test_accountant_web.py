"""The accountant's pages, downloads and JSON API, with the hand-computed journals (both stores):
what the page shows, what each download holds, receipts found and shown as printed, and API
tokens that read the API and nothing else."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from hub import access
from hub.config import AccountingSettings, HubConfig, StoreSettings
from hub.store import open_store
from hub.web import accounts_pages
from hub.web.app import create_app
from tests.support.accountant_days import store_days
from tests.support.web import add_user, log_in

NOVEMBER = {"from": "2026-11-24", "to": "2026-11-25"}


@pytest.fixture
def app(hub_url):
    store_days(hub_url)
    add_user(hub_url, "anton", "accountant")
    add_user(hub_url, "olga", "operator")
    config = HubConfig(
        store=StoreSettings(url=hub_url), accounting=AccountingSettings(adviser=29098, client=7)
    )
    return create_app(config, live_events=False)


@pytest.fixture
def accountant(app) -> TestClient:
    client = TestClient(app)
    log_in(client, "anton")
    return client


def token_for(hub_url: str, name: str, label: str = "Abruf") -> str:
    with open_store(hub_url) as store:
        return access.new_api_token(store.users, name, label, datetime.now(UTC))


def test_the_page_shows_sums_closings_and_card_totals(accountant):
    page = accountant.get("/accounts", params=NOVEMBER)
    assert page.status_code == 200
    text = page.text
    assert "Tagessummen und Abschlüsse 24.11.2026 bis 25.11.2026" in text
    # the period's total per rate (net, VAT, gross): 19 % 14,75 + 2,80 = 17,55 €,
    # 7 % 15,57 + 1,09 = 16,66 €; cash 8,93 €, card 25,28 € (34,21 € in all)
    total = text[text.index('id="period-total"') :].split("</tr>")[0]
    cells = [cell.split("<")[0] for cell in total.split('<td class="n">')[1:]]
    nineteen, seven = ["14,75 €", "2,80 €", "17,55 €"], ["15,57 €", "1,09 €", "16,66 €"]
    assert cells == ["7", *nineteen, *seven, "8,93 €", "25,28 €"]
    # one row per day and truck; a truck chosen, one row per day and stop
    rows = text[text.index('id="daily-sums"') :].split("</table>")[0].count("<tr>")
    assert rows == 2 + 3  # two header rows; T01 Tue, T02 Tue, T01 Wed
    stops = accountant.get("/accounts", params={**NOVEMBER, "truck": "T01"}).text
    assert (
        "Tagessummen je Halt" in stops
        and "hemeln" in stops
        and "T02" not in stops.split('id="daily-sums"')[1].split("</table>")[0]
    )
    closings = text[text.index('id="closings"') :].split("</table>")[0]
    assert "52,90 €" in closings and "52,94 €" in closings and "-0,04 €" in closings
    cards = text[text.index('id="card-totals"') :].split("</table>")[0]
    assert "16,41 €" in cards and "8,87 €" in cards
    assert "Nicht im Umsatz: 1 Trainingsbon (4,20 €), 1 abgebrochener Bon" in text


def test_each_download_holds_what_the_command_line_writes(accountant):
    csv_file = accountant.get("/accounts/export", params={**NOVEMBER, "format": "csv"})
    assert csv_file.status_code == 200
    assert "attachment" in csv_file.headers["content-disposition"]
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 4  # T01 gimte and hemeln on Tuesday, gimte on Wednesday; T02

    datev = accountant.get("/accounts/export", params={**NOVEMBER, "format": "datev"})
    assert datev.status_code == 200
    lines = datev.content.decode("cp1252").split("\r\n")
    assert lines[0].startswith('"EXTF";700;21;"Buchungsstapel";13;')
    assert lines[0].split(";")[10:12] == ["29098", "7"]
    assert len(lines) == 2 + 12 + 1  # header, columns, 12 bookings, the last line's end

    pdf = accountant.get("/accounts/export", params={**NOVEMBER, "format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Summe 7 17,55 16,66" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()

    data = accountant.get("/accounts/export", params={**NOVEMBER, "format": "json"}).json()
    assert data["turnover"] == 3421 and data["payments"] == {"card": 2528, "cash": 893}


def test_datev_over_two_fiscal_years_comes_as_a_zip(hub_url):
    store_days(hub_url)
    add_user(hub_url, "anna", "accountant")
    config = HubConfig(
        store=StoreSettings(url=hub_url),
        accounting=AccountingSettings(fiscal_year_start="11-25"),
    )
    client = TestClient(create_app(config, live_events=False))
    log_in(client, "anna")
    answer = client.get("/accounts/export", params={**NOVEMBER, "format": "datev"})
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.namelist() == [
            "EXTF_Buchungsstapel_20261124-20261124.csv",
            "EXTF_Buchungsstapel_20261125-20261125.csv",
        ]


def test_receipts_are_found_by_number_date_and_amount_and_shown_as_printed(accountant):
    found = accountant.get(
        "/accounts/receipts", params={"truck": "T01", "number": "7", "from": "2026-11-24"}
    )
    assert found.status_code == 200
    assert "Gefunden: 1" in found.text
    assert "*** STORNO ZU BON 2 ***" in found.text  # the void, as the customer got it
    assert "Landbrot" in found.text and "Haltestelle: gimte" in found.text
    # the head as the closing's master data names company and till
    assert "Rollender Laden Wesertal" in found.text and "Kasse TK-T01-0001" in found.text

    by_amount = accountant.get(
        "/accounts/receipts", params={"amount": "16,41", "from": "2026-11-24", "to": "2026-11-25"}
    )
    assert "Gefunden: 1" in by_amount.text and "T02 · Bon 1" in by_amount.text
    assert "Verkaufswagen T02" in by_amount.text  # T02 has closed no day: its name alone

    wrong = accountant.get("/accounts/receipts", params={"amount": "zwölf", "from": "2026-11-24"})
    assert wrong.status_code == 422
    assert "„zwölf“ ist kein Geldbetrag" in wrong.text


def test_a_search_finding_more_than_is_shown_says_so(accountant, monkeypatch):
    period = {"from": "2026-11-24", "to": "2026-11-25"}
    everything = accountant.get("/accounts/receipts", params=period)
    assert "Es gibt mehr Treffer" not in everything.text
    monkeypatch.setattr(accounts_pages, "MOST", everything.text.count('class="receipt"') - 1)
    cut = accountant.get("/accounts/receipts", params=period)
    assert "Es gibt mehr Treffer; gezeigt werden die ersten" in cut.text
    assert cut.text.count('class="receipt"') == accounts_pages.MOST


def test_the_cash_book_page_and_its_csv(accountant):
    page = accountant.get(
        "/accounts/cashbook", params={"truck": "T01", "from": "2026-11-25", "to": "2026-11-25"}
    )
    assert page.status_code == 200
    book = page.text[page.text.index('id="cash-book"') :]
    assert "52,90 €" in book and "Privatentnahme: Einkauf" in book and "38,89 €" in book
    download = accountant.get(
        "/accounts/cashbook",
        params={"truck": "T01", "from": "2026-11-24", "to": "2026-11-24", "format": "csv"},
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Datum", "Uhrzeit", "Beleg", "Text", "Einnahme", "Ausgabe", "Bestand"]
    assert rows[-1][2:] == ["Z 1", rows[-1][3], "", "0,04", "52,90"]


def test_bad_periods_are_refused_in_words(accountant):
    page = accountant.get("/accounts", params={"from": "2026-11-25", "to": "2026-11-24"})
    assert page.status_code == 422
    assert "endet (24.11.2026) vor seinem Beginn (25.11.2026)" in page.text
    download = accountant.get(
        "/accounts/export", params={"format": "csv", "from": "2026-11-25", "to": "2026-11-24"}
    )  # a download link with a period typed into the address: the page says why, not JSON
    assert download.status_code == 422
    assert download.headers["content-type"].startswith("text/html")
    assert "endet (24.11.2026) vor seinem Beginn (25.11.2026)" in download.text
    api = accountant.get("/api/accounts/daily", params={"from": "2026-11-24", "to": "gestern"})
    assert api.status_code == 422
    unknown = accountant.get("/api/accounts/daily", params={**NOVEMBER, "truck": "T99"})
    assert unknown.status_code == 422 and "„T99“" in unknown.json()["detail"]


def test_an_api_token_reads_the_api_with_its_users_roles_and_nothing_else(app, hub_url):
    token = token_for(hub_url, "anton")
    tool = TestClient(app)  # no session: only the token
    bearer = {"Authorization": f"Bearer {token}"}
    daily = tool.get("/api/accounts/daily", params=NOVEMBER, headers=bearer)
    assert daily.status_code == 200
    assert daily.json()["turnover"] == 3421
    receipts = tool.get(
        "/api/accounts/receipts", params={**NOVEMBER, "number": 3, "truck": "T01"}, headers=bearer
    ).json()
    assert [(r["number"], r["total"]) for r in receipts] == [(3, 687)]
    book = tool.get(
        "/api/accounts/cashbook", params={**NOVEMBER, "truck": "T01"}, headers=bearer
    ).json()
    assert book["closing_balance"] == 3889
    # no page, no form, no route of another role
    assert tool.get("/accounts", headers=bearer, follow_redirects=False).status_code == 303
    assert tool.post("/logout", headers=bearer, follow_redirects=False).status_code in (303, 401)
    assert tool.get("/api/trucks", headers=bearer).status_code == 403
    # a wrong or revoked token opens nothing
    wrong = {"Authorization": f"Bearer {token[:-2]}xx"}
    assert tool.get("/api/accounts/daily", params=NOVEMBER, headers=wrong).status_code == 401
    with open_store(hub_url) as store:
        assert store.users.revoke_token("anton", "Abruf")
        assert store.users.tokens() == []
    assert tool.get("/api/accounts/daily", params=NOVEMBER, headers=bearer).status_code == 401


def test_an_operators_token_does_not_read_the_accounts(app, hub_url):
    token = token_for(hub_url, "olga")
    answer = TestClient(app).get(
        "/api/accounts/daily", params=NOVEMBER, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403


def test_the_openapi_description_names_the_accountants_routes(accountant):
    paths = accountant.get("/api/openapi.json").json()["paths"]
    for path in ("/api/accounts/daily", "/api/accounts/cashbook", "/api/accounts/receipts"):
        assert "get" in paths[path]


def test_the_dsfinvk_download_is_the_hubs_export_of_the_closings(accountant, hub_url, tmp_path):
    from hub.cli import main

    answer = accountant.get("/accounts/dsfinvk", params={"truck": "T01", **NOVEMBER})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = set(archive.namelist())
        assert {"index.xml", "gdpdu-01-09-2004.dtd", "transactions.csv", "references.csv"} <= names
        closings = archive.read("cashpointclosing.csv").decode("utf-8").splitlines()
        assert len(closings) == 1 + 2  # the header and the two closings, Z 1 and Z 2
    # byte for byte what the command line writes
    config = tmp_path / "hub.toml"
    config.write_text(f'[store]\nurl = "{hub_url}"\n', encoding="utf-8")
    out = tmp_path / "t01.zip"
    assert main(["export", "dsfinvk", "--truck", "T01", "--from", "2026-11-24", "--to",
                 "2026-11-25", "--out", str(out), "--config", str(config)]) == 0  # fmt: skip
    assert out.read_bytes() == answer.content
    refused = accountant.get("/accounts/dsfinvk", params={"truck": "T02", **NOVEMBER})
    assert refused.status_code == 422  # the page again, saying why, not bare JSON
    assert refused.headers["content-type"].startswith("text/html")
    assert 'role="alert">Das Journal enthält noch keinen Tagesabschluss' in refused.text
