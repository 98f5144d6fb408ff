"""Must show, in a real headless Chromium: the accountant logs in through the form, looks at a
period, and downloads each export (CSV, DATEV, PDF, JSON, DSFinV-K) and the cash book; each file is what
its reader expects. Then finds a void by its number and sees it as printed.

Real parts: the hub's web server (uvicorn) with its broker connection, SQLite, Chromium.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from hub.broker import LocalBroker
from hub.config import AccountingSettings
from tests.hub.test_web_live_browser import hub_settings, tour_running_today
from tests.support.accountant_days import store_days
from tests.support.browser import chromium, new_page
from tests.support.web import WebThread, add_user, browser_log_in

pytestmark = pytest.mark.slow


def download(page, link_text: str, folder: Path) -> Path:
    with page.expect_download() as started:
        page.click(f"text={link_text}")
    got = started.value
    target = folder / got.suggested_filename
    got.save_as(target)
    return target


def test_the_accountant_downloads_every_export_in_the_browser(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    store_days(url)
    add_user(url, "anton", "accountant")
    folder = tmp_path / "downloads"
    folder.mkdir()
    with LocalBroker(tmp_path / "broker") as broker:
        config = hub_settings(url, broker.port, tour_running_today(tmp_path))
        config = replace(config, accounting=AccountingSettings(adviser=29098, client=55003))
        with WebThread(config) as web, chromium() as browser:
            page = new_page(browser)
            browser_log_in(page, web.url, "anton")
            page.click("nav >> text=Buchhaltung")
            page.fill("input[name=from]", "2026-11-24")
            page.fill("input[name=to]", "2026-11-25")
            page.click("button:has-text('Anzeigen')")
            page.wait_for_selector("#period-total")
            assert "17,55 €" in page.locator("#period-total").inner_text()
            assert "-0,04 €" in page.locator("#closings").inner_text()
            assert "16,41 €" in page.locator("#card-totals").inner_text()

            sums = download(page, "CSV (Excel)", folder)
            assert sums.name == "tagessummen_20261124-20261125.csv"
            rows = list(csv.DictReader(io.StringIO(sums.read_text("utf-8-sig")), delimiter=";"))
            assert len(rows) == 4
            assert sum(int(row["Umsatz brutto"].replace(",", "")) for row in rows) == 3421

            datev = download(page, "DATEV-Buchungsstapel", folder)
            lines = datev.read_bytes().decode("cp1252").split("\r\n")
            assert lines[0].startswith('"EXTF";700;21;"Buchungsstapel";13;')
            assert len(lines[1].split(";")) == 125 and len(lines) == 15

            pdf = download(page, "Monatsübersicht (PDF)", folder)
            assert "Monatsübersicht November 2026" in PdfReader(pdf).pages[0].extract_text()

            figures = json.loads(download(page, "JSON", folder).read_text("utf-8"))
            assert figures["turnover"] == 3421

            page.select_option("#dsfinvk select[name=truck]", "T01")
            audit = download(page, "DSFinV-K herunterladen", folder)
            assert audit.name == "dsfinvk_T01_20261124-20261125.zip"
            with zipfile.ZipFile(audit) as archive:
                assert len([n for n in archive.namelist() if n.endswith(".csv")]) == 20

            page.click("nav >> text=Kassenbuch")
            page.select_option("select[name=truck]", "T01")
            page.fill("input[name=from]", "2026-11-24")
            page.fill("input[name=to]", "2026-11-25")
            page.click("button:has-text('Anzeigen')")
            assert "38,89 €" in page.locator("#cash-book tr.sum").inner_text()
            book = download(page, "Als CSV herunterladen", folder)
            assert book.read_text("utf-8-sig").splitlines()[-1].endswith(";38,89")

            page.click("nav >> text=Bons")
            page.select_option("select[name=truck]", "T01")
            page.fill("input[name=number]", "7")
            page.fill("input[name=from]", "2026-11-24")
            page.fill("input[name=to]", "2026-11-24")
            page.click("button:has-text('Suchen')")
            printed = page.locator("pre.printed").inner_text()
            assert "*** STORNO ZU BON 2 ***" in printed and "SUMME" in printed
