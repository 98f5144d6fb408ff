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
(values as text; ``dsfinvk_sums.cents`` reads an amount as integer cents) for a test's own
assertions.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.support.dsfinvk_sums import (
    check_against_journal,
    check_keys,
    check_totals,
    check_transactions,
    check_voids,
)
from tourkasse.journal import Entry

DATA = Path(__file__).resolve().parent.parent / "data" / "dsfinvk"


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
    assert not problems, "DSFinV-K-Export nicht lesbar:\n" + "\n".join(problems[:60])
    check_keys(tables, problems)
    check_transactions(tables, problems)
    check_totals(tables, problems)
    check_voids(tables, problems)
    if entries is not None:
        check_against_journal(tables, list(entries), problems)
    assert not problems, "DSFinV-K-Export fehlerhaft:\n" + "\n".join(problems[:60])
    return tables
