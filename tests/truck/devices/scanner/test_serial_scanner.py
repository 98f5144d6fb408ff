"""A serial scanner over a real pseudo-terminal: lines in, codes out, split and noisy."""

from __future__ import annotations

import os
import pty
import queue
import tty

from truck.devices.scanner.serial_scanner import SerialScanner


def test_codes_arrive_line_by_line_even_when_split():
    master, slave = pty.openpty()
    tty.setraw(slave)
    codes: queue.Queue[str] = queue.Queue()
    states: queue.Queue[tuple[bool, str]] = queue.Queue()
    scanner = SerialScanner(
        os.ttyname(slave), on_code=codes.put, on_state=lambda ok, m: states.put((ok, m))
    ).start()
    try:
        assert states.get(timeout=5) == (True, "bereit")
        os.write(master, b"40063810")
        os.write(master, b"01014\r\n96385074\r")
        os.write(master, b"\n\r\n036000291452\n")
        assert [codes.get(timeout=5) for _ in range(3)] == [
            "4006381001014",
            "96385074",
            "036000291452",
        ]
    finally:
        scanner.stop()
        os.close(master)
        os.close(slave)


def test_a_missing_scanner_says_so_once():
    states: queue.Queue[tuple[bool, str]] = queue.Queue()
    scanner = SerialScanner(
        "/dev/does-not-exist-tourkasse", on_code=print, on_state=lambda ok, m: states.put((ok, m))
    ).start()
    try:
        assert states.get(timeout=5) == (False, "Scanner nicht verbunden")
    finally:
        scanner.stop()
    assert states.empty()
