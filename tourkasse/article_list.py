"""The article list as a TOML file: what the operator maintains and the truck imports.

Prices are written as text in euros ("1,29") so that no float ever holds money.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tourkasse.article import Article, ContentUnit, Department, Unit
from tourkasse.config import ConfigError, ConfigProblem, load_config, parse_config
from tourkasse.gtin import is_valid_gtin
from tourkasse.money import parse_eur
from tourkasse.vat import VatRate


def _price(text: str) -> None:
    cents = parse_eur(text)
    if cents < 0:
        raise ValueError("Preis darf nicht negativ sein")


@dataclass(frozen=True)
class ArticleRow:
    number: str = field(metadata={"doc": "Artikelnummer, auch als PLU eintippbar"})
    name: str
    price: str = field(metadata={"check": _price, "doc": 'Bruttopreis, z. B. "1,29"'})
    vat: Literal[19, 7, 0]
    group: str
    unit: Literal["piece", "kg"] = "piece"
    gtin: tuple[str, ...] = ()
    net_content: int | None = None
    content_unit: Literal["g", "ml"] | None = None
    deposit: str | None = None
    age_limit: Literal[16, 18] | None = None
    allergens: str = ""
    is_deposit: bool = False

    def to_article(self) -> Article:
        return Article(
            number=self.number,
            name=self.name,
            unit=Unit(self.unit),
            price=parse_eur(self.price),
            vat_rate=VatRate.from_percent(self.vat),
            group=self.group,
            # EAN-8 and UPC-A are kept as the 13-digit EAN a scanner's code is read as
            gtins=tuple(code.zfill(13) if len(code) in (8, 12) else code for code in self.gtin),
            net_content=self.net_content,
            content_unit=ContentUnit(self.content_unit) if self.content_unit else None,
            deposit=self.deposit,
            age_limit=self.age_limit,
            allergens=self.allergens,
            is_deposit=self.is_deposit,
        )


@dataclass(frozen=True)
class DepartmentRow:
    key: str
    name: str
    group: str
    vat: Literal[19, 7, 0]

    def to_department(self) -> Department:
        return Department(self.key, self.name, self.group, VatRate.from_percent(self.vat))


@dataclass(frozen=True)
class ArticleListFile:
    article: tuple[ArticleRow, ...] = ()
    department: tuple[DepartmentRow, ...] = ()


@dataclass(frozen=True)
class ArticleList:
    articles: tuple[Article, ...]
    departments: tuple[Department, ...]


def load_article_list(path: Path) -> ArticleList:
    """Read and check an article list; all problems are raised together as ConfigError."""
    return _checked(load_config(path, ArticleListFile), str(path))


def parse_article_list(text: str, source: str) -> ArticleList:
    """Check an article list given as TOML text (a download); ``source`` names it in problems."""
    return _checked(parse_config(text, ArticleListFile, source=source), source)


def _checked(raw: ArticleListFile, file: str) -> ArticleList:
    problems: list[ConfigProblem] = []
    if not raw.article:
        problems.append(ConfigProblem(file, "article", "keine Artikel – nichts ersetzt"))
    articles: list[tuple[int, Article]] = []
    for index, row in enumerate(raw.article):
        try:
            articles.append((index, row.to_article()))
        except ValueError as exc:
            problems.append(ConfigProblem(file, f"article[{index}]", str(exc)))
    problems.extend(_cross_checks(file, articles))
    keys: set[str] = set()
    for index, row in enumerate(raw.department):
        if row.key.casefold() in keys:
            problems.append(
                ConfigProblem(file, f"department[{index}].key", f"Taste {row.key} doppelt")
            )
        keys.add(row.key.casefold())
    if problems:
        raise ConfigError(problems)
    return ArticleList(
        tuple(article for _, article in articles),
        tuple(row.to_department() for row in raw.department),
    )


def _cross_checks(file: str, articles: Sequence[tuple[int, Article]]) -> list[ConfigProblem]:
    """Checks across articles; ``articles`` keeps each one's position in the file."""
    problems: list[ConfigProblem] = []
    by_number: dict[str, Article] = {}
    codes: dict[str, str] = {}
    for index, article in articles:
        key = f"article[{index}]"
        if not article.number.isdigit() or not article.number.strip("0"):
            problems.append(
                ConfigProblem(
                    file,
                    f"{key}.number",
                    f"Artikelnummer „{article.number}“: nur Ziffern, nicht 0",
                )
            )
        if article.number in by_number:
            problems.append(ConfigProblem(file, key, f"Artikelnummer {article.number} doppelt"))
        by_number.setdefault(article.number, article)
        for gtin in article.gtins:
            if not is_valid_gtin(gtin):
                problems.append(
                    ConfigProblem(
                        file,
                        f"{key}.gtin",
                        f"„{gtin}“ ist keine gültige EAN-13 (13 Ziffern mit richtiger Prüfziffer)",
                    )
                )
            if gtin in codes:
                problems.append(
                    ConfigProblem(file, key, f"EAN {gtin} gehört schon zu Artikel {codes[gtin]}")
                )
            codes[gtin] = article.number
    for index, article in articles:
        if article.deposit is not None:
            deposit = by_number.get(article.deposit)
            if deposit is None or not deposit.is_deposit:
                problems.append(
                    ConfigProblem(
                        file,
                        f"article[{index}].deposit",
                        f"Pfandartikel {article.deposit} fehlt oder ist kein Pfand (is_deposit = true)",
                    )
                )
            elif deposit.vat_rate is not article.vat_rate:
                # Pfand takes the drink's rate; empties come back without their drink, so the
                # deposit article itself must carry that one rate.
                problems.append(
                    ConfigProblem(
                        file,
                        f"article[{index}].deposit",
                        f"Pfand {deposit.number} hat {deposit.vat_rate.percent_text} MwSt., "
                        f"{article.name} aber {article.vat_rate.percent_text} – Pfand trägt den "
                        "Steuersatz des Getränks; bitte einen eigenen Pfandartikel anlegen",
                    )
                )
    return problems
