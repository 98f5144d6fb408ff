"""The sums and references of a DSFinV-K export, read back (see dsfinvk_check.py).

Keys consistent across files; each transaction's lines, VAT and payments adding up; the
closing totals equal to the sums of the single records of BON_TYP Beleg and AVTransfer (as
docs/dsfinvk.md says); every void referenced; and the closing's sums equal to the journal's.
"""

from __future__ import annotations

from collections import defaultdict

from tourkasse.journal import Entry, EntryKind
from tourkasse.receipt import BonType, Receipt

TOTALLED = ("Beleg", "AVTransfer")  # what the closing totals count (docs/dsfinvk.md)


def cents(value: str) -> int:
    """An amount as written (decimal comma, 2 or 5 places) in cents; refuses fractions of one."""
    if not value:
        return 0
    sign = -1 if value.startswith("-") else 1
    whole, _, fraction = value.lstrip("-").partition(",")
    fraction = fraction.ljust(2, "0")
    if fraction[2:].strip("0"):
        raise ValueError(f"{value} ist kein ganzer Centbetrag")
    return sign * (int(whole) * 100 + int(fraction[:2]))


def _key(row: dict) -> tuple[str, str, str]:
    return row["Z_KASSE_ID"], row["Z_ERSTELLUNG"], row["Z_NR"]


def check_keys(tables: dict[str, list[dict]], problems: list[str]) -> None:
    closings = [_key(row) for row in tables["cashpointclosing.csv"]]
    if len(set(closings)) != len(closings):
        problems.append("cashpointclosing.csv: ein Abschluss steht mehrmals darin")
    numbers = [(k, nr) for k, _, nr in closings]
    if len(set(numbers)) != len(numbers):
        problems.append("cashpointclosing.csv: dieselbe Z_NR mit verschiedenem Z_ERSTELLUNG")
    known = set(closings)
    for name, rows in tables.items():
        for row in rows:
            if _key(row) not in known:
                problems.append(
                    f"{name}: Schlüssel {_key(row)} ohne Abschluss in cashpointclosing.csv"
                )
                break
    for name in ("location.csv", "cashregister.csv", "cash_per_currency.csv"):
        if {_key(row) for row in tables[name]} != known:
            problems.append(f"{name}: nicht genau ein Satz je Abschluss")
    heads = {(_key(row), row["BON_ID"]) for row in tables["transactions.csv"]}
    if len(heads) != len(tables["transactions.csv"]):
        problems.append("transactions.csv: BON_ID doppelt in einem Abschluss")
    for name in (
        "lines.csv",
        "lines_vat.csv",
        "transactions_vat.csv",
        "datapayment.csv",
        "transactions_tse.csv",
        "references.csv",
        "itemamounts.csv",
    ):
        for row in tables[name]:
            if (_key(row), row["BON_ID"]) not in heads:
                problems.append(f"{name}: BON_ID {row['BON_ID']} fehlt in transactions.csv")
    tse_rows = {(_key(row), row["BON_ID"]) for row in tables["transactions_tse.csv"]}
    for head in heads - tse_rows:
        problems.append(
            f"transactions_tse.csv: nichts zu Vorgang {head[1]} (Abschluss {head[0][2]})"
        )
    tses = {(_key(row), row["TSE_ID"]) for row in tables["tse.csv"]}
    for row in tables["transactions_tse.csv"]:
        if row["TSE_ID"] and (_key(row), row["TSE_ID"]) not in tses:
            problems.append(f"transactions_tse.csv: TSE_ID {row['TSE_ID']} fehlt in tse.csv")
        if not row["TSE_TA_SIG"] and not row["TSE_TA_FEHLER"]:
            problems.append(
                f"transactions_tse.csv: Vorgang {row['BON_ID']} ohne Signatur und ohne Fehler"
            )
    for row in tables["cashpointclosing.csv"]:
        for column in ("Z_START_ID", "Z_ENDE_ID"):
            if (_key(row), row[column]) not in heads:
                problems.append(f"cashpointclosing.csv: {column} {row[column]} ist kein Vorgang")


def _by(rows: list[dict], *columns: str) -> dict[tuple, list[dict]]:
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[(_key(row), *(row[c] for c in columns))].append(row)
    return grouped


def check_transactions(tables: dict[str, list[dict]], problems: list[str]) -> None:
    lines_vat = _by(tables["lines_vat.csv"], "BON_ID")
    heads_vat = _by(tables["transactions_vat.csv"], "BON_ID")
    payments = _by(tables["datapayment.csv"], "BON_ID")
    lines = {(_key(r), r["BON_ID"], r["POS_ZEILE"]) for r in tables["lines.csv"]}
    for row in tables["lines_vat.csv"]:
        if (_key(row), row["BON_ID"], row["POS_ZEILE"]) not in lines:
            problems.append(
                f"lines_vat.csv: Zeile {row['BON_ID']}/{row['POS_ZEILE']} fehlt in lines.csv"
            )
    for row in tables["transactions.csv"]:
        key = (_key(row), row["BON_ID"])
        what = f"Vorgang {row['BON_ID']} (Abschluss {row['Z_NR']})"
        total = cents(row["UMS_BRUTTO"])
        by_rate: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for line in lines_vat.get(key, []):
            by_rate[line["UST_SCHLUESSEL"]][0] += cents(line["POS_BRUTTO"])
            by_rate[line["UST_SCHLUESSEL"]][1] += cents(line["POS_UST"])
            if cents(line["POS_BRUTTO"]) - cents(line["POS_UST"]) != cents(line["POS_NETTO"]):
                problems.append(f"lines_vat.csv: {what}: netto ≠ brutto − USt")
        for vat in heads_vat.get(key, []):
            gross, tax = by_rate.pop(vat["UST_SCHLUESSEL"], [0, 0])
            if (gross, tax) != (cents(vat["BON_BRUTTO"]), cents(vat["BON_UST"])):
                problems.append(
                    f"transactions_vat.csv: {what}: USt-Schlüssel {vat['UST_SCHLUESSEL']} ≠ Summe der Zeilen"
                )
            if cents(vat["BON_BRUTTO"]) - cents(vat["BON_UST"]) != cents(vat["BON_NETTO"]):
                problems.append(f"transactions_vat.csv: {what}: netto ≠ brutto − USt")
        if any(gross or tax for gross, tax in by_rate.values()):
            problems.append(f"transactions_vat.csv: {what}: Zeilen ohne Satz je Steuerschlüssel")
        if sum(cents(v["BON_BRUTTO"]) for v in heads_vat.get(key, [])) != total:
            problems.append(f"transactions.csv: {what}: UMS_BRUTTO ≠ Summe je Steuersatz")
        paid = sum(cents(p["BASISWAEH_BETRAG"]) for p in payments.get(key, []))
        if row["BON_TYP"] != "AVBelegabbruch" and paid != total:
            problems.append(f"datapayment.csv: {what}: bezahlt {paid} ≠ UMS_BRUTTO {total} (Cent)")


def check_totals(tables: dict[str, list[dict]], problems: list[str]) -> None:
    counted = {
        (_key(r), r["BON_ID"]) for r in tables["transactions.csv"] if r["BON_TYP"] in TOTALLED
    }
    gv = {(_key(r), r["BON_ID"], r["POS_ZEILE"]): r["GV_TYP"] for r in tables["lines.csv"]}
    cases: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in tables["lines_vat.csv"]:
        if (_key(row), row["BON_ID"]) in counted:
            sums = cases[
                _key(row), gv[_key(row), row["BON_ID"], row["POS_ZEILE"]], row["UST_SCHLUESSEL"]
            ]
            sums[0] += cents(row["POS_BRUTTO"])
            sums[1] += cents(row["POS_UST"])
    written = {
        (_key(r), r["GV_TYP"], r["UST_SCHLUESSEL"]): [cents(r["Z_UMS_BRUTTO"]), cents(r["Z_UST"])]
        for r in tables["businesscases.csv"]
    }
    for r in tables["businesscases.csv"]:
        if cents(r["Z_UMS_BRUTTO"]) - cents(r["Z_UST"]) != cents(r["Z_UMS_NETTO"]):
            problems.append(f"businesscases.csv: {r['GV_TYP']}: netto ≠ brutto − USt")
    if written != dict(cases):
        problems.append(
            f"businesscases.csv ≠ Summe der Einzelaufzeichnungen: {written} gegen {dict(cases)}"
        )
    paid: dict[tuple, int] = defaultdict(int)
    for row in tables["datapayment.csv"]:
        if (_key(row), row["BON_ID"]) in counted:
            paid[_key(row), row["ZAHLART_TYP"], row["ZAHLART_NAME"]] += cents(
                row["BASISWAEH_BETRAG"]
            )
    written_paid = {
        (_key(r), r["ZAHLART_TYP"], r["ZAHLART_NAME"]): cents(r["Z_ZAHLART_BETRAG"])
        for r in tables["payment.csv"]
    }
    if written_paid != dict(paid):
        problems.append(f"payment.csv ≠ Summe der Zahlungen: {written_paid} gegen {dict(paid)}")
    for row in tables["cashpointclosing.csv"]:
        key = _key(row)
        cash = sum(v for (k, kind, _), v in paid.items() if k == key and kind == "Bar")
        everything = sum(v for (k, _, _), v in paid.items() if k == key)
        if (cents(row["Z_SE_ZAHLUNGEN"]), cents(row["Z_SE_BARZAHLUNGEN"])) != (everything, cash):
            problems.append(f"cashpointclosing.csv: Abschluss {key[2]}: Summen ≠ Zahlungen")
        per_currency = [r for r in tables["cash_per_currency.csv"] if _key(r) == key]
        if [(r["ZAHLART_WAEH"], cents(r["ZAHLART_BETRAG_WAEH"])) for r in per_currency] != [
            ("EUR", cash)
        ]:
            problems.append(f"cash_per_currency.csv: Abschluss {key[2]}: nicht das Bargeld {cash}")


def check_voids(tables: dict[str, list[dict]], problems: list[str]) -> None:
    references = _by(tables["references.csv"], "BON_ID")
    heads = {(r["Z_KASSE_ID"], r["Z_NR"], r["BON_ID"]): r for r in tables["transactions.csv"]}
    created = {
        (r["Z_KASSE_ID"], r["Z_NR"]): r["Z_ERSTELLUNG"] for r in tables["cashpointclosing.csv"]
    }
    for row in tables["transactions.csv"]:
        if row["BON_STORNO"] not in ("0", "1"):
            problems.append(f"transactions.csv: BON_STORNO {row['BON_STORNO']!r}")
        if row["BON_STORNO"] != "1":
            continue
        found = [
            r
            for r in references.get((_key(row), row["BON_ID"]), [])
            if r["REF_TYP"] == "Transaktion"
        ]
        if len(found) != 1:
            problems.append(f"references.csv: Storno {row['BON_ID']} ohne Verweis auf das Original")
            continue
        ref = found[0]
        if not (
            ref["REF_BON_ID"] and ref["REF_Z_NR"] and ref["REF_Z_KASSE_ID"] and ref["REF_DATUM"]
        ):
            problems.append(f"references.csv: Verweis von {row['BON_ID']} unvollständig")
        original = heads.get((ref["REF_Z_KASSE_ID"], ref["REF_Z_NR"], ref["REF_BON_ID"]))
        if (
            ref["REF_Z_KASSE_ID"],
            ref["REF_Z_NR"],
        ) in created:  # the original's closing is exported too
            if original is None:
                problems.append(
                    f"references.csv: Original {ref['REF_BON_ID']} nicht im Abschluss {ref['REF_Z_NR']}"
                )
            elif created[ref["REF_Z_KASSE_ID"], ref["REF_Z_NR"]] != ref["REF_DATUM"]:
                problems.append(
                    f"references.csv: REF_DATUM von {row['BON_ID']} ist nicht Z_ERSTELLUNG des Originals"
                )
            elif cents(original["UMS_BRUTTO"]) != -cents(row["UMS_BRUTTO"]):
                problems.append(
                    f"Storno {row['BON_ID']} ist nicht das Negative von {ref['REF_BON_ID']}"
                )


def check_against_journal(
    tables: dict[str, list[dict]], entries: list[Entry], problems: list[str]
) -> None:
    """Per closing: gross per VAT key and payments per kind of the journal's ordinary receipts."""
    exported = {int(r["Z_NR"]) for r in tables["cashpointclosing.csv"]}
    gross: dict[tuple[int, str], int] = defaultdict(int)
    paid: dict[tuple[int, str], int] = defaultdict(int)
    transfers: dict[int, int] = defaultdict(int)
    closing = 1
    for entry in entries:
        if entry.kind is EntryKind.DAILY_CLOSING:
            closing = entry.body["closing_number"] + 1
        elif entry.kind is EntryKind.RECEIPT:
            receipt = Receipt.from_dict(entry.body["receipt"])
            if receipt.bon_type is BonType.RECEIPT:
                for rate, amount in receipt.gross_by_rate.items():
                    gross[closing, {190: "1", 70: "2", 0: "6"}[rate.value]] += amount
                for payment in receipt.payments:
                    paid[closing, payment.method.value] += payment.amount
        elif entry.kind in (EntryKind.OPENING_FLOAT, EntryKind.CASH_MOVEMENT):
            transfers[closing] += entry.body["amount"]
    sales = ("Umsatz", "Pfand", "PfandRueckzahlung")
    for number in exported:
        written: dict[str, int] = defaultdict(int)
        for row in tables["businesscases.csv"]:
            if int(row["Z_NR"]) == number and row["GV_TYP"] in sales:
                written[row["UST_SCHLUESSEL"]] += cents(row["Z_UMS_BRUTTO"])
        journal = {key: v for (z, key), v in gross.items() if z == number}
        if {k: v for k, v in written.items() if v} != {k: v for k, v in journal.items() if v}:
            problems.append(
                f"Abschluss {number}: Umsatz je Steuersatz {dict(written)}, laut Journal {journal}"
            )
        card = sum(
            cents(r["Z_ZAHLART_BETRAG"])
            for r in tables["payment.csv"]
            if int(r["Z_NR"]) == number and r["ZAHLART_TYP"] == "Unbar"
        )
        if card != paid.get((number, "card"), 0):
            problems.append(
                f"Abschluss {number}: Karte {card}, laut Journal {paid.get((number, 'card'), 0)}"
            )
        moved = sum(
            cents(r["Z_UMS_BRUTTO"])
            for r in tables["businesscases.csv"]
            if int(r["Z_NR"]) == number
            and r["GV_TYP"]
            in (
                "Anfangsbestand",
                "Einzahlung",
                "Auszahlung",
                "Privateinlage",
                "Privatentnahme",
                "Geldtransit",
            )
        )
        if moved != transfers.get(number, 0):
            problems.append(
                f"Abschluss {number}: Bargeldbewegungen {moved}, laut Journal {transfers.get(number, 0)}"
            )
