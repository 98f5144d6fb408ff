"""Setting up the cloud TSE named in the truck's configuration (fiskaly), once per till.

For a command such as ``tourkasse truck tse init`` when ``tse.kind = "fiskaly"``: creates and
initialises the TSS and registers the till (``truck.till_serial``) as its client. The software
TSE is set up by opening it with ``create=True`` instead.
"""

from __future__ import annotations

from truck.config import TruckConfig
from truck.fiscal.fiskaly_setup import TssSetUp, set_up_tss
from truck.fiscal.tse import TseError
from truck.till.opening import fiskaly_http


def set_up_fiskaly(config: TruckConfig, *, admin_puk: str | None = None) -> TssSetUp:
    """Run fiskaly's setup steps for the TSS and client in ``config.tse``.

    Needs ``tse.admin_pin``; ``admin_puk`` only if an earlier run created the TSS and stopped
    before the PIN was set. Show the returned PUK to the operator: fiskaly never shows it again.
    Raises TseUnavailable when fiskaly cannot be reached, TseError when it refuses a step.
    """
    settings = config.tse
    if settings.kind != "fiskaly":
        raise TseError(f"tse.kind ist „{settings.kind}“, nicht „fiskaly“")
    if not settings.admin_pin:
        raise TseError("tse.admin_pin fehlt – wird zum Einrichten der fiskaly-TSS gebraucht")
    assert settings.tss_id and settings.client_id
    return set_up_tss(
        fiskaly_http(config),
        tss_id=settings.tss_id,
        client_id=settings.client_id,
        client_serial=config.truck.till_serial,
        admin_pin=settings.admin_pin,
        admin_puk=admin_puk,
    )
