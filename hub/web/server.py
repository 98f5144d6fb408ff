"""The hub's web server: uvicorn serving the FastAPI app until the stop event is set."""

from __future__ import annotations

import threading

import uvicorn

from hub.config import HubConfig
from hub.web.app import create_app


class WebServer:
    def __init__(self, config: HubConfig) -> None:
        self.app = create_app(config)
        self.server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host=config.web.host,
                port=config.web.port,
                log_level="warning",
                lifespan="on",  # the live events connect to the broker at start
            )
        )

    def run(self, stop: threading.Event) -> None:
        def watch() -> None:
            stop.wait()
            self.server.should_exit = True

        threading.Thread(target=watch, name="web-stop", daemon=True).start()
        self.server.run()
