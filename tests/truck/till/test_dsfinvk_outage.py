"""A day with a TSE outage in the middle, sold on the real till, exports correctly (DSFinV-K).

The till signs with the software TSE; FailingTse pulls it out for two receipts, and once
loses the TSE's answer so that its late signature is journaled when the till recovers.
"""

from __future__ import annotations

from tests.support.dsfinvk_check import check_export
from tests.truck.fiscal.failing_tse import FailingTse
from tests.truck.till.test_sales import five_line_sale
from tourkasse.dsfinvk import Company, MasterData, TillMaster, make_export, read_journal
from tourkasse.journal import EntryKind
from truck.till.till import Till

MASTER = MasterData(
    Company(
        "Dorfladen Muster GmbH", "Hauptstraße 1", "34346", "Hann. Münden", "DE", "22/815/08150"
    ),
    TillMaster("TK-T01-0001", version="0.1.0"),
)


def journal_bytes(db) -> list[bytes]:
    return [bytes(row[0]) for row in db.execute("SELECT data FROM journal ORDER BY seq")]


def test_a_day_with_a_tse_outage_exports_with_failures_and_the_late_answer(till_parts, clock):
    db, tse = till_parts
    failing = FailingTse(tse)
    till = Till(db, failing, truck="T01", client_id="TK-T01-0001", clock=clock, master=MASTER)
    till.opening_float(10000)  # 1
    till.sell(five_line_sale(db))  # 2: signed
    failing.failing = True
    till.sell(five_line_sale(db))  # 3: TSE out
    till.sell(five_line_sale(db))  # 4: TSE out
    failing.failing = False
    till.sell(five_line_sale(db))  # 5: signed again
    opened = till.open_receipt()
    failing.losing_answers = True
    till.complete(opened, five_line_sale(db))  # 6: signed, but the answer is lost
    failing.losing_answers = False
    (late,) = till.recover()
    assert late.kind is EntryKind.TSE_LATE_SIGNATURE
    till.void(2)  # 7
    # cash by hand: 100,00 + 5 × 13,51 − 13,51 = 154,04 (100 + 50 + 2 × 2,00 + 2 × 0,02)
    closing = till.daily_closing({10000: 1, 5000: 1, 200: 2, 2: 2})
    assert closing.difference == 0
    assert closing.entry.body["master"]["till"]["serial"] == "TK-T01-0001"

    entries = read_journal(journal_bytes(db), truck="T01")
    export = make_export(entries)
    tables = check_export(export.files, entries)
    tse_rows = {row["BON_ID"]: row for row in tables["transactions_tse.csv"]}
    assert set(tse_rows) == {"1", "2", "3", "4", "5", "6", "7"}
    for number in ("3", "4"):
        row = tse_rows[number]
        assert "simulierter Ausfall" in row["TSE_TA_FEHLER"]
        assert row["TSE_TANR"] == row["TSE_TA_SIG"] == ""
        assert row["TSE_ID"] == "1"  # the TSE that was in use before it failed
    answered = tse_rows["6"]
    assert "Antwort verloren" in answered["TSE_TA_FEHLER"]
    assert answered["TSE_TANR"] and answered["TSE_TA_SIG"]
    assert answered["TSE_VORGANGSDATEN"].startswith("Beleg^6.93_6.58_")
    for number in ("1", "2", "5", "7"):
        assert tse_rows[number]["TSE_TA_FEHLER"] == "" and tse_rows[number]["TSE_TA_SIGZ"]
    ((serial,),) = [(row["TSE_SERIAL"],) for row in tables["tse.csv"]]
    assert serial == tse.info().serial_number
    # per receipt 7 %: 4,20 + 2 × 1,19 = 6,58; 19 %: 6 × 0,69 + 1,29 = 5,43; deposit 6 × 0,25
    # = 1,50; five sales and one void: four times each
    cases = {
        (r["GV_TYP"], r["UST_SCHLUESSEL"]): r["Z_UMS_BRUTTO"] for r in tables["businesscases.csv"]
    }
    assert cases == {
        ("Anfangsbestand", "5"): "100,00000",
        ("Pfand", "1"): "6,00000",
        ("Umsatz", "1"): "21,72000",
        ("Umsatz", "2"): "26,32000",
    }
    (closing_row,) = tables["cashpointclosing.csv"]
    assert closing_row["Z_SE_BARZAHLUNGEN"] == "154,04"


def test_the_closing_of_a_till_without_master_data_carries_none(till):
    """Tills built without master data (older code, tests) write closings as before."""
    closing = till.daily_closing({})
    assert "master" not in closing.entry.body
