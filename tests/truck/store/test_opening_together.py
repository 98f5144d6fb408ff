"""The till and the agent start at the same moment on a truck whose journal is new.

Turning on SQLite's WAL needs the file to itself and is answered "locked" without waiting;
before the fix one of the two died with "ist gerade von einem anderen Programm belegt" in
about one start in five (and the agent's sync thread with it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from truck.store.database import open_database
from truck.store.track import open_track

OPENERS: dict[str, Callable[[Path], object]] = {"journal": open_database, "track": open_track}


@pytest.mark.parametrize("which", sorted(OPENERS))
def test_programs_opening_a_new_file_together_all_get_it(tmp_path: Path, which: str) -> None:
    opener = OPENERS[which]
    failures: list[str] = []
    for start in range(40):
        path = tmp_path / f"start-{start}" / f"{which}.sqlite"
        together = threading.Barrier(6)

        programs = [
            threading.Thread(target=_open, args=(opener, path, together, failures))
            for _ in range(6)
        ]
        for program in programs:
            program.start()
        for program in programs:
            program.join()
    assert failures == []


def _open(
    opener: Callable[[Path], object], path: Path, together: threading.Barrier, failures: list[str]
) -> None:
    together.wait()
    try:
        opener(path).close()  # type: ignore[attr-defined]
    except Exception as exc:  # every failure is what the test counts
        failures.append(str(exc))
