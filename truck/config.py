"""The truck's configuration: who the shop is, which truck this is, and its devices.

One TOML file (see ``config/truck.example.toml``) is read by :func:`load_truck_config`; every
mistake in it is reported at once as a :class:`tourkasse.config.ConfigError`. Relative paths
are taken relative to the folder the file is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tourkasse.config import describe_value, in_range, load_config, matches, not_empty
from tourkasse.pin import looks_hashed

Language = Literal["de", "en"]
PrinterKind = Literal["none", "file", "network", "serial", "usb"]
ScaleProtocol = Literal["none", "simulated", "dialog06", "toledo8217"]

BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)

_TAX_NUMBER = re.compile(r"[0-9/ ]+")


def _check_tax_number(value: str) -> None:
    digits = sum(char.isdigit() for char in value)
    if _TAX_NUMBER.fullmatch(value) is None or not 10 <= digits <= 13:
        raise ValueError(
            'erwartet eine Steuernummer wie "12/345/67890" oder "2181508150" '
            "(10 bis 13 Ziffern, dazwischen nur Schrägstriche oder Leerzeichen), "
            f"gefunden {describe_value(value)}"
        )


def _check_baudrate(value: int) -> None:
    if value not in BAUDRATES:
        allowed = ", ".join(str(rate) for rate in BAUDRATES)
        raise ValueError(f"erwartet eine Baudrate ({allowed}), gefunden {value}")


def _requires(kind_key: str, kind: str, present: dict[str, object]) -> Iterator[tuple[str, str]]:
    for key, value in present.items():
        if value is None:
            yield key, f"fehlt – wird für {kind_key} = {describe_value(kind)} gebraucht"


@dataclass(frozen=True)
class ShopSettings:
    """The business that sells: printed on every receipt and in the fiscal export."""

    name: str = field(metadata={"doc": "Name des Unternehmens", "check": not_empty})
    street: str = field(metadata={"doc": "Straße und Hausnummer", "check": not_empty})
    postcode: str = field(
        metadata={"doc": "Postleitzahl", "check": matches(r"[0-9]{5}", "fünf Ziffern")}
    )
    city: str = field(metadata={"doc": "Ort", "check": not_empty})
    tax_number: str = field(
        metadata={"doc": "Steuernummer, z. B. 12/345/67890", "check": _check_tax_number}
    )
    country: str = field(
        default="DE",
        metadata={
            "doc": "Land (ISO 3166-1, zwei Großbuchstaben)",
            "check": matches(r"[A-Z]{2}", 'zwei Großbuchstaben wie "DE"'),
        },
    )
    vat_id: str | None = field(
        default=None,
        metadata={
            "doc": "Umsatzsteuer-Identifikationsnummer (USt-IdNr.), falls vorhanden",
            "check": matches(r"DE[0-9]{9}", '"DE" und neun Ziffern, z. B. "DE123456789"'),
        },
    )


@dataclass(frozen=True)
class TruckSettings:
    """This truck and its till."""

    id: str = field(
        metadata={
            "doc": "Kennung des Wagens, z. B. T01 (wird in MQTT-Topics verwendet)",
            "check": matches(
                r"[A-Za-z0-9][A-Za-z0-9-]{0,31}",
                'eine Kennung aus Buchstaben, Ziffern und "-" (höchstens 32 Zeichen), z. B. "T01"',
            ),
        }
    )
    till_serial: str = field(
        metadata={"doc": "Seriennummer der Kasse (Client-ID für die TSE)", "check": not_empty}
    )


@dataclass(frozen=True)
class PathSettings:
    """Where the truck keeps its data; relative paths count from the config file's folder."""

    journal: Path = field(
        default=Path("var/journal.sqlite"), metadata={"doc": "SQLite-Datei des Journals"}
    )
    track: Path = field(
        default=Path("var/track.sqlite"), metadata={"doc": "SQLite-Datei der Fahrtspur (GPS)"}
    )
    tse: Path = field(default=Path("var/tse"), metadata={"doc": "Verzeichnis der Software-TSE"})


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID_TEXT = 'eine UUID wie "0b8ec2f0-6b5a-4c3e-9d0e-2f6a1c7b9e41"'


@dataclass(frozen=True)
class TseSettings:
    """The technical security system (TSE) that signs every business event.

    ``software``: the uncertified software TSE (for trying Tourkasse out). ``fiskaly``: the
    certified cloud TSE fiskaly SIGN DE v2, which needs the network for every receipt.
    """

    kind: Literal["software", "fiskaly"] = field(
        metadata={
            "doc": "Art der TSE: software (nicht zertifiziert, zum Ausprobieren) oder "
            "fiskaly (Cloud-TSE, braucht für jeden Bon Netz)"
        }
    )
    curve: Literal["P-256", "P-384"] = field(
        default="P-256", metadata={"doc": "Elliptische Kurve der Signaturschlüssel (software)"}
    )
    base_url: str = field(
        default="https://kassensichv-middleware.fiskaly.com/api/v2",
        metadata={
            "doc": "Adresse der fiskaly-API (fiskaly)",
            "check": matches(r"https?://\S+", 'eine Adresse wie "https://…"'),
        },
    )
    api_key: str | None = field(
        default=None,
        metadata={"doc": "API-Key aus dem fiskaly-Dashboard (fiskaly)", "check": not_empty},
    )
    api_secret: str | None = field(
        default=None, metadata={"doc": "API-Secret zum API-Key (fiskaly)", "check": not_empty}
    )
    tss_id: str | None = field(
        default=None,
        metadata={"doc": "UUID der TSS bei fiskaly (fiskaly)", "check": matches(_UUID, _UUID_TEXT)},
    )
    client_id: str | None = field(
        default=None,
        metadata={
            "doc": "UUID dieser Kasse als Client der TSS (fiskaly); ihre Seriennummer ist "
            "truck.till_serial",
            "check": matches(_UUID, _UUID_TEXT),
        },
    )
    admin_pin: str | None = field(
        default=None,
        metadata={
            "doc": "Admin-PIN der TSS, nur zum Einrichten nötig (fiskaly); besser nicht dauerhaft "
            "in der Datei lassen",
            "check": matches(r"\S{6,}", "mindestens sechs Zeichen ohne Leerzeichen"),
        },
    )
    timeout_ms: int = field(
        default=5000,
        metadata={"doc": "Wartezeit je Anfrage an fiskaly in ms", "check": in_range(100, 60000)},
    )
    retries: int = field(
        default=2,
        metadata={
            "doc": "So oft wird eine Anfrage wiederholt, bevor der Bon im TSE-Ausfall verkauft wird",
            "check": in_range(0, 10),
        },
    )

    def check_config(self) -> Iterator[tuple[str, str]]:
        if self.kind == "fiskaly":
            needed: dict[str, object] = {
                "api_key": self.api_key,
                "api_secret": self.api_secret,
                "tss_id": self.tss_id,
                "client_id": self.client_id,
            }
            yield from _requires("kind", self.kind, needed)


@dataclass(frozen=True)
class PrinterSettings:
    """The receipt printer (ESC/POS) and how it is connected."""

    kind: PrinterKind = field(metadata={"doc": "Anschluss des Bondruckers"})
    path: Path | None = field(default=None, metadata={"doc": "Datei (kind = file)"})
    host: str | None = field(
        default=None, metadata={"doc": "Rechnername oder IP (kind = network)", "check": not_empty}
    )
    port: int = field(
        default=9100, metadata={"doc": "TCP-Port (kind = network)", "check": in_range(1, 65535)}
    )
    device: str | None = field(
        default=None,
        metadata={"doc": "Serielle Schnittstelle, z. B. /dev/ttyUSB0 (kind = serial)"},
    )
    baudrate: int = field(
        default=9600, metadata={"doc": "Baudrate (kind = serial)", "check": _check_baudrate}
    )
    vendor_id: int | None = field(
        default=None, metadata={"doc": "USB-Vendor-ID (kind = usb)", "check": in_range(0, 0xFFFF)}
    )
    product_id: int | None = field(
        default=None,
        metadata={"doc": "USB-Product-ID (kind = usb)", "check": in_range(0, 0xFFFF)},
    )
    columns: int = field(
        default=42, metadata={"doc": "Zeichen pro Zeile", "check": in_range(16, 80)}
    )
    code_page: str = field(
        default="CP858", metadata={"doc": "Zeichensatz (CP858 hat Umlaute und €)"}
    )

    def check_config(self) -> Iterator[tuple[str, str]]:
        needed: dict[str, dict[str, object]] = {
            "none": {},
            "file": {"path": self.path},
            "network": {"host": self.host},
            "serial": {"device": self.device},
            "usb": {"vendor_id": self.vendor_id, "product_id": self.product_id},
        }
        yield from _requires("kind", self.kind, needed[self.kind])


@dataclass(frozen=True)
class ScaleSettings:
    """The scale and its serial line (see docs on Dialog 06 and Toledo 8217)."""

    protocol: ScaleProtocol = field(metadata={"doc": "Protokoll der Waage"})
    device: str | None = field(
        default=None,
        metadata={"doc": "Serielle Schnittstelle, z. B. /dev/ttyUSB1 (dialog06, toledo8217)"},
    )
    baudrate: int = field(default=9600, metadata={"doc": "Baudrate", "check": _check_baudrate})
    bytesize: Literal[7, 8] = field(default=7, metadata={"doc": "Datenbits"})
    parity: Literal["N", "E", "O"] = field(
        default="E", metadata={"doc": "Parität: N keine, E gerade, O ungerade"}
    )
    stopbits: Literal[1, 2] = field(default=1, metadata={"doc": "Stoppbits"})
    timeout_ms: int = field(
        default=1000,
        metadata={"doc": "Wartezeit auf eine Antwort in ms", "check": in_range(1, 60000)},
    )
    till_computed_price: bool = field(
        default=False,
        metadata={
            "doc": "Kasse darf den Preis aus dem Gewicht berechnen (nur eichrechtlich zulässig, "
            "wenn die Waage das nicht selbst tut; wird im Journal vermerkt)"
        },
    )
    handshake_file: Path | None = field(
        default=None,
        metadata={
            "doc": "Datei mit den Herstellerwerten für den Prüfsummen-Abgleich (Dialog 06, "
            "Record 10/11); nur nötig, wenn die Waage ihn verlangt"
        },
    )

    def check_config(self) -> Iterator[tuple[str, str]]:
        if self.protocol in ("dialog06", "toledo8217"):
            yield from _requires("protocol", self.protocol, {"device": self.device})
        # The file's content is checked where the scale is set up (truck.pos.start), since
        # its format belongs to the Dialog 06 driver.
        if self.handshake_file is not None and self.protocol != "dialog06":
            yield ("handshake_file", 'gibt es nur bei protocol = "dialog06"')


@dataclass(frozen=True)
class InstoreBarcode:
    """An in-store EAN-13 prefix (20–29) and what its value field holds."""

    prefix: str = field(
        metadata={
            "doc": "Präfix 20 bis 29",
            "check": matches(r"2[0-9]", 'zwei Ziffern "20" bis "29"'),
        }
    )
    kind: Literal["weight", "price"] = field(
        metadata={"doc": "weight: Gewicht in Gramm, price: Preis in Cent"}
    )


@dataclass(frozen=True)
class BarcodeSettings:
    """Barcodes for weighed and priced goods; an empty list keeps the built-in defaults."""

    instore: tuple[InstoreBarcode, ...] = field(
        default=(), metadata={"doc": "Präfixe für Waagen-Etiketten; leer = eingebaute Vorgaben"}
    )

    def check_config(self) -> Iterator[tuple[str, str]]:
        seen: set[str] = set()
        for index, barcode in enumerate(self.instore):
            if barcode.prefix in seen:
                yield (
                    f"instore[{index}].prefix",
                    f"Präfix {describe_value(barcode.prefix)} kommt mehrfach vor",
                )
            seen.add(barcode.prefix)


@dataclass(frozen=True)
class StaffMember:
    """Someone who may sign on at the till."""

    number: str = field(
        metadata={"doc": "Personalnummer", "check": matches(r"[0-9]{1,6}", "1 bis 6 Ziffern")}
    )
    name: str = field(metadata={"doc": "Name, wie er auf dem Bon steht", "check": not_empty})
    pin_hash: str = field(
        metadata={"doc": "PIN als Hash (tourkasse truck staff pin-hash)", "check": looks_hashed}
    )


@dataclass(frozen=True)
class ScannerSettings:
    """The barcode scanner: a keyboard-wedge one needs nothing; a serial one its port."""

    kind: Literal["keyboard", "serial"] = field(
        default="keyboard", metadata={"doc": "keyboard (tippt wie eine Tastatur) oder serial"}
    )
    device: str | None = field(default=None, metadata={"doc": "Schnittstelle (kind = serial)"})
    baudrate: int = field(default=9600, metadata={"doc": "Baudrate (kind = serial)"})

    def check_config(self) -> Iterator[tuple[str, str]]:
        if self.kind == "serial" and not self.device:
            yield ("device", 'fehlt – wird für kind = "serial" gebraucht')


@dataclass(frozen=True)
class PosSettings:
    """The till's screen."""

    loose_goods: tuple[str, ...] = field(
        default=(),
        metadata={"doc": "Artikelnummern loser Ware als große Tasten (Obst, Gemüse, Käse, Wurst)"},
    )


@dataclass(frozen=True)
class TourSettings:
    """The tours this truck drives (a tour file, the same one the hub reads)."""

    file: Path | None = field(
        default=None,
        metadata={"doc": "Tourdatei mit Touren und Halten; ohne sie kennt die Kasse keine Halte"},
    )


@dataclass(frozen=True)
class GpsSettings:
    """The GPS receiver through gpsd, the track, and the clock check (used by the agent)."""

    host: str = field(default="127.0.0.1", metadata={"doc": "Rechner von gpsd"})
    port: int = field(default=2947, metadata={"doc": "Port von gpsd", "check": in_range(1, 65535)})
    timeout_ms: int = field(
        default=2000, metadata={"doc": "Wartezeit auf gpsd in ms", "check": in_range(10, 60000)}
    )
    poll_ms: int = field(
        default=1000,
        metadata={"doc": "Wie oft der Agent gpsd fragt, in ms", "check": in_range(1, 60000)},
    )
    max_fix_age_s: int = field(
        default=10,
        metadata={"doc": "Älter ist eine Position veraltet (Sekunden)", "check": in_range(1, 3600)},
    )
    track_every_s: int = field(
        default=30,
        metadata={"doc": "Abstand der Punkte der Fahrtspur (Sekunden)", "check": in_range(1, 3600)},
    )
    track_retention_days: int = field(
        default=7,
        metadata={
            "doc": "Fahrtspur nach so vielen Tagen löschen (Positionen sind personenbezogen)",
            "check": in_range(1, 365),
        },
    )
    clock_check: bool = field(
        default=True,
        metadata={
            "doc": "Systemuhr mit der GPS-Zeit vergleichen (aus nur beim Abspielen von Aufzeichnungen)"
        },
    )
    clock_tolerance_s: int = field(
        default=5,
        metadata={
            "doc": "So viele Sekunden darf die Uhr von GPS abweichen",
            "check": in_range(1, 600),
        },
    )


@dataclass(frozen=True)
class HubSettings:
    """How the agent reaches the hub: the MQTT broker, this truck's login there, the pace."""

    enabled: bool = field(default=False, metadata={"doc": "Mit der Zentrale abgleichen"})
    host: str = field(default="127.0.0.1", metadata={"doc": "Rechner des MQTT-Brokers"})
    port: int = field(
        default=1883, metadata={"doc": "Port des Brokers", "check": in_range(1, 65535)}
    )
    password: str = field(
        default="",
        metadata={
            "doc": "Passwort des Wagens am Broker (Benutzername und Client-ID: die Wagen-ID)"
        },
    )
    tls_ca: Path | None = field(
        default=None,
        metadata={"doc": "CA-Zertifikat des Brokers; gesetzt heißt: Verbindung über TLS"},
    )
    keepalive_s: int = field(
        default=30, metadata={"doc": "Keepalive in Sekunden", "check": in_range(5, 3600)}
    )
    batch_size: int = field(
        default=200,
        metadata={"doc": "Journaleinträge je Nachricht", "check": in_range(1, 5000)},
    )
    ack_timeout_s: int = field(
        default=15,
        metadata={
            "doc": "Ohne Bestätigung der Zentrale nach so vielen Sekunden erneut senden",
            "check": in_range(1, 3600),
        },
    )
    drain_per_s: int = field(
        default=2000,
        metadata={
            "doc": "Einträge je Sekunde beim Nachsenden nach einem Funkloch (eine Sekunde davon "
            "geht beim Verbinden sofort hinaus, danach höchstens so viele)",
            "check": in_range(1, 1_000_000),
        },
    )
    position_every_s: int = field(
        default=5,
        metadata={"doc": "Live-Position alle so viele Sekunden", "check": in_range(1, 3600)},
    )


@dataclass(frozen=True)
class TruckConfig:
    """Everything the truck's till and agent are configured with."""

    shop: ShopSettings = field(metadata={"doc": "Das Unternehmen"})
    truck: TruckSettings = field(metadata={"doc": "Dieser Wagen"})
    tse: TseSettings = field(metadata={"doc": "Technische Sicherheitseinrichtung"})
    printer: PrinterSettings = field(metadata={"doc": "Bondrucker"})
    scale: ScaleSettings = field(metadata={"doc": "Waage"})
    paths: PathSettings = field(default_factory=PathSettings, metadata={"doc": "Dateien"})
    barcode: BarcodeSettings = field(default_factory=BarcodeSettings, metadata={"doc": "Barcodes"})
    language: Language = field(default="de", metadata={"doc": "Sprache der Oberfläche"})
    staff: tuple[StaffMember, ...] = field(default=(), metadata={"doc": "Personal"})
    pos: PosSettings = field(default_factory=PosSettings, metadata={"doc": "Kassenoberfläche"})
    scanner: ScannerSettings = field(
        default_factory=ScannerSettings, metadata={"doc": "Barcode-Scanner"}
    )
    tour: TourSettings = field(default_factory=TourSettings, metadata={"doc": "Touren"})
    gps: GpsSettings = field(default_factory=GpsSettings, metadata={"doc": "GPS und Fahrtspur"})
    hub: HubSettings = field(
        default_factory=HubSettings, metadata={"doc": "Abgleich mit der Zentrale"}
    )


def load_truck_config(path: Path) -> TruckConfig:
    """Read the truck's TOML file; raises ConfigError listing every problem in it."""
    return load_config(path, TruckConfig)
