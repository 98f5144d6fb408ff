"""For monitoring: whether the hub is up, and per truck how current the hub is.

``GET /healthz`` needs no login (a load balancer or a reverse proxy asks it) and says only
whether the hub store answers: 200 ``{"status": "ok"}`` or 503 with the reason. ``GET
/api/metrics`` is in Prometheus's text format, for an operator or an admin, or a monitoring
system with an API token (``tourkasse hub user token add``): per truck whether it is online,
how long since the hub last heard from it, the backlog it reported, the entries it has
written that the hub has not stored yet, and the ingest lag of its last stored entry (from
being written on the truck to being stored on the hub: seconds on the road, hours after a
dead zone); for the hub the refused messages and quarantined forks it keeps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from hub.access import ADMIN, OPERATOR
from hub.web import auth

router = APIRouter()

METRICS: tuple[tuple[str, str, str], ...] = (
    ("tourkasse_truck_online", "gauge", "1 while the truck is connected to the broker"),
    (
        "tourkasse_truck_last_contact_seconds",
        "gauge",
        "seconds since the hub last heard from the truck (status or position)",
    ),
    ("tourkasse_truck_backlog_entries", "gauge", "journal entries the truck reported unsent"),
    (
        "tourkasse_truck_unstored_entries",
        "gauge",
        "entries the truck has written that the hub has not stored yet",
    ),
    (
        "tourkasse_truck_stored_entries_total",
        "counter",
        "entries of the truck's journal on the hub",
    ),
    (
        "tourkasse_truck_ingest_lag_seconds",
        "gauge",
        "from writing the truck's last stored entry to storing it on the hub",
    ),
    ("tourkasse_hub_rejected_messages", "gauge", "refused messages the hub keeps with a reason"),
    ("tourkasse_hub_forks", "gauge", "entries quarantined as forks (alerts)"),
)


@router.get("/healthz", include_in_schema=False)
async def healthz(request: Request) -> Response:
    def check() -> None:
        with request.app.state.stores() as store:
            store.trucks()

    try:
        await run_in_threadpool(check)
    except Exception as exc:  # whatever keeps the store from answering is the reason
        return JSONResponse(
            {"status": "error", "reason": f"Speicher der Zentrale antwortet nicht: {exc}"},
            status_code=503,
        )
    return JSONResponse({"status": "ok"})


@router.get("/api/metrics", dependencies=[Depends(auth.need(OPERATOR, ADMIN))])
async def metrics(request: Request) -> Response:
    now: datetime = request.app.state.events.clock()
    samples = await run_in_threadpool(_samples, request.app, now)
    return PlainTextResponse(exposition(samples), media_type="text/plain; version=0.0.4")


def _samples(app: Any, now: datetime) -> dict[str, list[tuple[dict[str, str], float]]]:
    with app.state.stores() as store:
        statuses = {s.truck: s for s in store.statuses()}
        positions = {p.truck: p for p in store.positions()}
        heads = {h.truck: h for h in store.journal_heads()}
        kept = store.kept_counts()
    found: dict[str, list[tuple[dict[str, str], float]]] = {name: [] for name, _, _ in METRICS}
    for truck in sorted(set(statuses) | set(heads) | set(positions)):
        label = {"truck": truck}
        status, position, head = statuses.get(truck), positions.get(truck), heads.get(truck)
        heard = [t for t in (status and status.received_at, position and position.received_at) if t]
        if status is not None:
            found["tourkasse_truck_online"].append((label, 1.0 if status.online else 0.0))
            found["tourkasse_truck_backlog_entries"].append((label, float(status.backlog)))
            stored = head.last_seq if head else 0
            unstored = max(0, status.journal_seq - stored)
            found["tourkasse_truck_unstored_entries"].append((label, float(unstored)))
        if heard:
            since = (now - max(heard)).total_seconds()
            found["tourkasse_truck_last_contact_seconds"].append((label, max(0.0, since)))
        if head is not None:
            found["tourkasse_truck_stored_entries_total"].append((label, float(head.last_seq)))
            if head.last_at is not None:
                lag = (head.stored_at - head.last_at).total_seconds()
                found["tourkasse_truck_ingest_lag_seconds"].append((label, lag))
    found["tourkasse_hub_rejected_messages"].append(({}, float(kept["rejected"])))
    found["tourkasse_hub_forks"].append(({}, float(kept["forks"])))
    return found


def exposition(samples: dict[str, list[tuple[dict[str, str], float]]]) -> str:
    """Prometheus's text format (version 0.0.4)."""
    lines = []
    for name, kind, text in METRICS:
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
        for labels, value in samples[name]:
            shown = ",".join(f'{key}="{_escaped(val)}"' for key, val in labels.items())
            lines.append(f"{name}{{{shown}}} {value:g}" if shown else f"{name} {value:g}")
    return "\n".join(lines) + "\n"


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
