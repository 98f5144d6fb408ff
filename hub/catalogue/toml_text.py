"""Writing the article list as the TOML text the trucks import (``tourkasse.article_list``).

The keys in the order a person writes them; the writing itself is ``hub.toml_writer``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hub.toml_writer import table

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


def article_list_text(
    articles: Iterable[Mapping[str, Any]],
    departments: Iterable[Mapping[str, Any]],
    *,
    heading: str = "",
) -> str:
    parts = [f"# {line}" for line in heading.splitlines()] if heading else []
    parts += [table("article", ARTICLE_KEYS, a, array=True) for a in articles]
    parts += [table("department", DEPARTMENT_KEYS, d, array=True) for d in departments]
    return "\n\n".join(parts) + "\n"
