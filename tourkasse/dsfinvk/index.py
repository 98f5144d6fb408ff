"""index.xml: the description of the twenty files after the GDPdU DTD, as the reference has it."""

from __future__ import annotations

from xml.sax.saxutils import escape

from tourkasse.dsfinvk.tables import Column, Table, tables

DTD_NAME = "gdpdu-01-09-2004.dtd"


def _column(column: Column) -> list[str]:
    lines = [
        "        <VariableColumn>",
        f"          <Name>{column.name}</Name>",
        f"          <Description>{escape(column.description)}</Description>",
    ]
    if column.numeric and column.places:
        lines += [
            "          <Numeric>",
            f"            <Accuracy>{column.places}</Accuracy>",
            "          </Numeric>",
        ]
    elif column.numeric:
        lines.append("          <Numeric />")
    else:
        lines.append("          <AlphaNumeric />")
        if column.max_length is not None:
            lines.append(f"          <MaxLength>{column.max_length}</MaxLength>")
    lines.append("        </VariableColumn>")
    return lines


def _table(table: Table) -> list[str]:
    lines = [
        "    <Table>",
        f"      <URL>{table.file}</URL>",
        f"      <Name>{table.name}</Name>",
        f"      <Description>{table.file}</Description>",
        "      <UTF8 />",
        "      <DecimalSymbol>,</DecimalSymbol>",
        "      <DigitGroupingSymbol>.</DigitGroupingSymbol>",
        "      <Range>",
        "        <From>2</From>",
        "      </Range>",
        "      <VariableLength>",
        "        <ColumnDelimiter>;</ColumnDelimiter>",
        "        <RecordDelimiter>&#xD;&#xA;</RecordDelimiter>",
        '        <TextEncapsulator>"</TextEncapsulator>',
    ]
    for column in table.columns:
        lines += _column(column)
    lines += ["      </VariableLength>", "    </Table>"]
    return lines


def index_xml(supplier: str, location: str, comment: str) -> bytes:
    """index.xml for all twenty files; CRLF line ends like the reference."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<!DOCTYPE DataSet SYSTEM "{DTD_NAME}">',
        "<DataSet>",
        "  <Version>1.0</Version>",
        "  <DataSupplier>",
        f"    <Name>{escape(supplier)}</Name>",
        f"    <Location>{escape(location)}</Location>",
        f"    <Comment>{escape(comment)}</Comment>",
        "  </DataSupplier>",
        "  <Media>",
        "    <Name>CD Nummer 1</Name>",
    ]
    for table in tables():
        lines += _table(table)
    lines += ["  </Media>", "</DataSet>"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
