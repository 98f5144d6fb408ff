"""Reads a DSFinV-K export back and checks it against the specification, not against itself.

The columns come from copies of the reference (tests/data/dsfinvk: the reference index.xml
for fourteen files, six-tables.txt copied by hand from more-tables.md for the other six),
never from the export's own index.xml or the writer's tables. Checked: every file there;
columns in the reference order; UTF-8, CRLF, ";" between fields, text in double quotes,
numbers unquoted with a decimal comma and exactly the declared places; text not longer than
allowed; index.xml valid against the GDPdU DTD and describing every file as it is; the keys
Z_KASSE_ID, Z_ERSTELLUNG, Z_NR consistent across files; every transaction's lines, VAT,
payments and TSE data adding up; the closing totals equal to the sums of the single records;
every void referenced; and, given the journal, the closing's sums equal to its receipts'.

``check_export`` raises AssertionError naming every problem; ``read_export`` gives the rows
(values as text, amounts as integer cents through ``cents``) for a test's own assertions.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tourkasse.journal import Entry, EntryKind
from tourkasse.receipt import BonType, Receipt

DATA = Path(__file__).resolve().parent.parent / "data" / "dsfinvk"
TOTALLED = ("Beleg", "AVTransfer")  # what the closing totals count (docs/dsfinvk.md)


@dataclass(frozen=True)
class RefColumn:
    name: str
    numeric: bool
    places: int
    max_length: int | None


def reference_tables() -> dict[str, list[RefColumn]]:
    """The twenty files and their columns, in order, from the reference copies."""
    found: dict[str, list[RefColumn]] = {}
    for table in ET.parse(DATA / "index.xml").getroot().iter("Table"):
        columns = []
        for column in table.iter("VariableColumn"):
            numeric = column.find("Numeric")
            accuracy = numeric.find("Accuracy") if numeric is not None else None
            length = column.find("MaxLength")
            columns.append(
                RefColumn(
                    column.findtext("Name"),
                    numeric is not None,
                    int(accuracy.text) if accuracy is not None else 0,
                    int(length.text) if length is not None else None,
                )
            )
        found[table.findtext("URL")] = columns
    for line in (DATA / "six-tables.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        file, spec = line.split(":", 1)
        columns = []
        for item in spec.split():
            name, kind = item.split(":")
            numeric = kind[0] == "N"
            columns.append(
                RefColumn(
                    name,
                    numeric,
                    int(kind[1:]) if numeric else 0,
                    None if numeric else int(kind[1:]),
                )
            )
        found[file] = columns
    assert len(found) == 20, sorted(found)
    return found


def load(source: Path | dict[str, bytes]) -> dict[str, bytes]:
    """The export's files from a folder, a zip, or a dict of bytes."""
    if isinstance(source, dict):
        return source
    if source.is_dir():
        return {path.name: path.read_bytes() for path in source.iterdir() if path.is_file()}
    with zipfile.ZipFile(source) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


_NUMBER = re.compile(r"-?\d+(?:,(\d+))?")


def _split(record: str) -> list[tuple[str, bool]]:
    """Fields of one record as (value, was quoted); refuses what the format does not allow."""
    fields: list[tuple[str, bool]] = []
    at = 0
    while True:
        if record.startswith('"', at):
            end = at + 1
            value = []
            while True:
                quote = record.index('"', end)  # ValueError: unclosed quote
                value.append(record[end:quote])
                if record.startswith('""', quote):
                    value.append('"')
                    end = quote + 2
                    continue
                at = quote + 1
                break
            fields.append(("".join(value), True))
        else:
            end = record.find(";", at)
            end = len(record) if end < 0 else end
            raw = record[at:end]
            if '"' in raw:
                raise ValueError(f"Anführungszeichen mitten im Feld: {raw!r}")
            fields.append((raw, False))
            at = end
        if at == len(record):
            return fields
        if record[at] != ";":
            raise ValueError(f"nach dem Feld folgt {record[at]!r} statt ';'")
        at += 1


def parse_csv(name: str, data: bytes, columns: list[RefColumn], problems: list[str]) -> list[dict]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{name}: kein UTF-8 ({exc})")
        return []
    if text.startswith("\ufeff"):
        problems.append(f"{name}: beginnt mit einer BOM")
    if (
        not text.endswith("\r\n")
        or "\n" in text.replace("\r\n", "")
        or "\r" in text.replace("\r\n", "")
    ):
        problems.append(f"{name}: Datensätze nicht durchweg mit CRLF beendet")
    records = text.split("\r\n")[:-1]
    if not records:
        problems.append(f"{name}: leer, nicht einmal eine Kopfzeile")
        return []
    header = records[0].split(";")
    wanted = [column.name for column in columns]
    if header != wanted:
        problems.append(f"{name}: Spalten {header}, laut Referenz {wanted}")
        return []
    rows = []
    for number, record in enumerate(records[1:], start=2):
        try:
            fields = _split(record)
        except ValueError as exc:
            problems.append(f"{name} Zeile {number}: {exc}")
            continue
        if len(fields) != len(columns):
            problems.append(f"{name} Zeile {number}: {len(fields)} Felder statt {len(columns)}")
            continue
        row = {}
        for column, (value, quoted) in zip(columns, fields, strict=True):
            where = f"{name} Zeile {number} {column.name}"
            if column.numeric:
                if quoted:
                    problems.append(f"{where}: Zahl in Anführungszeichen")
                elif value:
                    match = _NUMBER.fullmatch(value)
                    places = len(match.group(1) or "") if match else -1
                    if match is None or places != column.places:
                        problems.append(
                            f"{where}: {value!r} ist keine Zahl mit {column.places} Nachkommastellen"
                        )
            else:
                if not quoted:
                    problems.append(f"{where}: Text ohne Anführungszeichen")
                if column.max_length is not None and len(value) > column.max_length:
                    problems.append(f"{where}: länger als {column.max_length} Zeichen")
            row[column.name] = value
        rows.append(row)
    return rows


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


# --- index.xml against the DTD ---------------------------------------------------------------


def _content_models(dtd: str) -> dict[str, re.Pattern | str]:
    models: dict[str, re.Pattern | str] = {}
    for name, model in re.findall(r"<!ELEMENT\s+(\S+)\s+(.*?)>", dtd, re.S):
        model = model.strip()
        if model in ("EMPTY", "(#PCDATA)"):
            models[name] = model
            continue
        pattern = re.sub(r"[A-Za-z_][\w.-]*", lambda m: f"(?:<{m.group(0)}>)", model)
        pattern = pattern.replace(",", "").replace(" ", "")
        models[name] = re.compile(pattern)
    return models


def check_index_against_dtd(index: bytes, dtd: bytes, problems: list[str]) -> ET.Element | None:
    text = index.decode("utf-8")
    if '<!DOCTYPE DataSet SYSTEM "gdpdu-01-09-2004.dtd">' not in text:
        problems.append("index.xml: DOCTYPE nennt nicht DataSet und gdpdu-01-09-2004.dtd")
    try:
        root = ET.fromstring(index)
    except ET.ParseError as exc:
        problems.append(f"index.xml: kein wohlgeformtes XML ({exc})")
        return None
    models = _content_models(dtd.decode("utf-8"))
    if root.tag != "DataSet":
        problems.append(f"index.xml: Wurzel {root.tag}, laut DTD DataSet")
    for element in root.iter():
        model = models.get(element.tag)
        children = "".join(f"<{child.tag}>" for child in element)
        has_text = bool((element.text or "").strip())
        if model is None:
            problems.append(f"index.xml: <{element.tag}> ist in der DTD nicht erklärt")
        elif model == "EMPTY":
            if children or has_text:
                problems.append(f"index.xml: <{element.tag}> muss leer sein")
        elif model == "(#PCDATA)":
            if children:
                problems.append(f"index.xml: <{element.tag}> darf nur Text enthalten")
        elif not model.fullmatch(children):
            problems.append(
                f"index.xml: Inhalt von <{element.tag}> passt nicht zur DTD: {children}"
            )
    return root


def _index_columns(root: ET.Element) -> dict[str, list[str]]:
    return {
        table.findtext("URL"): [c.findtext("Name") for c in table.iter("VariableColumn")]
        for table in root.iter("Table")
    }


# --- the whole export -------------------------------------------------------------------------


def read_export(
    source: Path | dict[str, bytes], problems: list[str] | None = None
) -> dict[str, list[dict]]:
    """Every file's rows, parsed against the reference columns."""
    problems = [] if problems is None else problems
    files = load(source)
    tables = {}
    for name, columns in reference_tables().items():
        if name not in files:
            problems.append(f"{name} fehlt")
            tables[name] = []
            continue
        tables[name] = parse_csv(name, files[name], columns, problems)
    return tables


def check_export(
    source: Path | dict[str, bytes], entries: Iterable[Entry] | None = None
) -> dict[str, list[dict]]:
    """All checks; AssertionError with every problem found. Returns the rows."""
    problems: list[str] = []
    files = load(source)
    tables = read_export(files, problems)
    for extra in ("index.xml", "gdpdu-01-09-2004.dtd"):
        if extra not in files:
            problems.append(f"{extra} fehlt")
    if (
        "gdpdu-01-09-2004.dtd" in files
        and files["gdpdu-01-09-2004.dtd"] != (DATA / "gdpdu-01-09-2004.dtd").read_bytes()
    ):
        problems.append("gdpdu-01-09-2004.dtd ist nicht die DTD der Referenz")
    if "index.xml" in files:
        root = check_index_against_dtd(
            files["index.xml"], (DATA / "gdpdu-01-09-2004.dtd").read_bytes(), problems
        )
        if root is not None:
            described = _index_columns(root)
            for name, columns in reference_tables().items():
                if described.get(name) != [c.name for c in columns]:
                    problems.append(
                        f"index.xml beschreibt {name} nicht mit den Spalten der Referenz"
                    )
            if set(described) - set(reference_tables()):
                problems.append(
                    f"index.xml beschreibt unbekannte Dateien {set(described) - set(reference_tables())}"
                )
    _check_keys(tables, problems)
    _check_transactions(tables, problems)
    _check_totals(tables, problems)
    _check_voids(tables, problems)
    if entries is not None:
        _check_against_journal(tables, list(entries), problems)
    assert not problems, "DSFinV-K-Export fehlerhaft:\n" + "\n".join(problems[:60])
    return tables


def _key(row: dict) -> tuple[str, str, str]:
    return row["Z_KASSE_ID"], row["Z_ERSTELLUNG"], row["Z_NR"]


def _check_keys(tables: dict[str, list[dict]], problems: list[str]) -> None:
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


def _check_transactions(tables: dict[str, list[dict]], problems: list[str]) -> None:
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


def _check_totals(tables: dict[str, list[dict]], problems: list[str]) -> None:
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


def _check_voids(tables: dict[str, list[dict]], problems: list[str]) -> None:
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


def _check_against_journal(
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
