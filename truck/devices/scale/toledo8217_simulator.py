"""A Toledo 8217 scale in software on a pseudo-terminal (demo and tests, not a device)."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import threading
import tty
from collections import deque


class Toledo8217Simulator:
    def __init__(self) -> None:
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        self.device = os.ttyname(self._slave)
        self.grams = 0
        self.statuses: deque[int] = deque()  # status bytes answered before the weight
        self.split = False
        self.noise = b""
        self.silent = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="toledo-sim", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Toledo8217Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self._master, 64)
            except OSError:
                return
            for _ in range(data.count(b"W")):
                self._answer()

    def _answer(self) -> None:
        if self.silent:
            return
        if self.statuses:
            reply = b"\x02?" + bytes([self.statuses.popleft()]) + b"\r"
        else:
            kilos, grams = divmod(self.grams, 1000)
            reply = f"\x02{kilos:03d}.{grams:03d}\r".encode()
        data = self.noise + reply
        with contextlib.suppress(OSError):
            if self.split:
                for byte in data:
                    os.write(self._master, bytes([byte]))
            else:
                os.write(self._master, data)
