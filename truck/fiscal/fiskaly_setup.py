"""Setting up a fiskaly TSS and this till as its client, once, before the first sale.

The steps fiskaly SIGN DE v2 asks for, in order; each is skipped when the TSS is past it, so
the function may be run again after an interruption:

1. ``PUT /tss/{tss_id}`` creates the TSS; the answer holds the admin PUK, shown only this once.
2. ``PATCH /tss/{tss_id}`` ``{"state": "UNINITIALIZED"}`` starts its security module.
3. ``PATCH /tss/{tss_id}/admin`` ``{"admin_puk", "new_admin_pin"}`` sets the admin PIN.
4. ``POST /tss/{tss_id}/admin/auth`` ``{"admin_pin"}`` logs in as admin.
5. ``PATCH /tss/{tss_id}`` ``{"state": "INITIALIZED"}`` makes it ready to sign.
6. ``PUT /tss/{tss_id}/client/{client_id}`` ``{"serial_number"}`` registers the till.
7. ``POST /tss/{tss_id}/admin/logout`` ends the admin session.

The PUK and the PIN belong to the taxpayer: keep them safe, outside the truck.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from truck.fiscal.fiskaly_http import FiskalyHttp, FiskalyRefusal
from truck.fiscal.tse import TseError

T = TypeVar("T")


@dataclass(frozen=True)
class TssSetUp:
    """What the operator must note down: the TSS's serial number and, if new, its PUK."""

    tss_id: str
    serial_number: str
    client_id: str
    admin_puk: str | None  # only when this run created the TSS; fiskaly never shows it again


def set_up_tss(
    http: FiskalyHttp,
    *,
    tss_id: str,
    client_id: str,
    client_serial: str,
    admin_pin: str,
    admin_puk: str | None = None,
) -> TssSetUp:
    """Create and initialise the TSS ``tss_id`` and register the till as ``client_id``.

    ``admin_puk`` is needed only when the TSS was created in an earlier, interrupted run.
    Raises TseUnavailable when fiskaly cannot be reached and TseError when it refuses a step.
    """
    tss = f"/tss/{tss_id}"
    answer = _step("TSS lesen", lambda: _get_or_none(http, tss))
    if answer is None:
        answer = _step("TSS anlegen", lambda: http.call("PUT", tss, {}))
        admin_puk = str(answer.get("admin_puk") or "") or admin_puk
    state = answer.get("state")
    if state == "CREATED":
        _step("TSS starten", lambda: http.call("PATCH", tss, {"state": "UNINITIALIZED"}))
        state = "UNINITIALIZED"
    if state == "UNINITIALIZED":
        if not admin_puk:
            raise TseError(
                "fiskaly-Einrichtung: die TSS ist angelegt, aber nicht initialisiert; "
                "für die Admin-PIN wird ihre PUK gebraucht (admin_puk)"
            )
        body = {"admin_puk": admin_puk, "new_admin_pin": admin_pin}
        _step("Admin-PIN setzen", lambda: http.call("PATCH", f"{tss}/admin", body))
    elif state != "INITIALIZED":
        raise TseError(f"fiskaly-Einrichtung: TSS ist {state} und kann nicht mehr signieren")
    auth = {"admin_pin": admin_pin}
    _step("als Admin anmelden", lambda: http.call("POST", f"{tss}/admin/auth", auth))
    if state != "INITIALIZED":
        _step("TSS initialisieren", lambda: http.call("PATCH", tss, {"state": "INITIALIZED"}))
    client = {"serial_number": client_serial}
    _step("Kasse anmelden", lambda: http.call("PUT", f"{tss}/client/{client_id}", client))
    _step("Admin abmelden", lambda: http.call("POST", f"{tss}/admin/logout", {}))
    final = _step("TSS lesen", lambda: http.call("GET", tss))
    return TssSetUp(
        tss_id=tss_id,
        serial_number=str(final.get("serial_number")),
        client_id=client_id,
        admin_puk=admin_puk if answer.get("admin_puk") else None,
    )


def _get_or_none(http: FiskalyHttp, path: str) -> dict[str, Any] | None:
    try:
        return http.call("GET", path)
    except FiskalyRefusal as refusal:
        if refusal.status == 404:
            return None
        raise


def _step(name: str, call: Callable[[], T]) -> T:
    try:
        return call()
    except FiskalyRefusal as refusal:
        raise TseError(f"fiskaly-Einrichtung, Schritt „{name}“: {refusal}") from refusal
