"""Fixtures: fake printers that are always stopped, and a receipt with everything in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from truck.devices.printer import Document, Line
from truck.devices.printer.simulator import NetworkPrinterSimulator, SerialPrinterSimulator

QR = (
    "V0;TK-T01-0001;Kassenbeleg-V1;Beleg^5.64_6.58_0.00_0.00_0.00^12.22:Bar;"
    "17;42;2026-11-24T07:30:00.000Z;2026-11-24T07:30:02.000Z;ecdsa-plain-SHA256;"
    "unixTime;MEUCIQDsignaturebase64==;BPublicKeyBase64=="
)

RECEIPT = Document(
    lines=(
        Line("Tourkasse Bäckerwagen", bold=True, align="center"),
        Line("Brötchen 6 x 0,45    2,70 €"),
        Line("Käse 250 g           3,24 €"),
        Line("Weißwein 0,75 l      6,28 €"),
        Line("SUMME 12,22 €", bold=True, double=True, align="right"),
        Line("Grüße aus Ödland", align="center"),
    ),
    qr=QR,
    cut=True,
    open_drawer=True,
)


@pytest.fixture
def receipt() -> Document:
    return RECEIPT


@pytest.fixture
def network_printer() -> Iterator[NetworkPrinterSimulator]:
    fake = NetworkPrinterSimulator()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def serial_printer() -> Iterator[SerialPrinterSimulator]:
    fake = SerialPrinterSimulator()
    try:
        yield fake
    finally:
        fake.stop()
