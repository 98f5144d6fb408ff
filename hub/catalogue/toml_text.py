"""Writing the article list as the TOML text the trucks import (``tourkasse.article_list``).

Only what an article list holds: text, integers, booleans and lists of text. Strings are
written as TOML basic strings (JSON's escaping is a subset of TOML's for these).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

ARTICLE_KEYS = (
    "number",
    "name",
    "price",
    "vat",
    "group",
    "unit",
    "gtin",
    "net_content",
    "content_unit",
    "deposit",
    "age_limit",
    "allergens",
    "is_deposit",
)
DEPARTMENT_KEYS = ("key", "name", "group", "vat")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"not in an article list: {value!r}")


def _table(name: str, keys: tuple[str, ...], values: Mapping[str, Any]) -> str:
    lines = [f"[[{name}]]"]
    for key in keys:
        value = values.get(key)
        if value is None or value == "" or value == [] or value is False:
            continue  # the article list's default
        lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines)


def article_list_text(
    articles: Iterable[Mapping[str, Any]],
    departments: Iterable[Mapping[str, Any]],
    *,
    heading: str = "",
) -> str:
    parts = [f"# {line}" for line in heading.splitlines()] if heading else []
    parts += [_table("article", ARTICLE_KEYS, a) for a in articles]
    parts += [_table("department", DEPARTMENT_KEYS, d) for d in departments]
    return "\n\n".join(parts) + "\n"
