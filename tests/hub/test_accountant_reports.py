"""The accountant's reports against figures worked out by hand (both stores).

``tourkasse hub report daily`` and ``report cashbook`` as the accountant runs them: the daily
sums per day, truck, stop, VAT rate and payment type; closings with counted, expected and
difference; card totals per day; the cash book with its running balance; and the exports
(CSV for German spreadsheets, DATEV, JSON) read back the way their readers read them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from hub.accounting.datev import COLUMNS
from hub.cli import main
from tests.support.accountant_days import HAND, HAND_STOPS, store_days
from tourkasse.vat import VatRate

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path, hub_url: str) -> Path:
    store_days(hub_url)
    path = tmp_path / "hub.toml"
    path.write_text(
        f'timezone = "Europe/Berlin"\n\n[store]\nurl = "{hub_url}"\n\n'
        "[accounting]\nadviser = 29098\nclient = 55003\n",
        encoding="utf-8",
    )
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cents(text: str) -> int:
    """An amount as German spreadsheets write it: decimal comma, no thousands separator."""
    euros, _, rest = text.partition(",")
    sign = -1 if euros.startswith("-") else 1
    return sign * (abs(int(euros)) * 100 + int(rest or 0))


def test_daily_sums_per_day_truck_stop_rate_and_payment_are_the_hand_figures(config, capsys):
    code, out, err = run(
        capsys, "report", "daily", "--from", "2026-11-24", "--to", "2026-11-25",
        "--format", "json", "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["from"], data["to"], data["unit"]) == ("2026-11-24", "2026-11-25", "cent")
    found = {}
    for day in data["days"]:
        for truck in day["trucks"]:
            found[(truck["truck"], day["day"])] = truck
    assert set(found) == {("T01", "2026-11-24"), ("T01", "2026-11-25"), ("T02", "2026-11-24")}
    for (truck, day), hand in HAND.items():
        got = found[(truck, day.isoformat())]
        for key in ("receipts", "voids", "training", "training_total", "aborted"):
            assert got[key] == hand[key], (truck, day, key)
        assert {v["rate"]: v["gross"] for v in got["vat"]} == {
            rate.name: gross for rate, gross in hand["gross"].items()
        }
        assert {v["rate"]: v["vat"] for v in got["vat"]} == {
            rate.name: vat for rate, vat in hand["vat"].items()
        }
        assert {v["rate"]: v["net"] for v in got["vat"]} == {
            rate.name: gross - hand["vat"][rate] for rate, gross in hand["gross"].items()
        }
        assert got["payments"] == hand["payments"]
    stops = {s["stop"]: s for s in found[("T01", "2026-11-24")]["stops"]}
    for stop, hand in HAND_STOPS.items():
        assert stops[stop]["receipts"] == hand["receipts"]
        assert {v["rate"]: v["gross"] for v in stops[stop]["vat"]} == {
            rate.name: gross for rate, gross in hand["gross"].items()
        }
    # the period's totals: 11,81 + 5,99 + 16,41 €
    assert data["turnover"] == 1181 + 599 + 1641
    assert data["payments"] == {"cash": 294 + 599, "card": 887 + 1641}
    # closings with counted, expected, difference
    assert [
        (z["truck"], z["number"], z["day"], z["counted"], z["expected"], z["difference"])
        for z in data["closings"]
    ] == [
        ("T01", 1, "2026-11-24", 5290, 5294, -4),
        ("T01", 2, "2026-11-25", 3889, 3889, 0),
    ]
    # card totals per day and truck, for the card terminal's end-of-day slips
    assert [(c["day"], c["truck"], c["amount"]) for c in data["card_totals"]] == [
        ("2026-11-24", "T01", 887),
        ("2026-11-24", "T02", 1641),
    ]


def test_the_csv_reads_back_with_german_settings(config, capsys, tmp_path):
    out_file = tmp_path / "tagessummen.csv"
    code, out, err = run(
        capsys, "report", "daily", "--from", "2026-11-24", "--to", "2026-11-24",
        "--format", "csv", "--out", str(out_file), "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == f"Geschrieben: {out_file}\n"
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    by_stop = {(row["Wagen"], row["Halt"]): row for row in rows}
    assert set(by_stop) == {("T01", "gimte"), ("T01", "hemeln"), ("T02", "lutterberg")}
    gimte = by_stop[("T01", "gimte")]
    assert gimte["Datum"] == "24.11.2026"
    assert cents(gimte["Brutto 7 %"]) == 498 and cents(gimte["Brutto 19 %"]) == 189
    hemeln = by_stop[("T01", "hemeln")]
    assert cents(hemeln["Brutto 19 %"]) == -75  # the empties taken back
    assert hemeln["Brutto 19 %"] == "-0,75"
    assert sum(cents(row["Umsatz brutto"]) for row in rows) == 1181 + 1641
    assert sum(cents(row["Karte"]) for row in rows) == 887 + 1641
    assert sum(cents(row["USt 7 %"]) for row in rows) == 70
    assert sum(cents(row["USt 19 %"]) for row in rows) == 18 + 262


def test_datev_bookings_of_a_day_in_skr03(config, capsys, tmp_path):
    out_file = tmp_path / "EXTF_november.csv"
    code, _, err = run(
        capsys, "report", "daily", "--from", "2026-11-24", "--to", "2026-11-24",
        "--truck", "T01", "--format", "datev", "--out", str(out_file), "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    raw = out_file.read_bytes()
    text = raw.decode("cp1252")
    assert "Erlöse".encode("cp1252") in raw  # Windows-1252, not UTF-8
    lines = text.split("\r\n")
    assert lines[-1] == ""
    header = next(csv.reader([lines[0]], delimiter=";"))
    assert header[:5] == ["EXTF", "700", "21", "Buchungsstapel", "13"]
    assert len(header) == 31
    assert (header[10], header[11], header[12], header[13]) == ("29098", "55003", "20260101", "4")
    assert (header[14], header[15], header[26]) == ("20261124", "20261124", "03")
    columns = lines[1].split(";")
    assert len(columns) == 125 and tuple(columns) == COLUMNS
    assert columns[:10] == [
        "Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs",
        "Basis-Umsatz", "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schlüssel)",
        "BU-Schlüssel", "Belegdatum",
    ]  # fmt: skip
    rows = [next(csv.reader([line], delimiter=";")) for line in lines[2:-1]]
    assert all(len(row) == 125 for row in rows)
    got = [(row[0], row[1], row[6], row[7], row[8], row[9], row[10]) for row in rows]
    assert got == [
        ("1,89", "S", "1000", "8400", "", "2411", "T01-20261124"),  # goods 19 % against cash
        ("10,67", "S", "1000", "8300", "", "2411", "T01-20261124"),  # goods 7 %
        ("0,75", "H", "1000", "8400", "", "2411", "T01-20261124"),  # deposits less empties
        ("8,87", "S", "1360", "1000", "", "2411", "T01-20261124"),  # card takings out of cash
        ("100,00", "S", "1000", "1360", "", "2411", "T01-20261124"),  # opening float
        ("50,00", "H", "1000", "1360", "", "2411", "T01-20261124"),  # Geldtransit
        ("0,04", "H", "1000", "4900", "", "2411", "T01-Z1"),  # the closing's shortfall
    ]
    assert rows[0][13] == "Erlöse 19 % Wagen T01 24.11.2026"
    # what the cash account ends with is what was counted at the closing: 52,90 €
    balance = sum(
        (1 if row[1] == "S" else -1) * cents(row[0]) * (1 if row[6] == "1000" else -1)
        for row in rows
    )
    assert balance == 5290


def test_datev_in_skr04_and_one_file_per_fiscal_year(config, capsys, tmp_path):
    text = config.read_text(encoding="utf-8").replace(
        "[accounting]\n", '[accounting]\nchart = "SKR04"\nfiscal_year_start = "11-25"\n'
    )
    config.write_text(text, encoding="utf-8")
    folder = tmp_path / "datev"
    folder.mkdir()
    code, out, err = run(
        capsys, "report", "daily", "--from", "2026-11-24", "--to", "2026-11-25",
        "--format", "datev", "--out", str(folder), "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "(10 Buchungen)" in out and "(2 Buchungen)" in out
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == [
        "EXTF_Buchungsstapel_20261124-20261124.csv",
        "EXTF_Buchungsstapel_20261125-20261125.csv",
    ]
    first, second = (f.read_bytes().decode("cp1252").split("\r\n") for f in files)
    assert first[0].split(";")[12] == "20251125" and second[0].split(";")[12] == "20261125"
    assert first[0].split(";")[26] == '"04"'
    # SKR04: cash 1600, revenue 7 % 4300, private withdrawal 2100
    assert second[2].startswith('5,99;"S";"EUR";;;;1600;4300;"";2511;')
    assert second[3].startswith('20,00;"H";"EUR";;;;1600;2100;"";2511;')
    # one file for two fiscal years is refused, in words
    code, _, err = run(
        capsys, "report", "daily", "--from", "2026-11-24", "--to", "2026-11-25",
        "--format", "datev", "--out", str(tmp_path / "one.csv"), "--config", str(config),
    )  # fmt: skip
    assert code == 2
    assert "über 2 Wirtschaftsjahre" in err and "Ordner" in err


def test_the_cash_book_runs_from_the_opening_balance(config, capsys):
    code, out, err = run(
        capsys, "report", "cashbook", "--truck", "T01", "--from", "2026-11-24",
        "--to", "2026-11-24", "--format", "json", "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    book = json.loads(out)
    assert book["opening_balance"] == 0
    assert [(r["document"], r["amount"], r["balance"]) for r in book["rows"]] == [
        ("Bon 1", 10000, 10000),
        ("Bon 2", 524, 10524),
        ("Bon 4", 44, 10568),
        ("Bon 7", -524, 10044),
        ("Bon 8", -5000, 5044),
        ("Bon 9", 250, 5294),
        ("Z 1", -4, 5290),
    ]
    assert book["closing_balance"] == 5290
    assert [r["text"] for r in book["rows"]][:4] == [
        "Anfangsbestand (Wechselgeld)",
        "Verkauf bar",
        "Verkauf bar",
        "Storno zu Bon 2, bar zurück",
    ]
    # the next day starts from what was counted
    code, out, err = run(
        capsys, "report", "cashbook", "--truck", "T01", "--from", "2026-11-25",
        "--to", "2026-11-25", "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "Kassenbuch Wagen T01, 25.11.2026" in out
    assert "52,90 €  Anfangsbestand des Zeitraums" in out
    assert "Privatentnahme: Einkauf" in out
    assert out.rstrip().endswith("Bestand am Ende des Zeitraums: 38,89 €")


def test_the_text_report_says_it_in_german(config, capsys):
    code, out, err = run(
        capsys, "report", "daily", "--from", "2026-11-24", "--to", "2026-11-24",
        "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("Tagessummen 24.11.2026 (Geschäftstage in Europe/Berlin)")
    assert "Wagen T01 Z 1 am 24.11.2026" in out and "Differenz -0,04 €" in out
    assert "24.11.2026  Wagen T02: 16,41 €" in out
    assert "Wagen T02: 16,41 € aus 1 Bon   19 %" in out  # one Bon, not "1 Bons"
    assert "Nicht im Umsatz: 1 Trainingsbon (4,20 €), 1 abgebrochener Bon" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-11-31", "--to", "2026-12-01"], "„2026-11-31“ ist kein Datum"),
        (["--from", "2026-11-25", "--to", "2026-11-24"], "endet (24.11.2026) vor seinem Beginn"),
        (["--from", "2026-11-24", "--to", "2026-11-24", "--truck", "T09"], "„T09“ ist der"),
        (
            ["--from", "2026-11-24", "--to", "2026-11-24", "--format", "pdf"],
            "braucht --out (eine Datei)",
        ),
        (["--from", "0001-01-01", "--to", "0001-01-02"], "außerhalb der Jahre 1970 bis 9998"),
    ],
)
def test_bad_input_is_refused_in_words(config, capsys, args, message):
    code, out, err = run(capsys, "report", "daily", *args, "--config", str(config))
    assert code == 2 and out == ""
    assert message in err
    assert "Traceback" not in err


def test_an_empty_period_gives_empty_reports(config, capsys):
    code, out, err = run(
        capsys, "report", "daily", "--from", "2026-12-01", "--to", "2026-12-31",
        "--format", "json", "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["days"], data["closings"], data["turnover"]) == ([], [], 0)
    assert VatRate.NORMAL.name not in {v["rate"] for v in data["vat"]}


def test_the_monthly_pdf_summary(config, capsys, tmp_path):
    out_file = tmp_path / "monat.pdf"
    code, _, err = run(
        capsys, "report", "daily", "--from", "2026-11-01", "--to", "2026-12-31",
        "--format", "pdf", "--out", str(out_file), "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    pages = [page.extract_text() for page in PdfReader(out_file).pages]
    assert len(pages) == 2  # one page per month of the period
    november, december = pages
    assert november.startswith("Monatsübersicht November 2026")
    # the days per truck: receipts, gross 19 %, 7 %, 0 %, VAT, net, cash, card (hand figures)
    assert "24.11.2026 T01 5 1,14 10,67 0,00 0,88 10,93 2,94 8,87" in november
    assert "24.11.2026 T02 1 16,41 0,00 0,00 2,62 13,79 0,00 16,41" in november
    assert "Summe 7 17,55 16,66 0,00 3,89 30,32 8,93 25,28" in november
    assert "19 % 17,55 14,75 2,80" in november and "7 % 16,66 15,57 1,09" in november
    assert "24.11.2026 08:27 T01 1 52,90 52,94 -0,04" in november
    assert "Nicht im Umsatz: 1 Trainingsbon (4,20 EUR), 1 abgebrochener Bon." in november
    assert december.startswith("Monatsübersicht Dezember 2026")
    assert "Keine Bons in diesem Monat." in december


def test_datev_settings_datev_could_not_use_are_refused_in_words():
    from hub.config import HubConfig
    from tourkasse.config import ConfigError, parse_config

    text = '[accounting]\nrevenue_7 = 99999\nfiscal_year_start = "02-30"\n'
    with pytest.raises(ConfigError) as refused:
        parse_config(text, HubConfig, source="hub.toml")
    found = {problem.key: problem.message for problem in refused.value.problems}
    assert found["accounting.fiscal_year_start"] == "02-30 ist kein Tag jedes Jahres"
    assert found["accounting.revenue_7"].startswith("Konto 99999 hat mehr als account_length = 4")


def test_datev_without_adviser_and_client_says_it_wrote_placeholders(config, capsys, tmp_path):
    text = config.read_text(encoding="utf-8").replace("adviser = 29098\nclient = 55003\n", "")
    config.write_text(text, encoding="utf-8")
    out_file = tmp_path / "EXTF.csv"
    code, out, err = run(
        capsys, "report", "daily", "--from", "2026-11-24", "--to", "2026-11-24",
        "--format", "datev", "--out", str(out_file), "--config", str(config),
    )  # fmt: skip
    assert (code, out) == (0, f"Geschrieben: {out_file}\n")
    assert "adviser und client sind nicht gesetzt" in err
    assert "Beraternummer 1001 und Mandantennummer 1" in err
    assert out_file.read_bytes().split(b"\r\n")[0].split(b";")[10:12] == [b"1001", b"1"]


def test_datev_writes_no_file_for_a_fiscal_year_without_bookings(config, capsys, tmp_path):
    text = config.read_text(encoding="utf-8").replace(
        "[accounting]\n", '[accounting]\nfiscal_year_start = "12-01"\n'
    )
    config.write_text(text, encoding="utf-8")
    folder = tmp_path / "datev"
    folder.mkdir()
    code, out, err = run(
        capsys, "report", "daily", "--from", "2026-11-24", "--to", "2026-12-31",
        "--format", "datev", "--out", str(folder), "--config", str(config),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.count("Geschrieben:") == 1
    # the days of December are in the next fiscal year, which has no bookings: no empty file
    assert [f.name for f in folder.iterdir()] == ["EXTF_Buchungsstapel_20261124-20261130.csv"]
    header = (folder / "EXTF_Buchungsstapel_20261124-20261130.csv").read_bytes().split(b"\r\n")[0]
    assert header.split(b";")[8:11] == [b'"Tourkasse"', b"", b"29098"]  # field 10 left empty


def test_a_day_whose_card_sale_was_voided_keeps_its_card_line():
    from datetime import date

    from hub.accounting.reading import card_totals
    from hub.store.report import Figures, StopTurnover, TruckTurnover, TurnoverReport

    voided = Figures(receipts=2, voids=1, by_payment={"card": 0})  # 12,35 € and its void
    cash_only = Figures(receipts=1, by_payment={"cash": 500})
    day = TurnoverReport(
        date(2026, 11, 24),
        "Europe/Berlin",
        (
            TruckTurnover("T01", (StopTurnover("gimte", voided),)),
            TruckTurnover("T02", (StopTurnover("hemeln", cash_only),)),
        ),
    )
    assert [(c.truck, c.amount) for c in card_totals([day])] == [("T01", 0)]
