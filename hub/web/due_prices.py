"""Pushing a price change on the day it takes effect, from the running web process.

Once a minute it asks the article list whether a price change became due since the last
push (``office.push_if_due``); trucks that connect that morning then sell at the new price.
A broker that cannot be reached is tried again the next minute; what happened is printed
to the hub's log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.catalogue import office
from hub.config import HubConfig
from hub.downloads import PublishError
from tourkasse.config import ConfigError

EVERY_S = 60.0


def check_once(config: HubConfig, stores: Callable[[], Any], now: datetime) -> str | None:
    today = now.astimezone(ZoneInfo(config.timezone)).date()
    with stores() as store:
        try:
            published = office.push_if_due(store, config.mqtt, now, today)
        except (PublishError, ConfigError) as exc:
            return f"Preisänderung fällig, aber nicht gesendet: {exc}"
    return published.message if published else None


async def keep_pushing(config: HubConfig, stores: Callable[[], Any]) -> None:
    while True:
        said = await asyncio.to_thread(check_once, config, stores, datetime.now(UTC))
        if said:
            print(f"Artikelliste: {said}", flush=True)
        await asyncio.sleep(EVERY_S)
