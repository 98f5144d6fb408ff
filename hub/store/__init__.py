"""The hub store: SQLite by default, PostgreSQL for fleets, with the same behaviour on both.

``open_store(url, timezone=...)`` returns a :class:`HubStore`; a store object is used from one
thread. See ``store.py`` for the API and ``schema.py`` for the tables.
"""

from hub.store.dialect import StoreError
from hub.store.model import (
    Alert,
    BatchOutcome,
    DeviceState,
    Fork,
    Rejected,
    TruckPosition,
    TruckStatus,
)
from hub.store.report import Figures, StopTurnover, TruckTurnover, TurnoverReport
from hub.store.store import HubStore, open_store

__all__ = [
    "Alert",
    "BatchOutcome",
    "DeviceState",
    "Figures",
    "Fork",
    "HubStore",
    "Rejected",
    "StopTurnover",
    "StoreError",
    "TruckPosition",
    "TruckStatus",
    "TruckTurnover",
    "TurnoverReport",
    "open_store",
]
