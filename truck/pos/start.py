"""Starting the till from the configuration: the session with its printer and scale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tourkasse.config import ConfigError, ConfigProblem
from truck.config import TruckConfig
from truck.devices.printer.printer import ReceiptPrinter
from truck.devices.scale.dialog06 import Dialog06Scale
from truck.devices.scale.dialog06_handshake import (
    HandshakeFileError,
    HandshakeTable,
    load_handshake_table,
)
from truck.devices.scale.reading import ScaleReading, ScaleUnavailable
from truck.devices.scale.serial_scale import SerialScale, SerialSettings
from truck.devices.scale.simulated import SimulatedScale
from truck.devices.scale.toledo8217 import Toledo8217Scale
from truck.pos.session import TillSession
from truck.till.opening import open_till, wall_clock


class NoScale:
    """The configuration has no scale: weighed goods are refused with a clear message."""

    def weigh(self, unit_price: int) -> ScaleReading:
        raise ScaleUnavailable("Keine Waage angeschlossen (Konfiguration: scale.protocol = none)")


def scale_handshake(config: TruckConfig) -> HandshakeTable | None:
    """The vendor's values for the Dialog 06 checksum handshake, if configured.

    A broken file is a configuration error, reported like any other one.
    """
    path = config.scale.handshake_file
    if config.scale.protocol != "dialog06" or path is None:
        return None
    try:
        return load_handshake_table(path)
    except HandshakeFileError as exc:
        message = str(exc).removeprefix(f"{path}: ")
        problem = ConfigProblem(str(path), "", f"{message} (Konfiguration: scale.handshake_file)")
        raise ConfigError([problem]) from None


def make_scale(config: TruckConfig) -> object:
    protocol = config.scale.protocol
    if protocol == "simulated":
        return SimulatedScale()
    if protocol == "none":
        return NoScale()
    settings = config.scale
    handshake = scale_handshake(config)
    drivers = {
        "dialog06": lambda port, timeout: Dialog06Scale(port, timeout=timeout, handshake=handshake),
        "toledo8217": lambda port, timeout: Toledo8217Scale(port, timeout=timeout),
    }
    if protocol in drivers and settings.device:
        serial_settings = SerialSettings(
            settings.device,
            settings.baudrate,
            settings.bytesize,
            settings.parity,
            settings.stopbits,
            settings.timeout_ms,
        )
        return SerialScale(serial_settings, drivers[protocol])
    raise ValueError(f"Waage {protocol}: scale.device fehlt in der Konfiguration")


def make_printer(config: TruckConfig) -> ReceiptPrinter:
    p = config.printer
    return ReceiptPrinter.from_settings(
        p.kind,
        path=p.path,
        host=p.host,
        port=p.port,
        device=p.device,
        baudrate=p.baudrate,
        vendor_id=p.vendor_id,
        product_id=p.product_id,
        columns=p.columns,
        code_page=p.code_page,
    )


def start_session(
    config: TruckConfig,
    *,
    clock: Callable[[], datetime] = wall_clock,
    scale: object | None = None,
    printer: object | None = None,
) -> TillSession:
    opened = open_till(config, clock=clock)
    try:
        return TillSession(
            opened=opened,
            printer=printer if printer is not None else make_printer(config),
            scale=scale if scale is not None else make_scale(config),
            clock=clock,
        )
    except BaseException:
        opened.close()
        raise
