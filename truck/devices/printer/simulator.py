"""Receipt printers in software, for the demo and the tests (no particular model).

:class:`NetworkPrinterSimulator` is a threaded TCP server on 127.0.0.1 and a free port (a real
network printer listens on 9100); :class:`SerialPrinterSimulator` sits on the master side of a
pty whose slave path the driver opens like /dev/ttyUSB0. Both record every byte they receive and
answer ESC/POS real-time status requests (DLE EOT n) as a printer does, with bytes the caller
sets (paper out, cover open, …); ``print_data`` is what they received minus those requests, i.e.
what a printer would print, and is also appended to ``output`` when one is given.

Tests wait on the recorder's condition with a deadline (``wait_for``), never by sleeping.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import threading
import tty
from collections.abc import Callable
from pathlib import Path

DLE, EOT = 0x10, 0x04

#: Answers to DLE EOT 1 (printer), 2 (offline cause), 4 (paper sensor) for some situations.
READY = {1: 0x12, 2: 0x12, 4: 0x12}
PAPER_NEAR_END = {1: 0x12, 2: 0x12, 4: 0x1E}
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x72}
COVER_OPEN = {1: 0x1A, 2: 0x16, 4: 0x12}
ERROR = {1: 0x1A, 2: 0x52, 4: 0x12}


class Recorder:
    """What a printer received, and how it answers status requests (thread-safe)."""

    def __init__(self, output: Path | None = None) -> None:
        self.output = output
        self.condition = threading.Condition()
        self.answers: dict[int, int] = dict(READY)
        self.answering = True  # False: a printer that never answers DLE EOT
        self._received = bytearray()
        self._print_data = bytearray()
        self._pending = b""
        self.status_requests: list[int] = []
        self.connections_closed = 0

    def feed(self, data: bytes) -> bytes:
        """Record ``data``; return the answers to the status requests in it."""
        with self.condition:
            self._received += data
            buffer, replies, i = self._pending + data, bytearray(), 0
            printed = bytearray()
            while i < len(buffer):
                if buffer[i] == DLE and buffer[i + 1 : i + 2] in (b"", bytes([EOT])):
                    if i + 2 >= len(buffer):
                        break  # the rest of the request is still on its way
                    n = buffer[i + 2]
                    self.status_requests.append(n)
                    if self.answering and n in self.answers:
                        replies.append(self.answers[n])
                    i += 3
                    continue
                printed.append(buffer[i])
                i += 1
            self._pending = buffer[i:]
            self._print(bytes(printed))
            self.condition.notify_all()
            return bytes(replies)

    def end_of_stream(self) -> None:
        with self.condition:
            self._print(self._pending)
            self._pending = b""
            self.connections_closed += 1
            self.condition.notify_all()

    def _print(self, data: bytes) -> None:
        self._print_data += data
        if self.output is not None and data:
            with self.output.open("ab") as file:
                file.write(data)

    def set_status(self, answers: dict[int, int]) -> None:
        with self.condition:
            self.answers = dict(answers)

    @property
    def received(self) -> bytes:
        """Every byte received, status requests included."""
        with self.condition:
            return bytes(self._received)

    @property
    def print_data(self) -> bytes:
        """The bytes received that were not status requests."""
        with self.condition:
            return bytes(self._print_data)

    def wait_for(self, predicate: Callable[[Recorder], bool], timeout: float = 5.0) -> bool:
        """Wait until ``predicate(self)`` holds; False if the deadline passed first."""
        with self.condition:
            return self.condition.wait_for(lambda: predicate(self), timeout)


class NetworkPrinterSimulator:
    """A network printer: records bytes, answers DLE EOT, can refuse connections."""

    def __init__(self, output: Path | None = None, port: int = 0) -> None:
        self.recorder = Recorder(output)
        self._listener: socket.socket | None = socket.create_server(("127.0.0.1", port))
        self.host, self.port = self._listener.getsockname()[:2]
        self._wake_r, self._wake_w = socket.socketpair()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._handlers: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept_loop, name="printer-sim", daemon=True)
        self._acceptor.start()

    def __enter__(self) -> NetworkPrinterSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def refuse_connections(self) -> None:
        """Close the listening socket: connecting now fails with "connection refused"."""
        if self._listener is None:
            return
        self._wake_w.send(b"x")
        self._acceptor.join()
        self._listener.close()
        self._listener = None

    def stop(self) -> None:
        """Refuse new connections, end the open ones and wait for every thread."""
        self.refuse_connections()
        with self._lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            handlers = list(self._handlers)
        for handler in handlers:
            handler.join()
        self._wake_r.close()
        self._wake_w.close()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    connection, _ = self._listener.accept()
                    handler = threading.Thread(target=self._serve, args=(connection,), daemon=True)
                    with self._lock:
                        self._connections.add(connection)
                        self._handlers.append(handler)
                    handler.start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            while True:
                try:
                    data = connection.recv(4096)
                except OSError:
                    break
                if not data:
                    break
                reply = self.recorder.feed(data)
                if reply:
                    with contextlib.suppress(OSError):
                        connection.sendall(reply)
        finally:
            with self._lock:
                self._connections.discard(connection)
            connection.close()
            self.recorder.end_of_stream()


class SerialPrinterSimulator:
    """A serial printer: the driver opens ``device`` (a pty slave) as its port."""

    def __init__(self, output: Path | None = None) -> None:
        self.recorder = Recorder(output)
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no line editing: bytes pass through unchanged
        self.device = os.ttyname(self._slave)
        self._wake_r, self._wake_w = os.pipe()
        self._reader = threading.Thread(
            target=self._read_loop, name="serial-printer-sim", daemon=True
        )
        self._reader.start()

    def __enter__(self) -> SerialPrinterSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        os.write(self._wake_w, b"x")
        self._reader.join()
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            os.close(fd)

    def _read_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._master, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fd == self._wake_r:
                        return
                    try:
                        data = os.read(self._master, 4096)
                    except OSError:  # EIO: no slave side open any more
                        return
                    reply = self.recorder.feed(data)
                    if reply:
                        os.write(self._master, reply)
