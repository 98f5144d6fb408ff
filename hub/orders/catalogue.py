"""The articles one may order: the hub's current article list (the office's, with the prices
of today), deposit articles themselves left out, in the order of a German list.

The list is made once per store object, day and state of the office's list (one cheap query
tells whether it changed) and kept with the store object: a form of sixty lines asks for sixty
deposits.
"""

from __future__ import annotations

import weakref
from datetime import UTC, date, datetime

from hub.catalogue import office
from hub.store import HubStore
from hub.typed_text import one_line
from tourkasse.article import Article, Unit
from tourkasse.article_list import ArticleList, parse_article_list
from tourkasse.config import ConfigError
from tourkasse.german import german_order

_READ: weakref.WeakKeyDictionary[HubStore, tuple[tuple[object, ...], dict[str, Article]]] = (
    weakref.WeakKeyDictionary()
)


def current_articles(store: HubStore, today: date | None = None) -> dict[str, Article]:
    """Every article of the hub's list (deposit articles too) by number, with the prices of
    ``today`` (the store's local date when not given); empty when the hub has no list."""
    day = today or datetime.now(UTC).astimezone(store.zone).date()
    marker = store.db.one(
        "SELECT (SELECT count(*) FROM catalogue_articles), "
        "(SELECT max(updated_at) FROM catalogue_articles), "
        "(SELECT count(*) FROM price_changes), (SELECT max(created_at) FROM price_changes)"
    )
    known = _READ.get(store)
    if known is not None and known[0] == (day, marker):
        return known[1]
    try:
        text, _ = office.article_list(store, day)
        checked: ArticleList = parse_article_list(text, "Artikelliste der Zentrale")
    except ConfigError:  # no articles yet, or a list no truck would take: nothing to order
        checked = ArticleList((), ())
    articles = {article.number: article for article in checked.articles}
    _READ[store] = ((day, marker), articles)
    return articles


def orderable_articles(store: HubStore) -> list[Article]:
    """The articles of the current list one may order, sorted as a German list."""
    return sorted(
        (a for a in current_articles(store).values() if not a.is_deposit),
        key=lambda a: (german_order(a.name), a.number),
    )


def deposit_of(store: HubStore, article: Article) -> int:
    """Cents of the deposit that goes with one piece of ``article`` (0 if none)."""
    return deposit_in(current_articles(store), article)


def deposit_in(articles: dict[str, Article], article: Article) -> int:
    """Cents of the deposit for one piece of ``article`` by the list ``articles``."""
    if article.deposit is None or article.unit is Unit.KG:
        return 0
    deposit = articles.get(article.deposit)
    return deposit.price if deposit is not None else 0


def note_text(text: str) -> str:
    """A note keeps its line breaks; each line as :func:`one_line` makes names fit (no control
    or format characters such as a right-to-left override, spaces collapsed)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(one_line(line) for line in lines).strip()
