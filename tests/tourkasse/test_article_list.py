"""The article list file: loaded from TOML, checked as a whole."""

from pathlib import Path

import pytest

from tourkasse.article import Unit
from tourkasse.article_list import load_article_list
from tourkasse.config import ConfigError
from tourkasse.vat import VatRate

from ..conftest import EXAMPLE_ARTICLES


def test_the_example_list_loads_with_prices_in_cents():
    articles = {a.number: a for a in load_article_list(EXAMPLE_ARTICLES).articles}
    assert articles["2001"].price == 119
    assert articles["2001"].vat_rate is VatRate.REDUCED
    assert articles["4001"].unit is Unit.KG
    assert articles["5001"].deposit == "9001"
    assert articles["2002"].base_price() == (996, "kg")  # 2,49 € for 250 g


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "articles.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mistakes_are_named_all_at_once_and_nothing_is_returned(tmp_path):
    path = write(
        tmp_path,
        """
[[article]]
number = "1"
name = "Wasser"
price = "0,69"
vat = 19
group = "Getränke"
deposit = "9"

[[article]]
number = "9"
name = "Pfand Milchflasche"
price = "0,15"
vat = 7
group = "Pfand"
is_deposit = true

[[article]]
number = "1"
name = "Doppelt"
price = "zwei Euro"
vat = 16
group = "X"
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_article_list(path)
    text = str(caught.value)
    assert "article[2].price" in text and "kein Geldbetrag" in text
    assert "article[2].vat" in text
    # fixed the two above, the cross-checks speak
    path = write(
        tmp_path, path.read_text().replace('"zwei Euro"', '"2,00"').replace("vat = 16", "vat = 19")
    )
    with pytest.raises(ConfigError) as caught:
        load_article_list(path)
    text = str(caught.value)
    assert "Artikelnummer 1 doppelt" in text
    assert "Steuersatz des Getränks" in text
