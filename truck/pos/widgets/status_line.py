"""The status line: printer, scale, TSE — and room for sync, clock and stop later."""

from __future__ import annotations

from textual.widgets import Static

from truck.pos.texts import t
from truck.store import devices


class StatusLine(Static):
    def refresh_status(self) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        states = devices.current(session.opened.db)
        parts = []
        for device, label in (("printer", t("status.printer")), ("scale", t("status.scale"))):
            state = states.get(device)
            if state is None or (state.ok and state.message == "bereit"):
                parts.append(f"{label}: {t('status.ok')}")
            elif state.ok:
                parts.append(f"{label}: {state.message}")  # a warning, e.g. paper near its end
            else:
                parts.append(f"[b]{label}: {t('status.failed')}[/b] ({state.message})")
        gps = states.get("gps")  # written by the agent, when it runs
        if gps is not None:
            label = t("status.gps")
            parts.append(f"{label}: {t('status.ok')}" if gps.ok else f"{label}: {gps.message}")
        tse_ok = not session.opened.till.signer.in_failure()
        parts.append(f"{t('status.tse')}: {t('status.ok') if tse_ok else t('status.tse_failed')}")
        if session.unprinted:
            parts.append(t("menu.print_open", count=len(session.unprinted)))
        self.update("  │  ".join(parts))
