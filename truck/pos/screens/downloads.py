"""New article lists and tour plans on the sale screen: taken over only between receipts.

A mixin of the sale screen (it uses its session, ``in_dialog`` and message line). The agent
keeps what the hub sends; the till takes it over after a payment, when it starts, and on its
periodic refresh while no receipt is open — never under a receipt being rung up.
"""

from __future__ import annotations

import logging

from truck.pos.texts import t

log = logging.getLogger("tourkasse.pos")


class TakingDownloads:
    """The sale screen's part in taking over downloads."""

    def take_downloads(self) -> str:
        """Take over what is pending if no receipt is open; what was done ("" if nothing)."""
        try:
            done = self.session.take_downloads()
        except Exception as exc:  # the till sells on with the old list; the next refresh retries
            log.exception("taking over a download failed", exc_info=exc)
            return t("download.failed", reason=exc)
        return "  –  ".join(done)

    def take_downloads_now(self) -> None:
        """On the periodic refresh: only while no dialog is open, and say what was done."""
        if self.in_dialog or self.session.receipt_open:
            return
        news = self.take_downloads()
        if news:
            self.say(news)
            self.refresh_all()
