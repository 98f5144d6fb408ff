"""The article list on the truck: replaced as a whole, looked up by code, number or name."""

from __future__ import annotations

import json

from sqlite_utils import Database

from tourkasse.article import Article, Department
from tourkasse.vat import VatRate
from truck.store.database import write_transaction


def replace_articles(
    db: Database, articles: tuple[Article, ...], departments: tuple[Department, ...]
) -> None:
    """Swap in a new article list in one transaction (never half an old, half a new list)."""
    with write_transaction(db):
        db.execute("DELETE FROM article_codes")
        db.execute("DELETE FROM articles")
        db.execute("DELETE FROM departments")
        for article in articles:
            db.execute(
                "INSERT INTO articles (number, data) VALUES (?, ?)",
                [article.number, json.dumps(article.to_dict(), ensure_ascii=False)],
            )
            for gtin in article.gtins:
                db.execute(
                    "INSERT INTO article_codes (gtin, number) VALUES (?, ?)", [gtin, article.number]
                )
        for department in departments:
            data = {
                "key": department.key,
                "name": department.name,
                "group": department.group,
                "vat_rate": department.vat_rate.name,
            }
            db.execute(
                "INSERT INTO departments (key, data) VALUES (?, ?)",
                [department.key, json.dumps(data, ensure_ascii=False)],
            )


def by_number(db: Database, number: str) -> Article | None:
    row = db.execute("SELECT data FROM articles WHERE number = ?", [number]).fetchone()
    return Article.from_dict(json.loads(row[0])) if row else None


def by_gtin(db: Database, gtin: str) -> Article | None:
    row = db.execute(
        "SELECT a.data FROM article_codes c JOIN articles a ON a.number = c.number WHERE c.gtin = ?",
        [gtin],
    ).fetchone()
    return Article.from_dict(json.loads(row[0])) if row else None


def search(db: Database, text: str, limit: int = 20) -> list[Article]:
    """Articles whose name contains ``text`` (any case), best first: names that start with it."""
    needle = text.strip().casefold()
    found = [
        Article.from_dict(json.loads(data))
        for (data,) in db.execute("SELECT data FROM articles ORDER BY number")
    ]
    hits = [a for a in found if needle in a.name.casefold()]
    hits.sort(key=lambda a: (not a.name.casefold().startswith(needle), a.name))
    return hits[:limit]


def departments(db: Database) -> list[Department]:
    result = []
    for (data,) in db.execute("SELECT data FROM departments ORDER BY key"):
        values = json.loads(data)
        result.append(
            Department(values["key"], values["name"], values["group"], VatRate[values["vat_rate"]])
        )
    return result


def count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM articles").fetchone()[0]
