"""The Dialog 06 checksum handshake (records 10 and 11) and the vendor's values for it.

A scale that demands the handshake sends record 11 with "2" and a random byte Z; the till must
answer with record 10 carrying CS and KW, which the scale's vendor computes from Z with
constants it gives only to till makers it has approved (the algorithm is not public). Because Z
is a single byte, every such algorithm is a table of 256 answers, so the vendor's values are
configuration: a TOML file with one ``[CS, KW]`` pair per Z, from "00" to "FF"::

    # Herstellerwerte für den Prüfsummen-Abgleich (Dialog 06), Waage Beispiel XY
    [answers]
    "00" = ["1A2B", "9F01"]
    "01" = ["1A2B", "03C4"]
    ...

CS and KW are sent as given (upper-case hexadecimal ASCII, as the scale expects).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

_HEX = re.compile(r"[0-9A-F]{1,16}")


class HandshakeFileError(ValueError):
    """The vendor's values cannot be used; str() says why, in German, naming the file."""


@dataclass(frozen=True)
class HandshakeTable:
    """The till's answer (CS, KW) to each random byte Z."""

    answers: dict[int, tuple[str, str]]

    def answer(self, z: int) -> tuple[str, str]:
        try:
            return self.answers[z]
        except KeyError:
            raise HandshakeFileError(
                f"Für den Zufallswert {z:02X} der Waage fehlt der Herstellerwert"
            ) from None


def load_handshake_table(path: Path) -> HandshakeTable:
    """Read the vendor's values; every problem is reported with the file and the entry."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        raise HandshakeFileError(f"{path}: Datei mit den Herstellerwerten fehlt") from None
    except OSError as exc:
        raise HandshakeFileError(f"{path}: nicht lesbar ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise HandshakeFileError(f"{path}: kein gültiges TOML ({exc})") from None
    entries = data.get("answers")
    if not isinstance(entries, dict):
        raise HandshakeFileError(f"{path}: Abschnitt [answers] fehlt")
    answers: dict[int, tuple[str, str]] = {}
    problems: list[str] = []
    for key, value in entries.items():
        if not re.fullmatch(r"[0-9A-Fa-f]{2}", key):
            problems.append(f'„{key}“ ist kein Zufallswert (erwartet "00" bis "FF")')
            continue
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(part, str) and _HEX.fullmatch(part) for part in value)
        ):
            problems.append(
                f'„{key}“: erwartet ["CS", "KW"] in Großbuchstaben-Hex, z. B. ["1A2B", "9F01"]'
            )
            continue
        answers[int(key, 16)] = (value[0], value[1])
    missing = [f"{z:02X}" for z in range(256) if z not in answers]
    if missing and not problems:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        problems.append(f"es fehlen {len(missing)} von 256 Zufallswerten ({shown})")
    if problems:
        raise HandshakeFileError(f"{path}: " + "; ".join(problems))
    return HandshakeTable(answers)
