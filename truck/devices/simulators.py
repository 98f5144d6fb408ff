"""Runs the simulated devices of a truck for the demo, until stopped (Ctrl+C or SIGTERM).

A Dialog 06 scale on a pseudo-terminal reachable under a stable name (like the udev link of a
real scale's adapter), asking for the checksum handshake with values made up for the demo; an
ESC/POS network printer on 127.0.0.1 that answers status requests and appends what it prints
to a file; and, given an NMEA log, a real gpsd fed by gpsfake. The first line on stdout says
where they are, for ``scripts/demo`` to configure the till and the agent with:
``bereit scale=PATH printer=127.0.0.1:PORT [gps=127.0.0.1:PORT]``
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from pathlib import Path

from truck.devices.gps.gpsfake import GpsFake
from truck.devices.printer.simulator import NetworkPrinterSimulator
from truck.devices.scale.dialog06_simulator import (
    Dialog06Simulator,
    made_up_handshake,
    write_handshake_file,
)
from truck.devices.scale.simulated import DEMO_WEIGHTS

DEMO_VALUES_TITLE = (
    "Demo-Werte für den Prüfsummen-Abgleich, von Tourkasse erfunden – keine Herstellerwerte; "
    "keine echte Waage nimmt sie an"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m truck.devices.simulators",
        description="Simulierte Waage (Dialog 06) und simulierter Bondrucker für die Demo",
    )
    parser.add_argument("--scale-link", type=Path, required=True, help="Name der Waage (Symlink)")
    parser.add_argument(
        "--handshake-file", type=Path, help="hier die erfundenen Abgleich-Werte ablegen"
    )
    parser.add_argument("--printer-output", type=Path, required=True, help="Datei für den Druck")
    parser.add_argument("--printer-port", type=int, default=0, help="TCP-Port (0: ein freier)")
    parser.add_argument(
        "--gps-log", type=Path, help="NMEA-Aufzeichnung, die gpsfake in ein echtes gpsd spielt"
    )
    parser.add_argument(
        "--gps-cycle", type=float, default=0.01, help="Pause nach jedem NMEA-Satz (Sekunden)"
    )
    args = parser.parse_args(argv)

    # Blocked before the simulators' threads start, so that only sigwait below receives them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    handshake = None
    if args.handshake_file is not None:
        handshake = made_up_handshake()
        write_handshake_file(args.handshake_file, handshake, title=DEMO_VALUES_TITLE)
    args.scale_link.unlink(missing_ok=True)  # left over from a run that was killed
    with contextlib.ExitStack() as running:
        scale = running.enter_context(
            Dialog06Simulator(args.scale_link, handshake=handshake, weights=DEMO_WEIGHTS)
        )
        printer = running.enter_context(
            NetworkPrinterSimulator(args.printer_output, args.printer_port)
        )
        ready = f"bereit scale={scale.device} printer={printer.host}:{printer.port}"
        if args.gps_log is not None:
            gps = running.enter_context(GpsFake(args.gps_log, cycle=args.gps_cycle))
            ready += f" gps=127.0.0.1:{gps.port}"
        print(ready, flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    return 0


if __name__ == "__main__":
    sys.exit(main())
