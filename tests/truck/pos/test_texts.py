"""Every text of the till's screen exists in German and English, and every key used exists."""

import re
from pathlib import Path

from truck.pos.texts import TEXTS

POS = Path(__file__).resolve().parents[3] / "truck" / "pos"


def test_every_text_exists_in_both_languages():
    for key, (german, english) in TEXTS.items():
        assert german.strip() and english.strip(), key
        # the same placeholders in both, so a translation never breaks a message
        assert set(re.findall(r"{(\w+)}", german)) == set(re.findall(r"{(\w+)}", english)), key


def test_every_text_the_screens_use_is_in_the_catalogue():
    used: set[str] = set()
    for source in POS.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+\.[a-z_]+)\"", text))
        used |= set(re.findall(r"Binding\([^)]*\"([a-z_]+\.[a-z_]+)\"\)", text))
    assert used, "no texts found"
    missing = used - set(TEXTS)
    assert not missing, f"texts used but not in the catalogue: {sorted(missing)}"
