"""One till per journal: an exclusive lock beside the database file.

Two till processes on one journal would both resolve each other's open TSE transactions on
start and could journal a sale twice. The agent appends without this lock; only processes
that sign (the till, and commands that act as the till) hold it. The kernel releases it when
the process dies, so a crashed till never blocks its own restart.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class TillBusy(RuntimeError):
    """Another process has this journal's till open."""


class TillLock:
    def __init__(self, journal_path: Path) -> None:
        self.path = journal_path.with_name(journal_path.name + ".till-lock")
        self._fd: int | None = None

    def acquire(self) -> TillLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise TillBusy(
                "Die Kasse ist bereits in einem anderen Programm geöffnet – bitte dort weiterarbeiten "
                "oder es erst beenden"
            ) from None
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None
