"""A loopback TCP proxy that can turn into a dead zone: connections stay open, nothing passes.

That is what a truck sees when mobile coverage fades: no reset, no close — the other side just
stops answering (a half-open connection). Stopping the broker is a different, easier case.
In the dead zone the proxy reads nothing, so bytes wait in the kernel's buffers as unanswered
packets would; new connections get no further than the handshake.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from types import TracebackType


class DeadZoneProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.forwarding = threading.Event()
        self.forwarding.set()
        self._stop = threading.Event()
        self._selector = selectors.DefaultSelector()
        self._pairs: dict[socket.socket, socket.socket] = {}
        self._held: list[tuple[socket.socket, bytes]] = []  # read as the zone went dead
        self._thread = threading.Thread(target=self._serve, name="dead-zone-proxy", daemon=True)

    def start(self) -> DeadZoneProxy:
        self.listener.setblocking(False)
        self._selector.register(self.listener, selectors.EVENT_READ)
        self._thread.start()
        return self

    def dead_zone(self) -> None:
        """From now on nothing passes, in either direction; nothing is closed either."""
        self.forwarding.clear()

    def coverage(self) -> None:
        """Coverage is back: what waited flows on, new connections get through."""
        self.forwarding.set()

    def _serve(self) -> None:
        while not self._stop.is_set():
            if not self.forwarding.wait(0.05):
                continue
            self._pass_held()
            for key, _ in self._selector.select(timeout=0.05):
                sock = key.fileobj
                if sock is self.listener:
                    self._accept()
                    continue
                assert isinstance(sock, socket.socket)
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self._drop(sock)
                    continue
                if not self.forwarding.is_set():
                    # the zone went dead while this was read: it waits with the rest, so that
                    # nothing sent after dead_zone() gets through
                    self._held.append((sock, data))
                    continue
                self._send_on(sock, data)

    def _send_on(self, sock: socket.socket, data: bytes) -> None:
        try:
            self._pairs[sock].sendall(data)
        except (OSError, KeyError):
            self._drop(sock)

    def _pass_held(self) -> None:
        held, self._held = self._held, []
        for sock, data in held:
            if sock in self._pairs:
                self._send_on(sock, data)

    def _accept(self) -> None:
        client, _ = self.listener.accept()
        try:
            upstream = socket.create_connection(self.target, timeout=2)
        except OSError:
            client.close()
            return
        for sock in (client, upstream):
            sock.setblocking(True)
            self._selector.register(sock, selectors.EVENT_READ)
        self._pairs[client], self._pairs[upstream] = upstream, client

    def _drop(self, sock: socket.socket) -> None:
        other = self._pairs.pop(sock, None)
        for each in (sock, other):
            if each is None:
                continue
            self._pairs.pop(each, None)
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(each)
            each.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for sock in list(self._pairs):
            self._drop(sock)
        self._selector.close()
        self.listener.close()

    def __enter__(self) -> DeadZoneProxy:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
