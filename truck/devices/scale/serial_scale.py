"""A serial scale that survives being unplugged: the port is opened when needed and dropped
after a fault, so the scale is back by itself once it answers again — no restart."""

from __future__ import annotations

import termios
from collections.abc import Callable
from dataclasses import dataclass

import serial

from truck.devices.scale.reading import ScaleReading, ScaleUnavailable


@dataclass(frozen=True)
class SerialSettings:
    device: str
    baudrate: int = 9600
    bytesize: int = 7
    parity: str = "E"
    stopbits: int = 1
    timeout_ms: int = 1000


class SerialScale:
    def __init__(
        self, settings: SerialSettings, protocol: Callable[[serial.Serial, float], object]
    ):
        """``protocol`` makes the protocol driver (e.g. Dialog06Scale) for an open port."""
        self.settings = settings
        self.protocol = protocol
        self.description = f"Waage an {settings.device}"
        self._port: serial.Serial | None = None
        self._driver: object | None = None

    def weigh(self, unit_price: int) -> ScaleReading:
        driver = self._open()
        try:
            return driver.weigh(unit_price)  # type: ignore[attr-defined]
        except ScaleUnavailable as exc:
            # A silent line keeps its port; a port that failed is opened afresh next time.
            if isinstance(exc.__cause__, OSError):
                self.close()
            raise
        except OSError as exc:  # pyserial's SerialException too: the adapter was pulled out
            self.close()
            raise ScaleUnavailable("Waage nicht verbunden") from exc

    def close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except OSError:
                pass  # a port whose device is gone cannot be closed cleanly; forget it
            finally:
                self._port = None
                self._driver = None

    def _open(self) -> object:
        if self._driver is not None:
            return self._driver
        s = self.settings
        try:
            self._port = serial.Serial(
                s.device,
                s.baudrate,
                bytesize=s.bytesize,
                parity=s.parity,
                stopbits=s.stopbits,
                timeout=0.05,
            )
        except (OSError, serial.SerialException, termios.error) as exc:
            raise ScaleUnavailable("Waage nicht verbunden") from exc
        self._driver = self.protocol(self._port, s.timeout_ms / 1000)
        return self._driver
