"""Writing the small TOML files the hub sends to the trucks (article list, tour plan).

Only what those files hold: text, integers, finite floats (coordinates), booleans and lists
of them. Strings are TOML basic strings (JSON's escaping is a subset of TOML's for these).
Values equal to the schema's default are left out, as a person would write the file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any


def value(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if not math.isfinite(item):
            raise ValueError(f"not in a TOML file for the trucks: {item!r}")
        return repr(item)
    if isinstance(item, str):
        return json.dumps(item, ensure_ascii=False)
    if isinstance(item, list | tuple):
        return "[" + ", ".join(value(element) for element in item) + "]"
    raise TypeError(f"not in a TOML file for the trucks: {item!r}")


def empty(item: Any) -> bool:
    return item is None or item == "" or item == [] or item == () or item is False


def pairs(keys: Iterable[str], values: Mapping[str, Any]) -> list[str]:
    return [f"{key} = {value(values[key])}" for key in keys if not empty(values.get(key))]


def table(name: str, keys: Iterable[str], values: Mapping[str, Any], *, array: bool) -> str:
    head = f"[[{name}]]" if array else f"[{name}]"
    return "\n".join([head, *pairs(keys, values)])
