"""What needs the operator's attention now, from the hub store alone.

Computed afresh each time (nothing to acknowledge or forget): a truck offline longer than
configured, a failed TSE, a backlog of unsynced entries that does not shrink while the truck
is online, a cash difference at a daily closing
of the last week, a forked journal, messages the ingest refused in the last day. Each says in
German what happened and since when.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from hub.store import HubStore
from tourkasse.journal import EntryKind, JournalError, decode_entry
from tourkasse.money import format_eur

# journal entries a truck that is online has not brought to the hub, and that do not get
# fewer from one status to the next (a truck draining after a dead zone is not an alert)
BACKLOG_ALERT = 50
CLOSINGS_LOOKED_AT = timedelta(days=7)
REJECTED_LOOKED_AT = timedelta(days=1)


@dataclass(frozen=True)
class Alert:
    kind: Literal["offline", "tse", "backlog", "cash", "fork", "rejected"]
    severity: Literal["warning", "error"]
    truck: str | None
    text: str
    since: str | None = None  # ISO time, UTC

    @property
    def key(self) -> str:
        """The same alert keeps its key while it lasts (the page uses it to spot new ones)."""
        return f"{self.kind}:{self.truck or ''}:{self.since or ''}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "key": self.key}


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m. %H:%M")


def current(
    store: HubStore, now: datetime, *, offline_after: timedelta, zone: ZoneInfo
) -> list[Alert]:
    alerts: list[Alert] = []
    for status in store.statuses():
        silent = now - status.received_at
        if not status.online and silent >= offline_after:
            alerts.append(
                Alert(
                    "offline",
                    "warning",
                    status.truck,
                    f"Wagen {status.truck} offline seit {_local(status.received_at, zone)}",
                    status.received_at.isoformat(),
                )
            )
        tse = status.devices.get("tse")
        if status.online and tse is not None and not tse.ok:
            alerts.append(
                Alert(
                    "tse",
                    "error",
                    status.truck,
                    f"Wagen {status.truck}: TSE ausgefallen ({tse.message})",
                    tse.since,
                )
            )
        before = status.previous_backlog
        if (
            status.online
            and status.backlog >= BACKLOG_ALERT
            and before is not None
            and status.backlog >= before
        ):
            trend = "es werden mehr" if status.backlog > before else "es werden nicht weniger"
            alerts.append(
                Alert(
                    "backlog",
                    "warning",
                    status.truck,
                    f"Wagen {status.truck}: {status.backlog} Einträge noch nicht in der "
                    f"Zentrale, und {trend} (zuvor {before})",
                )
            )
    for data in store.entries_since([EntryKind.DAILY_CLOSING], now - CLOSINGS_LOOKED_AT):
        try:
            entry = decode_entry(data)
        except JournalError:
            continue
        difference = entry.body.get("difference")
        if isinstance(difference, int) and difference != 0:
            alerts.append(
                Alert(
                    "cash",
                    "warning",
                    entry.truck,
                    f"Wagen {entry.truck}: Kassendifferenz {format_eur(difference)} beim "
                    f"Tagesabschluss {entry.body.get('closing_number')} am "
                    f"{_local(entry.at, zone)}",
                    entry.at.isoformat(),
                )
            )
    for fork in store.alerts():
        alerts.append(
            Alert(
                "fork",
                "error",
                fork.truck,
                f"Wagen {fork.truck}: Journal verzweigt ab Eintrag {fork.first_seq} "
                f"({fork.count} abweichende Einträge) – Sicherung zurückgespielt?",
                fork.first_seen.isoformat(),
            )
        )
    refused = [r for r in store.rejected(limit=1000) if now - r.received_at <= REJECTED_LOOKED_AT]
    if refused:
        oldest = min(r.received_at for r in refused)
        alerts.append(
            Alert(
                "rejected",
                "warning",
                None,
                f"{len(refused)} Nachricht(en) abgewiesen seit {_local(oldest, zone)} – "
                f"zuletzt: {refused[0].reason}",
                oldest.isoformat(),
            )
        )
    return alerts
