"""Making a write survive a power cut: the file's bytes, and the folder entry that names it."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    """fsync a file or a folder. A folder's own entries (a new or renamed file) are only on
    disk once the folder is synced too; some file systems (vfat on a USB stick) cannot sync a
    folder and say EINVAL, which is then all that can be done."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno != errno.EINVAL or not path.is_dir():
            raise
    finally:
        os.close(descriptor)
