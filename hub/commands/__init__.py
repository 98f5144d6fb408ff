"""The hub's command groups, one module each; what they share is here."""

from __future__ import annotations

import sys

from tourkasse.config import ConfigError


def say_config_error(exc: ConfigError, *, consequence: str = "") -> None:
    """Every problem of a broken config file, one per line, on stderr."""
    files = sorted({problem.file for problem in exc.problems})
    print(f"Fehler in {', '.join(files)} ({len(exc.problems)}){consequence}:", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
