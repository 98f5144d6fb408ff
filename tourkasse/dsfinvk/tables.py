"""The twenty DSFinV-K files: their names, columns in the specification's order, and formats.

The definitions are data (``tables.csv`` beside this module): fourteen copied from the
reference index.xml of the specification, six from its text (more-tables.md in the
reference). The CSV writer and index.xml are both made from them, so the two cannot differ.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Column:
    name: str
    numeric: bool
    max_length: int | None  # text columns only
    places: int  # decimal places of a numeric column (0: an integer)
    description: str


@dataclass(frozen=True)
class Table:
    file: str  # e.g. "transactions.csv"
    name: str  # the specification's name, e.g. "Bonkopf"
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


@cache
def tables() -> tuple[Table, ...]:
    """All twenty, in the order index.xml lists them."""
    text = resources.files(__package__).joinpath("tables.csv").read_text(encoding="utf-8")
    found: dict[str, tuple[str, list[Column]]] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter=";"):
        _, columns = found.setdefault(row["file"], (row["table"], []))
        columns.append(
            Column(
                row["column"],
                row["type"] == "N",
                int(row["max_length"]) if row["max_length"] else None,
                int(row["places"]) if row["places"] else 0,
                row["description"],
            )
        )
    return tuple(Table(file, name, tuple(columns)) for file, (name, columns) in found.items())


@cache
def table(file: str) -> Table:
    for candidate in tables():
        if candidate.file == file:
            return candidate
    raise KeyError(file)


FILES = tuple(t.file for t in tables())
