"""The generic TOML → dataclass loader and its German problem reports."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from tourkasse.config import (
    ConfigError,
    ConfigProblem,
    describe_value,
    load_config,
    matches,
    schema_docs,
)


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclass(frozen=True)
class Port:
    device: str
    baud: int = 9600
    parity: Literal["N", "E", "O"] = "E"


@dataclass(frozen=True)
class Item:
    name: str
    kind: Literal["weight", "price"]


@dataclass(frozen=True)
class Range:
    low: int
    high: int

    def check_config(self) -> Iterator[tuple[str, str]]:
        if self.low > self.high:
            yield "high", f"erwartet mindestens {self.low}, gefunden {self.high}"


@dataclass(frozen=True)
class Schema:
    name: str = field(metadata={"check": matches(r"[A-Z][0-9]{2}", "eine Kennung wie T01")})
    port: Port = field(metadata={"doc": "die Schnittstelle"})
    enabled: bool = False
    ratio: float = 1.0
    colour: Colour = Colour.RED
    data: Path = Path("var/data.sqlite")
    note: str | None = None
    items: list[Item] = field(default_factory=list)
    tags: tuple[str, ...] = ()
    limits: Range | None = None


def write(tmp_path: Path, text: str, name: str = "app.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, schema: type = Schema) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, schema)
    return caught.value.problems


def only(path: Path, schema: type = Schema) -> ConfigProblem:
    found = problems(path, schema)
    assert len(found) == 1, found
    return found[0]


MINIMAL = 'name = "T01"\n[port]\ndevice = "/dev/ttyS0"\n'


def test_minimal_file_fills_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL), Schema)
    assert config == Schema(
        name="T01",
        port=Port(device="/dev/ttyS0"),
        data=(tmp_path / "var/data.sqlite").resolve(),
    )
    assert config.items == [] and config.note is None and config.limits is None


def test_every_supported_type(tmp_path: Path) -> None:
    text = MINIMAL + (
        'baud = 19200\nparity = "O"\n'
        "[limits]\nlow = 1\nhigh = 2\n"
        '[[items]]\nname = "Käse"\nkind = "weight"\n'
        '[[items]]\nname = "Brot"\nkind = "price"\n'
    )
    text = (
        'enabled = true\nratio = 2\ncolour = "green"\ndata = "/srv/d.sqlite"\nnote = "x"\n'
        'tags = ["a", "b"]\n' + text
    )
    config = load_config(write(tmp_path, text), Schema)
    assert config.port == Port("/dev/ttyS0", 19200, "O")
    assert config.enabled is True and config.ratio == 2.0 and isinstance(config.ratio, float)
    assert config.colour is Colour.GREEN
    assert config.data == Path("/srv/d.sqlite")
    assert config.note == "x" and config.tags == ("a", "b")
    assert config.limits == Range(1, 2)
    assert config.items == [Item("Käse", "weight"), Item("Brot", "price")]


def test_relative_path_resolves_against_config_directory(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    path = write(tmp_path / "config", 'data = "../var/x.sqlite"\n' + MINIMAL)
    assert load_config(path, Schema).data == (tmp_path / "var" / "x.sqlite").resolve()


def test_problem_text_names_file_key_expected_and_found() -> None:
    problem = ConfigProblem(
        "config/truck.toml", "scale.baud", 'erwartet eine ganze Zahl, gefunden "9600x"'
    )
    assert (
        str(problem) == 'config/truck.toml: scale.baud: erwartet eine ganze Zahl, gefunden "9600x"'
    )
    assert str(ConfigProblem("a.toml", "", "kaputt", line=3)) == "a.toml, Zeile 3: kaputt"


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + 'baud = "9600x"\n')
    problem = only(path)
    assert (problem.file, problem.key) == (str(path), "port.baud")
    assert problem.message == 'erwartet eine ganze Zahl, gefunden "9600x"'
    assert str(problem) == f'{path}: port.baud: erwartet eine ganze Zahl, gefunden "9600x"'


@pytest.mark.parametrize("value", ["true", "9600.0"])
def test_bool_and_float_are_not_ints(tmp_path: Path, value: str) -> None:
    problem = only(write(tmp_path, MINIMAL + f"baud = {value}\n"))
    assert problem.key == "port.baud"
    assert problem.message == f"erwartet eine ganze Zahl, gefunden {value}"


def test_number_for_text_suggests_quotes(tmp_path: Path) -> None:
    problem = only(write(tmp_path, 'name = 1\n[port]\ndevice = "x"\n'))
    assert problem.key == "name"
    assert problem.message.startswith("erwartet einen Text, gefunden 1")
    assert 'Anführungszeichen schreiben: "1"' in problem.message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    problem = only(write(tmp_path, 'colour_scheme = "dark"\n' + MINIMAL))
    assert problem.key == "colour_scheme"
    assert problem.message.startswith("unbekannter Schlüssel – erlaubt sind: name, port, enabled")


def test_unknown_nested_key_suggests_close_match(tmp_path: Path) -> None:
    problem = only(write(tmp_path, MINIMAL + "baudrate = 9600\n"))
    assert problem.key == "port.baudrate"
    assert "erlaubt sind: device, baud, parity" in problem.message
    assert problem.message.endswith("meinten Sie „baud“?")


def test_unknown_key_without_close_match_has_no_suggestion(tmp_path: Path) -> None:
    problem = only(write(tmp_path, MINIMAL + "zzz = 1\n"))
    assert "meinten Sie" not in problem.message


def test_unknown_key_that_needs_quotes_is_quoted(tmp_path: Path) -> None:
    problem = only(write(tmp_path, MINIMAL + '"the baud" = 1\n'))
    assert problem.key == 'port."the baud"'


def test_missing_required_key_and_table(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "[port]\nbaud = 9600\n"))
    assert [(p.key, p.message) for p in found] == [
        ("name", "fehlt – erwartet einen Text"),
        ("port.device", "fehlt – erwartet einen Text"),
    ]
    problem = only(write(tmp_path, 'name = "T01"\n'))
    assert (problem.key, problem.message) == ("port", "fehlt – erwartet eine Tabelle")


def test_literal_lists_allowed_values_and_suggests(tmp_path: Path) -> None:
    problem = only(write(tmp_path, MINIMAL + 'parity = "e"\n'))
    assert problem.key == "port.parity"
    assert problem.message == (
        'erwartet einen der Werte "N", "E", "O", gefunden "e" – meinten Sie "E"?'
    )


def test_enum_by_value(tmp_path: Path) -> None:
    problem = only(write(tmp_path, 'colour = "blue"\n' + MINIMAL))
    assert problem.key == "colour"
    assert problem.message.startswith('erwartet einen der Werte "red", "green", gefunden "blue"')


def test_list_item_problems_carry_their_index(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + '[[items]]\nname = "a"\nkind = "weight"\n[[items]]\nname = "b"\nkind = "gewicht"\n'
    )
    problem = only(write(tmp_path, text))
    assert problem.key == "items[1].kind"
    assert 'erwartet einen der Werte "weight", "price"' in problem.message


def test_table_and_list_shapes(tmp_path: Path) -> None:
    found = problems(write(tmp_path, 'name = "T01"\nport = 5\nitems = "x"\ntags = [1]\n'))
    assert [(p.key, p.message) for p in found] == [
        ("port", "erwartet eine Tabelle, gefunden 5"),
        ("items", 'erwartet eine Liste, gefunden "x"'),
        ("tags[0]", 'erwartet einen Text, gefunden 1 (in Anführungszeichen schreiben: "1")'),
    ]


def test_field_check_message_becomes_problem(tmp_path: Path) -> None:
    problem = only(write(tmp_path, 'name = "truck 1"\n[port]\ndevice = "x"\n'))
    assert problem.key == "name"
    assert problem.message == 'erwartet eine Kennung wie T01, gefunden "truck 1"'


def test_table_check_names_the_key(tmp_path: Path) -> None:
    problem = only(write(tmp_path, MINIMAL + "[limits]\nlow = 5\nhigh = 2\n"))
    assert (problem.key, problem.message) == ("limits.high", "erwartet mindestens 5, gefunden 2")


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = 'name = "x"\nenabled = "yes"\nextra = 1\n[port]\nbaud = true\nparity = "Q"\n'
    error_text = ""
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), Schema)
    error_text = str(caught.value)
    keys = sorted(p.key for p in caught.value.problems)
    assert keys == ["enabled", "extra", "name", "port.baud", "port.device", "port.parity"]
    assert len(error_text.splitlines()) == 6
    assert all(
        line.startswith(str(tmp_path / "app.toml") + ": ") for line in error_text.splitlines()
    )


def test_toml_syntax_error_reports_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "T01"\n[port]\ndevice = /dev/ttyS0\n')
    problem = only(path)
    assert (problem.file, problem.key, problem.line) == (str(path), "", 3)
    assert problem.message.startswith("kein gültiges TOML: Invalid value (Spalte")
    assert str(problem).startswith(f"{path}, Zeile 3: kein gültiges TOML")


def test_toml_error_at_end_of_document(tmp_path: Path) -> None:
    problem = only(write(tmp_path, 'name = "T01'))
    assert problem.line == 1 and "kein gültiges TOML" in problem.message


def test_invalid_utf8_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "T01"\ncity = "München"\n'.encode("latin-1"))
    problem = only(path)
    assert problem.line == 2 and "UTF-8" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nirgends.toml"
    problem = only(path)
    assert (problem.file, problem.key, problem.message) == (str(path), "", "Datei nicht gefunden")
    assert str(problem) == f"{path}: Datei nicht gefunden"


def test_unreadable_file(tmp_path: Path) -> None:
    problem = only(tmp_path)  # a directory
    assert problem.message.startswith("Datei nicht lesbar")


def test_unsupported_schema_type_is_a_programming_error(tmp_path: Path) -> None:
    @dataclass(frozen=True)
    class Bad:
        value: dict[str, int]

    with pytest.raises(TypeError):
        load_config(write(tmp_path, "[value]\na = 1\n"), Bad)


def test_describe_value() -> None:
    assert describe_value('a"b') == '"a\\"b"'
    assert describe_value(False) == "false"
    assert describe_value({}) == "eine Tabelle"
    assert describe_value(3) == "3"


def test_schema_docs_lists_nested_keys() -> None:
    docs = {key: (expected, default, doc) for key, expected, default, doc in schema_docs(Schema)}
    assert docs["port"] == ("eine Tabelle", "", "die Schnittstelle")
    assert docs["port.baud"] == ("eine ganze Zahl", "9600", "")
    assert docs["colour"][1] == '"red"'
    assert docs["items[].kind"][0] == 'einen der Werte "weight", "price"'
