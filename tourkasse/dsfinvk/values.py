"""How values are written into the DSFinV-K files: quotes, decimal comma, times, CRLF.

Money stays integer cents until here; a number is written with exactly the decimal places its
column declares in index.xml, so a reader never has to guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tourkasse.dsfinvk.tables import Column, Table

# Times are written in the shop's own zone with their offset: the same on truck and hub.
ZONE = ZoneInfo("Europe/Berlin")
RECORD_END = "\r\n"


@dataclass(frozen=True)
class Dec:
    """An exact decimal: ``units`` × 10^-``exp`` (cents are Dec(cents, 2))."""

    units: int
    exp: int


def eur(cents: int) -> Dec:
    return Dec(cents, 2)


def timestamp(moment: datetime) -> str:
    """ISO 8601 in local time to the second, with the offset: 2026-11-24T08:03:00+01:00."""
    return moment.astimezone(ZONE).isoformat(timespec="seconds")


def business_day(moment: datetime) -> str:
    return moment.astimezone(ZONE).date().isoformat()


class FormatError(ValueError):
    """A value that its column cannot hold (a programming error, not bad input)."""


def number_text(value: int | Dec | None, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise FormatError(f"{column.name}: Wahrheitswert statt Zahl")
    dec = Dec(value, 0) if isinstance(value, int) else value
    places = column.places
    if dec.exp > places:
        factor = 10 ** (dec.exp - places)
        if dec.units % factor:
            raise FormatError(f"{column.name}: {dec} hat mehr als {places} Nachkommastellen")
        units = dec.units // factor
    else:
        units = dec.units * 10 ** (places - dec.exp)
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), 10**places)
    return f"{sign}{whole},{fraction:0{places}d}" if places else f"{sign}{whole}"


def text_value(value: object, column: Column, notes: list[str]) -> str:
    text = "" if value is None else str(value)
    # a line break inside a field would read as the end of a record in some tools
    text = " ".join(text.splitlines())
    if column.max_length is not None and len(text) > column.max_length:
        notes.append(f"{column.name}: „{text[:30]}…“ auf {column.max_length} Zeichen gekürzt")
        text = text[: column.max_length]
    return '"' + text.replace('"', '""') + '"'


def csv_bytes(table: Table, rows: Iterable[Mapping[str, object]], notes: list[str]) -> bytes:
    """The file: a header row, then one record per row, every record ended by CRLF."""
    names = table.column_names
    lines = [";".join(names)]
    for row in rows:
        unknown = set(row) - set(names)
        if unknown:
            raise FormatError(f"{table.file}: unbekannte Spalten {sorted(unknown)}")
        cells = []
        for column in table.columns:
            value = row.get(column.name)
            if column.numeric:
                cells.append(number_text(value, column))  # type: ignore[arg-type]
            else:
                cells.append(text_value(value, column, notes))
        lines.append(";".join(cells))
    return (RECORD_END.join(lines) + RECORD_END).encode("utf-8")
