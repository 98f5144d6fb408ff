"""The hub's configuration: where its store is, how it reaches the broker, where the web listens.

One TOML file (see ``config/hub.example.toml``) read by :func:`load_hub_config`; every mistake
is reported at once as a :class:`tourkasse.config.ConfigError`. Relative paths are taken
relative to the folder the file is in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

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


@dataclass(frozen=True)
class HubConfig:
    """Everything the hub's ingest, web and reports are configured with."""

    store: StoreSettings = field(default_factory=StoreSettings, metadata={"doc": "Speicher"})
    mqtt: MqttSettings = field(default_factory=MqttSettings, metadata={"doc": "MQTT-Broker"})
    web: WebSettings = field(default_factory=WebSettings, metadata={"doc": "Web"})
    tours: HubToursSettings = field(default_factory=HubToursSettings, metadata={"doc": "Touren"})
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
