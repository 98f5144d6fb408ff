"""``tourkasse hub rebuild|report turnover|problems`` as the office uses them (both stores)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.cli import main
from hub.commands.figures import CSV_COLUMNS
from hub.store import open_store
from tests.conftest import EXAMPLE_TOUR
from tests.support.journals import DAY, JournalWriter, SalesDay, sales_day, sell_day
from tourkasse.money import format_eur
from tourkasse.protocol import JournalBatch
from tourkasse.vat import VatRate

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def write_config(folder: Path, url: str, *, tours: bool = True) -> Path:
    path = folder / "hub.toml"
    text = f'timezone = "Europe/Berlin"\n\n[store]\nurl = "{url}"\n'
    if tours:
        text += f'\n[tours]\nfile = "{EXAMPLE_TOUR}"\n'
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def day(hub_url) -> SalesDay:
    sold = sales_day(sales=18)
    with open_store(hub_url) as store:
        data = tuple(e.data for e in sold.entries)
        store.accept_batch(JournalBatch("T01", data, 1), received_at=NOW)
    return sold


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_turnover_report_in_german(tmp_path, hub_url, day, capsys):
    config = write_config(tmp_path, hub_url)
    code, out, err = run(
        capsys, "report", "turnover", "--date", "2026-11-24", "--config", str(config)
    )
    assert (code, err) == (0, "")
    assert out.startswith("Umsatz am Dienstag, 24.11.2026 (Geschäftstag in Europe/Berlin)")
    assert "Wagen T01" in out
    assert "  Gimte, Dorfgemeinschaftshaus (gimte)\n" in out
    assert "  ohne Halt\n" in out
    gimte = day.expected["gimte"]
    total = sum(gimte.gross_by_rate.values())
    assert f"Umsatz {format_eur(total)} aus {gimte.receipts} Bons (davon 1 Storno)" in out
    gross = gimte.gross_by_rate[VatRate.REDUCED]
    assert (
        f"7 %: brutto {format_eur(gross):>12}   USt {format_eur(gimte.vat_by_rate[VatRate.REDUCED]):>10}"
        in out
    )
    day_total = sum(sum(t.gross_by_rate.values()) for t in day.expected.values())
    assert f"Summe des Tages\n  Umsatz {format_eur(day_total)}" in out
    assert "Nicht im Umsatz: 1 Trainingsbon" in out and "1 abgebrochener Bon" in out


def test_the_turnover_report_as_csv_for_the_accountant(tmp_path, hub_url, day, capsysbinary):
    config = write_config(tmp_path, hub_url)
    assert (
        main(
            [
                "report",
                "turnover",
                "--date",
                "2026-11-24",
                "--format",
                "csv",
                "--config",
                str(config),
            ]
        )
        == 0
    )
    raw = capsysbinary.readouterr().out
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8")), delimiter=";"))
    assert rows[0] == CSV_COLUMNS
    by_stop = {row[2]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert set(by_stop) == {"gimte", "volkmarshausen", "hemeln", ""}
    assert by_stop[""]["Haltname"] == "ohne Halt"
    assert by_stop["hemeln"]["Haltname"] == "Hemeln, Dorfplatz an der Weser"
    for stop, expected in day.expected.items():
        row = by_stop[stop or ""]
        assert row["Datum"] == "24.11.2026" and row["Wagen"] == "T01"
        assert row["Bons"] == str(expected.receipts)
        for rate in VatRate:
            gross = expected.gross_by_rate.get(rate, 0)
            vat = expected.vat_by_rate.get(rate, 0)
            assert row[f"Brutto {rate.percent_text}"] == cents_text(gross)
            assert row[f"USt {rate.percent_text}"] == cents_text(vat)
            assert row[f"Netto {rate.percent_text}"] == cents_text(gross - vat)
        assert row["Bar"] == cents_text(expected.by_payment.get("cash", 0))
        assert row["Karte"] == cents_text(expected.by_payment.get("card", 0))


def cents_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


def test_the_turnover_report_as_json_in_cents(tmp_path, hub_url, day, capsys):
    config = write_config(tmp_path, hub_url, tours=False)
    code, out, _ = run(
        capsys, "report", "turnover", "--date", "2026-11-24", "--format", "json",
        "--truck", "T01", "--config", str(config),
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["day"] == "2026-11-24"
    assert data["turnover"] == sum(sum(t.gross_by_rate.values()) for t in day.expected.values())
    stops = {s["stop"]: s for s in data["trucks"][0]["stops"]}
    assert stops["gimte"]["name"] == "gimte"  # no tour file: the stop's id
    assert stops[None]["name"] == "ohne Halt"
    assert stops["gimte"]["payments"] == day.expected["gimte"].by_payment
    rates = {v["rate"]: v for v in stops["hemeln"]["vat"]}
    expected = day.expected["hemeln"]
    for rate, gross in expected.gross_by_rate.items():
        assert rates[rate.name]["gross"] == gross
        assert rates[rate.name]["vat"] == expected.vat_by_rate[rate]


def test_a_day_without_sales_says_so(tmp_path, hub_url, capsys):
    open_store(hub_url).close()  # the hub's store, as its first start made it
    config = write_config(tmp_path, hub_url)
    code, out, _ = run(
        capsys, "report", "turnover", "--date", "2026-12-24", "--config", str(config)
    )
    assert code == 0 and "Keine Bons an diesem Tag." in out


def test_a_store_that_is_not_there_is_refused_not_made(tmp_path, capsys):
    missing = tmp_path / "anderswo" / "hub.sqlite"
    config = write_config(tmp_path, f"sqlite:///{missing}")
    code, out, err = run(
        capsys, "report", "turnover", "--date", "2026-12-24", "--config", str(config)
    )
    assert (code, out) == (2, "")
    assert f"Den Speicher der Zentrale {missing} gibt es nicht" in err
    assert not missing.exists() and not missing.parent.exists()


@pytest.mark.parametrize("date", ["24.11.2026", "2026-02-30", "gestern"])
def test_a_bad_date_is_refused_in_german(tmp_path, hub_url, capsys, date):
    config = write_config(tmp_path, hub_url)
    code, out, err = run(capsys, "report", "turnover", "--date", date, "--config", str(config))
    assert (code, out) == (2, "")
    assert f"„{date}“ ist kein Datum (erwartet JJJJ-MM-TT" in err
    assert "Traceback" not in err


def test_an_unreadable_config_is_refused_in_german(tmp_path, capsys):
    missing = tmp_path / "fehlt.toml"
    code, _, err = run(
        capsys, "report", "turnover", "--date", "2026-11-24", "--config", str(missing)
    )
    assert code == 2 and "Datei nicht gefunden" in err and "Traceback" not in err
    broken = tmp_path / "hub.toml"
    broken.write_text('[store]\nurl = "mysql://x"\nfarbe = 1\n', encoding="utf-8")
    code, _, err = run(capsys, "rebuild", "--config", str(broken))
    assert code == 2
    assert "store.url" in err and "farbe" in err


def test_rebuild_says_how_many_entries_it_read(tmp_path, hub_url, day, capsys):
    config = write_config(tmp_path, hub_url)
    code, out, _ = run(capsys, "rebuild", "--config", str(config))
    assert code == 0
    assert out == f"Umsatzzahlen neu berechnet: {len(day.entries)} Journaleinträge gelesen.\n"


def test_problems_lists_refused_messages_and_forked_journals(tmp_path, hub_url, capsys):
    open_store(hub_url).close()  # the hub's store, as its first start made it
    config = write_config(tmp_path, hub_url)
    code, out, _ = run(capsys, "problems", "--config", str(config))
    assert code == 0
    assert "Keine Gabelungen der Journale." in out and "Keine abgelehnten Nachrichten." in out
    writer = JournalWriter()
    sell_day(writer, DAY, sales=4)
    restored = writer.copy()
    sell_day(writer, DAY, sales=3, seed=2)
    restored.at += timedelta(minutes=1)
    sell_day(restored, DAY, sales=3, seed=3)
    with open_store(hub_url) as store:
        store.accept_batch(
            JournalBatch("T01", tuple(e.data for e in writer.entries), 1), received_at=NOW
        )
        fork_at = len(writer.entries) - 2
        store.accept_batch(
            JournalBatch(
                "T01", tuple(e.data for e in restored.entries[fork_at - 1 : fork_at + 1]), fork_at
            ),
            received_at=NOW,
        )
        store.reject(
            topic="tourkasse/v1/truck/T02/status",
            payload=b"\xffkaputt\n" + b"x" * 300,
            reason="kein UTF-8",
            received_at=NOW + timedelta(minutes=1),
            truck="T02",
        )
    code, out, _ = run(capsys, "problems", "--config", str(config))
    assert code == 0
    assert "ALARM" in out
    assert (
        f"Wagen T01: ab Eintrag {fork_at}, 2 abweichende Einträge, zuerst gesehen 24.11.2026 19:00:00"
        in out
    )
    assert f"Eintrag {fork_at}: gespeichert {writer.entries[fork_at - 1].hash[:16]}…" in out
    assert "24.11.2026 19:01:00  tourkasse/v1/truck/T02/status  Wagen T02" in out
    assert "Grund: kein UTF-8" in out
    assert "Inhalt: \\xffkaputt\\n" + "x" * 92 + "…" in out
