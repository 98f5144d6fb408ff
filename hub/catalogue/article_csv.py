"""The wholesaler's article list as CSV, read into article rows with every problem per row.

Accepted as German spreadsheets write it: ``;`` or ``,`` as separator (whichever the header
uses), UTF-8 (with or without BOM) or Windows-1252, prices with a decimal comma, VAT as
"19", "7 %" or "0". The header names the columns (case and spaces do not matter; the German
names and the article list's own keys both work); the order is free, unknown columns are
ignored. Each row is checked exactly as the truck checks its article list
(``tourkasse.article_list``), so what the hub accepts, every truck accepts.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from hub.catalogue.toml_text import article_list_text
from tourkasse.article_list import parse_article_list
from tourkasse.config import ConfigError

COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("artikelnummer", "art.-nr.", "artnr", "art-nr", "nummer", "number"),
    "name": ("bezeichnung", "artikelbezeichnung", "name", "artikel"),
    "price": ("preis", "vk", "vk-preis", "verkaufspreis", "bruttopreis", "price"),
    "vat": ("mwst", "mwst.", "ust", "mehrwertsteuer", "steuersatz", "vat"),
    "group": ("warengruppe", "gruppe", "group"),
    "unit": ("einheit", "unit"),
    "gtin": ("ean", "gtin", "eans"),
    "net_content": ("inhalt", "füllmenge", "net_content"),
    "content_unit": ("inhaltseinheit", "content_unit"),
    "deposit": ("pfand", "pfandartikel-nr", "deposit"),
    "age_limit": ("altersgrenze", "ab", "age_limit"),
    "allergens": ("allergene", "allergens"),
    "is_deposit": ("ist pfand", "pfandartikel", "is_deposit"),
}
REQUIRED = ("number", "name", "price", "vat", "group")
UNITS = {"stück": "piece", "stk": "piece", "st": "piece", "st.": "piece", "piece": "piece",
         "kg": "kg"}  # fmt: skip
YES = {"ja", "j", "x", "1", "true", "yes"}


@dataclass
class CsvRow:
    line: int  # in the file, counting the header as line 1
    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)


class CsvError(ValueError):
    """The file as a whole cannot be read; str() says why in German."""


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvError("Datei ist weder UTF-8 noch Windows-1252")  # cp1252 decodes almost all


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().casefold()
        for field_name, aliases in COLUMNS.items():
            if key in aliases and field_name not in found:
                found[field_name] = index
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise CsvError(
            f"Spalte(n) fehlen: {', '.join(missing)} – erwartet z. B. die Kopfzeile "
            "Artikelnummer;Bezeichnung;Preis;MwSt;Warengruppe"
        )
    return found


def _value(name: str, raw: str) -> Any:
    """The CSV cell as the article list writes it; ValueError in words when it cannot be."""
    text = raw.strip()
    if name in ("number", "name", "group", "allergens", "deposit", "content_unit"):
        return text
    if name == "price":
        return text.replace("€", "").replace(" ", "")
    if name == "vat":
        number = re.fullmatch(r"(\d+)(?:[.,]0+)?\s*%?", text)
        if number is None:
            raise ValueError(f"MwSt. „{text}“: erwartet 19, 7 oder 0")
        return int(number.group(1))
    if name == "unit":
        unit = UNITS.get(text.casefold())
        if unit is None:
            raise ValueError(f"Einheit „{text}“: erwartet Stück oder kg")
        return unit
    if name == "gtin":
        return [code for code in re.split(r"[\s,|/]+", text) if code]
    if name in ("net_content", "age_limit"):
        if not text.isdigit():
            raise ValueError(f"„{text}“: erwartet eine ganze Zahl")
        return int(text)
    if name == "is_deposit":
        return text.casefold() in YES
    raise AssertionError(name)


def read_csv(data: bytes) -> list[CsvRow]:
    """Every data row with its values and what is wrong with it (empty when it is fine)."""
    text = _text(data)
    if not text.strip():
        raise CsvError("Datei ist leer")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    columns = _columns(header)
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = CsvRow(line, {})
        for name, index in columns.items():
            cell = cells[index] if index < len(cells) else ""
            if not cell.strip():
                if name in REQUIRED:
                    row.problems.append(f"{name}: leer")
                continue
            try:
                row.values[name] = _value(name, cell)
            except ValueError as exc:
                row.problems.append(str(exc))
        if not row.problems:
            row.problems.extend(_single_row_problems(row.values))
        rows.append(row)
    if not rows:
        raise CsvError("keine Artikelzeilen unter der Kopfzeile")
    return rows


def _single_row_problems(values: dict[str, Any]) -> list[str]:
    """The truck's own checks of one article (types, price, VAT, EAN check digits)."""
    try:
        parse_article_list(article_list_text([values], []), "CSV")
    except ConfigError as exc:
        return [
            f"{p.key.split('.', 1)[1] + ': ' if '.' in p.key else ''}{p.message}"
            for p in exc.problems
            if not p.key.endswith(".deposit")  # the deposit article may come in another row
        ]
    return []


def read_article_file(name: str, data: bytes) -> tuple[list[CsvRow], list[dict[str, Any]] | None]:
    """An upload: the wholesaler's CSV, or an article list as the trucks import it (TOML,
    e.g. the one kept so far for ``tourkasse hub publish articles``), which brings its
    department keys along. Rows, and the department keys (None for a CSV)."""
    if not name.casefold().endswith(".toml"):
        return read_csv(data), None
    from dataclasses import asdict

    from tourkasse.article_list import ArticleListFile
    from tourkasse.config import parse_config

    try:
        raw = parse_config(_text(data), ArticleListFile, source=name)
    except ConfigError as exc:
        raise CsvError("; ".join(str(problem) for problem in exc.problems)) from None
    rows = []
    for index, article in enumerate(raw.article):
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(article).items()}
        values = {k: v for k, v in values.items() if v not in (None, "", [], False)}
        rows.append(CsvRow(index + 1, values, _single_row_problems(values)))
    if not rows:
        raise CsvError("keine Artikel in der Datei")
    return rows, [asdict(department) for department in raw.department]
