"""The rules of the office's article list.

A price is a history: the article's own price, then every price change from the date it
takes effect (the latest date not after the day wins; on one date, the later change). A
new price from the CSV import or the edit form is such a change, from today or a chosen
date. What is pushed to the trucks is the list with the prices of the day it is pushed (or
of a given day); a price change that becomes due later is pushed by the hub on that day
(``push_if_due``), so trucks that connect that morning sell at the new price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hub.catalogue.article_csv import CsvRow
from hub.catalogue.toml_text import article_list_text
from hub.config import MqttSettings
from hub.downloads import Published, publish_text
from hub.store import HubStore
from tourkasse.article_list import parse_article_list
from tourkasse.config import ConfigError
from tourkasse.money import parse_eur

AUTOMATIC = "automatisch"  # who pushed a price change that became due


@dataclass
class Preview:
    """What an import would do: rows by their fate, with reasons for the refused ones."""

    new: list[CsvRow] = field(default_factory=list)
    changed: list[tuple[CsvRow, dict[str, tuple[Any, Any]]]] = field(default_factory=list)
    unchanged: list[CsvRow] = field(default_factory=list)
    refused: list[CsvRow] = field(default_factory=list)


def effective(store: HubStore, on: date) -> dict[str, dict[str, Any]]:
    """Every article with its price on ``on``."""
    articles = store.catalogue.articles()
    for change in store.catalogue.price_changes():
        if change.valid_from <= on and change.number in articles:
            articles[change.number]["price"] = change.price
    return articles


def preview(store: HubStore, rows: list[CsvRow], today: date) -> Preview:
    known = effective(store, today)
    seen: dict[str, int] = {}
    result = Preview()
    for row in rows:
        number = str(row.values.get("number", ""))
        if number in seen:
            row.problems.append(f"Artikelnummer {number} schon in Zeile {seen[number]}")
        seen.setdefault(number, row.line)
        if row.problems:
            result.refused.append(row)
        elif number not in known:
            result.new.append(row)
        else:
            differences = _differences(known[number], row.values)
            if differences:
                result.changed.append((row, differences))
            else:
                result.unchanged.append(row)
    _cross_check(known, result)
    return result


def _differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """What the row changes: only what it gives (a column the CSV lacks, or a cell left
    empty, keeps what the hub has)."""
    keys = sorted(new)
    return {
        key: (old.get(key), new.get(key))
        for key in keys
        if _same_value(key, old.get(key), new.get(key)) is False
    }


def _same_value(key: str, old: Any, new: Any) -> bool:
    if key == "price" and old is not None and new is not None:
        return parse_eur(str(old)) == parse_eur(str(new))
    return (old or None) == (new or None)


def _cross_check(known: dict[str, dict[str, Any]], result: Preview) -> None:
    """Deposits and EANs across the whole list as it would be after the import."""
    after = dict(known)
    accepted = result.new + [row for row, _ in result.changed]
    for row in accepted:
        number = str(row.values["number"])
        after[number] = {**after.get(number, {}), **row.values}
    try:
        parse_article_list(article_list_text(after.values(), []), "Import")
    except ConfigError as exc:
        order = list(after)
        for problem in exc.problems:
            index = _index(problem.key)
            number = order[index] if index is not None and index < len(order) else None
            for row in list(accepted):
                if str(row.values["number"]) == number:
                    row.problems.append(problem.message)
        for row in [r for r in result.new if r.problems]:
            result.new.remove(row)
            result.refused.append(row)
        for row, differences in [c for c in result.changed if c[0].problems]:
            result.changed.remove((row, differences))
            result.refused.append(row)
        result.refused.sort(key=lambda row: row.line)


def _index(key: str) -> int | None:
    if key.startswith("article[") and "]" in key:
        return int(key[len("article[") : key.index("]")])
    return None


def apply_import(
    store: HubStore,
    rows: list[CsvRow],
    by: str,
    now: datetime,
    today: date,
    departments: list[dict[str, Any]] | None = None,
) -> Preview:
    """Take over what the preview accepts (refused rows change nothing), in one transaction;
    department keys too when the upload had them (an article list file)."""
    with store.db.transaction():
        result = preview(store, rows, today)
        if departments is not None:
            store.catalogue.replace_departments(departments)
        for row in result.new:
            number = str(row.values["number"])
            store.catalogue.put(number, row.values, by, now)
            store.catalogue.log(number, "Import: neu", None, row.values, by, now)
        for row, differences in result.changed:
            number = str(row.values["number"])
            before = effective(store, today)[number]
            stored = store.catalogue.article(number) or {}
            store.catalogue.put(number, {**stored, **row.values, "price": stored["price"]}, by, now)
            if "price" in differences:
                store.catalogue.add_price_change(number, row.values["price"], today, by, now)
            store.catalogue.log(
                number, "Import: geändert", before, {**before, **row.values}, by, now
            )
    return result


def edit(
    store: HubStore,
    number: str,
    fields: dict[str, Any],
    price_from: date,
    by: str,
    now: datetime,
    today: date,
) -> list[str]:
    """Change an article; a new price takes effect on ``price_from``. Problems in words (then
    nothing changed)."""
    with store.db.transaction():
        current = effective(store, today)
        if number not in current:
            return [f"Artikel {number} gibt es nicht"]
        before = current[number]
        wanted = {**before, **fields, "number": number}
        after = dict(current)
        after[number] = wanted
        try:
            parse_article_list(article_list_text(after.values(), []), f"Artikel {number}")
        except ConfigError as exc:
            return [problem.message for problem in exc.problems]
        if price_from < today:
            return ["Ein neuer Preis gilt frühestens ab heute"]
        base = {**wanted, "price": store.catalogue.article(number)["price"]}
        store.catalogue.put(number, base, by, now)
        if not _same_value("price", before["price"], wanted["price"]):
            store.catalogue.add_price_change(number, wanted["price"], price_from, by, now)
            what = "Preis" if price_from == today else f"Preis ab {price_from:%d.%m.%Y}"
            store.catalogue.log(
                number, what, {"price": before["price"]}, {"price": wanted["price"]}, by, now
            )
        others = {k: v for k, v in wanted.items() if k != "price"}
        if others != {k: v for k, v in before.items() if k != "price"}:
            store.catalogue.log(number, "Bearbeitet", before, wanted, by, now)
    return []


def article_list(store: HubStore, on: date) -> tuple[str, str]:
    """The list the trucks import, with the prices of ``on``, and what it holds; ConfigError
    when it is not a list a truck would accept (nothing should be pushed then)."""
    articles = sorted(effective(store, on).values(), key=lambda a: str(a["number"]))
    departments = store.catalogue.departments()
    text = article_list_text(
        articles, departments, heading=f"Artikelliste der Zentrale, Preise vom {on:%d.%m.%Y}"
    )
    checked = parse_article_list(text, "Artikelliste der Zentrale")
    summary = f"{len(checked.articles)} Artikel, Preise vom {on:%d.%m.%Y}"
    return text, summary


def push(
    store: HubStore,
    settings: MqttSettings,
    by: str,
    now: datetime,
    on: date,
    publish: Callable[..., Published] = publish_text,
) -> Published:
    text, summary = article_list(store, on)
    published = publish(settings, "articles", text, summary)
    with store.db.transaction():
        store.catalogue.record_push("articles", published.download.version, by, summary, on, now)
    return published


def push_if_due(
    store: HubStore, settings: MqttSettings, now: datetime, today: date
) -> Published | None:
    """Push again when a price change took effect since the last push (never the first push:
    that one is the office's own decision)."""
    pushes = store.catalogue.pushes("articles", limit=1)
    if not pushes or pushes[0].prices_as_of is None:
        return None
    since = pushes[0].prices_as_of
    due = [c for c in store.catalogue.price_changes() if since < c.valid_from <= today]
    if not due:
        return None
    return push(store, settings, AUTOMATIC, now, today)
