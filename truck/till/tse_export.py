"""The TSE's own export (TAR) for a tax auditor, from the truck's configuration.

For ``tourkasse truck tse export --out DIR``: the TSE named in the config writes its export
into ``DIR`` (e.g. a USB stick). Only TSEs that offer one implement
:class:`~truck.fiscal.tse.TseExport`; for the others the message says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from truck.config import TruckConfig
from truck.fiscal.tse import TseError, TseExport
from truck.till.opening import make_tse, wall_clock


def export_tse_tar(
    config: TruckConfig, out_dir: Path, *, clock: Callable[[], datetime] = wall_clock
) -> Path:
    """Write the configured TSE's TAR export into ``out_dir``; return the file's path.

    Raises TseUnavailable when the TSE cannot be opened or reached, TseError when it refuses
    or offers no export, and OSError when ``out_dir`` cannot be written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tse = make_tse(config, clock)
    try:
        if not isinstance(tse, TseExport):
            raise TseError(f"Die TSE „{config.tse.kind}“ bietet keinen eigenen Export (TAR)")
        return tse.export_tar(out_dir)
    finally:
        close = getattr(tse, "close", None)
        if close is not None:
            close()
