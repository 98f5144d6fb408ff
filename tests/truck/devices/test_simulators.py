"""The demo's simulated devices as their own process, as scripts/demo starts them."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

from truck.devices.printer.document import Document, Line
from truck.devices.printer.printer import ReceiptPrinter
from truck.devices.printer.status import PrinterState
from truck.devices.scale.dialog06 import Dialog06Scale
from truck.devices.scale.dialog06_handshake import load_handshake_table
from truck.devices.scale.serial_scale import SerialScale, SerialSettings
from truck.devices.scale.simulated import DEMO_WEIGHTS


def test_the_demo_devices_weigh_with_a_handshake_print_and_stop_cleanly(tmp_path):
    link, values, paper = tmp_path / "scale", tmp_path / "handshake.toml", tmp_path / "paper.bin"
    link.symlink_to("/dev/null")  # left over from a killed run: replaced
    command = [sys.executable, "-m", "truck.devices.simulators", "--scale-link", str(link)]
    command += ["--handshake-file", str(values), "--printer-output", str(paper)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = process.stdout.readline().split()
        assert ready[0] == "bereit" and ready[1] == f"scale={link}"
        host, port = ready[2].removeprefix("printer=").split(":")

        handshake = load_handshake_table(values)
        scale = SerialScale(
            SerialSettings(str(link)),
            lambda port, timeout: Dialog06Scale(port, timeout=timeout, handshake=handshake),
        )
        first, second = scale.weigh(1690), scale.weigh(1690)
        assert (first.grams, second.grams) == DEMO_WEIGHTS[:2]
        assert first.total == (DEMO_WEIGHTS[0] * 1690 + 500) // 1000
        scale.close()

        printer = ReceiptPrinter.from_settings("network", host=host, port=int(port))
        assert printer.status() is PrinterState.READY
        receipt = printer.render_bytes(Document((Line("Frische Milch"),)))
        # A status request after the receipt on the same connection: its answer comes once
        # the simulator has put the receipt on paper.
        with socket.create_connection((host, int(port)), timeout=5) as connection:
            connection.sendall(receipt + b"\x10\x04\x01")
            assert connection.recv(1) == b"\x12"
        assert paper.read_bytes() == receipt
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert not link.exists()
