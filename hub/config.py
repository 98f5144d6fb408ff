"""The hub's configuration: where its store is, how it reaches the broker, where the web listens.

One TOML file (see ``config/hub.example.toml``) read by :func:`load_hub_config`; every mistake
is reported at once as a :class:`tourkasse.config.ConfigError`. Relative paths are taken
relative to the folder the file is in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from tourkasse.config import in_range, load_config, matches, not_empty


@dataclass(frozen=True)
class StoreSettings:
    """Where the hub keeps the trucks' journals and the figures computed from them."""

    url: str = field(
        default="sqlite:///var/hub.sqlite",
        metadata={
            "doc": "sqlite:///PFAD (relativ zur Konfigurationsdatei) oder "
            "postgresql://benutzer@rechner/datenbank",
            "check": matches(
                r"(sqlite:///|postgresql://|postgres://).+", "sqlite:///… oder postgresql://…"
            ),
        },
    )


@dataclass(frozen=True)
class MqttSettings:
    """The broker the trucks and the hub meet at."""

    host: str = field(default="127.0.0.1", metadata={"doc": "Rechner des MQTT-Brokers"})
    port: int = field(
        default=1883, metadata={"doc": "Port des Brokers", "check": in_range(1, 65535)}
    )
    username: str = field(
        default="hub", metadata={"doc": "Benutzername der Zentrale am Broker", "check": not_empty}
    )
    password: str = field(default="", metadata={"doc": "Passwort der Zentrale am Broker"})
    client_id: str = field(
        default="tourkasse-hub-ingest",
        metadata={
            "doc": "Feste Client-ID des Empfangs (die Sitzung bleibt beim Broker, auch wenn die "
            "Zentrale ruht); jeder Empfangsprozess braucht seine eigene",
            "check": matches(r"[A-Za-z0-9_-]{1,64}", "Buchstaben, Ziffern, - und _"),
        },
    )
    share_group: str = field(
        default="",
        metadata={
            "doc": "Mehrere Empfangsprozesse teilen sich die Nachrichten der Wagen (MQTT shared "
            "subscription dieser Gruppe; leer: ein Empfang bekommt alles)",
            "check": matches(r"[A-Za-z0-9_-]{0,64}", "Buchstaben, Ziffern, - und _"),
        },
    )
    tls_ca: Path | None = field(
        default=None,
        metadata={"doc": "CA-Zertifikat des Brokers; gesetzt heißt: Verbindung über TLS"},
    )
    keepalive_s: int = field(
        default=30, metadata={"doc": "Keepalive in Sekunden", "check": in_range(5, 3600)}
    )
    session_expiry_s: int = field(
        default=7 * 24 * 3600,
        metadata={
            "doc": "So lange hebt der Broker die Nachrichten für die ruhende Zentrale auf (Sekunden)",
            "check": in_range(60, 365 * 24 * 3600),
        },
    )


@dataclass(frozen=True)
class WebSettings:
    """The hub's web server (pages and API)."""

    host: str = field(default="127.0.0.1", metadata={"doc": "Adresse, an der das Web lauscht"})
    port: int = field(default=8080, metadata={"doc": "Port des Webs", "check": in_range(1, 65535)})
    session_hours: int = field(
        default=12,
        metadata={"doc": "So lange gilt eine Anmeldung (Stunden)", "check": in_range(1, 24 * 14)},
    )
    secure_cookies: bool = field(
        default=False,
        metadata={
            "doc": "Sitzungs-Cookie nur über HTTPS senden (einschalten, sobald das Web hinter "
            "HTTPS steht)"
        },
    )
    tile_url: str = field(
        default="",
        metadata={
            "doc": "Kachelserver der Karte, z. B. https://tile.openstreetmap.org/{z}/{x}/{y}.png "
            "(leer: Karte ohne Kacheln, nur Wagen und Halte)"
        },
    )
    tile_attribution: str = field(
        default="", metadata={"doc": "Quellenangabe der Kacheln, wie der Kachelserver sie verlangt"}
    )
    offline_alert_minutes: int = field(
        default=15,
        metadata={
            "doc": "Ein Wagen, der länger offline ist, wird als Warnung gezeigt (Minuten; 0: sofort)",
            "check": in_range(0, 24 * 60),
        },
    )


@dataclass(frozen=True)
class HubToursSettings:
    """The tour file: names of the stops in reports, and what the trucks download."""

    file: Path | None = field(default=None, metadata={"doc": "Tourdatei (wie auf den Wagen)"})


def _account(value: int) -> None:
    if not 1 <= value <= 99999999:
        raise ValueError(f"erwartet eine Kontonummer (1 bis 8 Ziffern), gefunden {value}")


def _optional_account(doc: str) -> Any:
    return field(default=None, metadata={"doc": doc, "check": _account})


@dataclass(frozen=True)
class AccountingSettings:
    """The accountant's exports: DATEV's numbers and the accounts of the chart (SKR03/SKR04).

    An account left out takes the chart's usual one (docs/accounting.md lists them). Revenue
    and deposit accounts must be automatic accounts, which book their VAT themselves: the export
    writes no BU key.
    """

    chart: Literal["SKR03", "SKR04"] = field(
        default="SKR03", metadata={"doc": "Kontenrahmen: SKR03 oder SKR04"}
    )
    adviser: int = field(
        default=1001,
        metadata={"doc": "DATEV-Beraternummer", "check": in_range(1001, 9999999)},
    )
    client: int = field(
        default=1, metadata={"doc": "DATEV-Mandantennummer", "check": in_range(1, 99999)}
    )
    fiscal_year_start: str = field(
        default="01-01",
        metadata={
            "doc": "Beginn des Wirtschaftsjahres als MM-TT (01-01: Kalenderjahr)",
            "check": matches(r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])", "MM-TT, z. B. 01-01"),
        },
    )
    account_length: int = field(
        default=4, metadata={"doc": "Sachkontenlänge in DATEV", "check": in_range(4, 8)}
    )
    initials: str = field(
        default="",
        metadata={
            "doc": "Diktatkürzel im DATEV-Stapel (höchstens zwei Zeichen)",
            "check": matches(r".{0,2}", "höchstens zwei Zeichen"),
        },
    )
    cash: int | None = _optional_account("Konto Kasse (SKR03 1000, SKR04 1600)")
    card_transit: int | None = _optional_account(
        "Konto Geldtransit für Kartenzahlungen (SKR03 1360, SKR04 1460)"
    )
    revenue_19: int | None = _optional_account("Erlöse 19 % (SKR03 8400, SKR04 4400)")
    revenue_7: int | None = _optional_account("Erlöse 7 % (SKR03 8300, SKR04 4300)")
    revenue_0: int | None = _optional_account(
        "Erlöse ohne Umsatzsteuer, 0 % (SKR03 8200, SKR04 4200)"
    )
    deposit_19: int | None = _optional_account(
        "Pfand zu 19 % (Automatikkonto; sonst wie die Erlöse 19 %)"
    )
    deposit_7: int | None = _optional_account(
        "Pfand zu 7 % (Automatikkonto; sonst wie die Erlöse 7 %)"
    )
    cash_transit: int | None = _optional_account(
        "Geldtransit und Einzahlungen aus der Bank (SKR03 1360, SKR04 1460)"
    )
    payouts: int | None = _optional_account(
        "Auszahlungen aus der Kasse, bis sie gebucht sind (SKR03 1590, SKR04 1370)"
    )
    private_withdrawal: int | None = _optional_account("Privatentnahmen (SKR03 1800, SKR04 2100)")
    private_deposit: int | None = _optional_account("Privateinlagen (SKR03 1890, SKR04 2180)")
    cash_shortfall: int | None = _optional_account(
        "Kassenfehlbetrag beim Abschluss (SKR03 4900, SKR04 6300)"
    )
    cash_surplus: int | None = _optional_account(
        "Kassenüberschuss beim Abschluss (SKR03 2700, SKR04 4830)"
    )

    def check_config(self) -> Iterator[tuple[str, str]]:
        month, day = (int(part) for part in self.fiscal_year_start.split("-"))
        try:
            date(2001, month, day)  # not a leap year: a fiscal year starts on a day every year has
        except ValueError:
            yield ("fiscal_year_start", f"{self.fiscal_year_start} ist kein Tag jedes Jahres")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("check") is _account and len(str(value or "")) > self.account_length:
                yield (
                    f.name,
                    f"Konto {value} hat mehr als account_length = {self.account_length} "
                    "Stellen (DATEV nähme es nicht an)",
                )


@dataclass(frozen=True)
class ArrivalSettings:
    """How the expected arrivals on the stops' boards are worked out (docs/arrivals.md)."""

    silent_after_minutes: int = field(
        default=3,
        metadata={
            "doc": "Hat der Wagen so lange nichts gemeldet, sagt die Anzeige, wie alt ihr Stand ist "
            "(Minuten)",
            "check": in_range(1, 120),
        },
    )
    schedule_after_minutes: int = field(
        default=30,
        metadata={
            "doc": "Hat der Wagen so lange nichts gemeldet, zeigt die Anzeige wieder den "
            "Fahrplan (Minuten)",
            "check": in_range(1, 24 * 60),
        },
    )
    shortest_stay_percent: int = field(
        default=80,
        metadata={
            "doc": "Ein verspäteter Wagen bleibt mindestens so viel Prozent der geplanten "
            "Standzeit (die Kunden warten)",
            "check": in_range(10, 100),
        },
    )
    shortest_stay_minutes: int = field(
        default=5,
        metadata={
            "doc": "… und mindestens so viele Minuten (oder die geplante Standzeit, wenn kürzer)",
            "check": in_range(0, 120),
        },
    )
    history_weeks: int = field(
        default=8,
        metadata={
            "doc": "Die übliche Fahrzeit einer Strecke kommt aus so vielen Wochen Fahrten",
            "check": in_range(1, 104),
        },
    )

    def check_config(self) -> Iterator[tuple[str, str]]:
        if self.schedule_after_minutes <= self.silent_after_minutes:
            yield (
                "schedule_after_minutes",
                f"muss größer sein als silent_after_minutes ({self.silent_after_minutes})",
            )


@dataclass(frozen=True)
class HubConfig:
    """Everything the hub's ingest, web and reports are configured with."""

    store: StoreSettings = field(default_factory=StoreSettings, metadata={"doc": "Speicher"})
    mqtt: MqttSettings = field(default_factory=MqttSettings, metadata={"doc": "MQTT-Broker"})
    web: WebSettings = field(default_factory=WebSettings, metadata={"doc": "Web"})
    tours: HubToursSettings = field(default_factory=HubToursSettings, metadata={"doc": "Touren"})
    accounting: AccountingSettings = field(
        default_factory=AccountingSettings, metadata={"doc": "Buchhaltung und DATEV-Export"}
    )
    arrivals: ArrivalSettings = field(
        default_factory=ArrivalSettings, metadata={"doc": "Ankunftszeiten auf den Anzeigen"}
    )
    timezone: str = field(
        default="Europe/Berlin", metadata={"doc": "Zeitzone der Geschäftstage in Berichten"}
    )


def load_hub_config(path: Path) -> HubConfig:
    """Read the hub's TOML file; raises ConfigError listing every problem in it."""
    config = load_config(path, HubConfig)
    return resolve_store_url(config, path.parent)


def resolve_store_url(config: HubConfig, base: Path) -> HubConfig:
    """A relative SQLite path is relative to the config file's folder, as all paths are."""
    prefix = "sqlite:///"
    url = config.store.url
    if url.startswith(prefix) and not url[len(prefix) :].startswith("/"):
        absolute = (base / url[len(prefix) :]).resolve()
        return replace(config, store=StoreSettings(url=f"{prefix}{absolute}"))
    return config
