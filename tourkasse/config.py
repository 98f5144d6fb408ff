"""Read a TOML file into frozen dataclasses, and say in German what is wrong with it.

A schema is a frozen dataclass; its fields may be ``str``, ``int`` (never a bool or a float),
``float``, ``bool``, ``Path`` (relative paths are taken relative to the config file's directory),
``Literal[...]``, an ``Enum`` (chosen by value), a nested dataclass (a TOML table), ``list[X]`` or
``tuple[X, ...]`` of those (an array, or an array of tables), and ``X | None``.

- A field with a default (or of type ``X | None``) may be left out; any other missing key is a
  problem, and so is every key the schema does not know.
- ``field(metadata={"check": callable})`` validates a value after conversion: the callable raises
  ``ValueError`` with a German message, which becomes a :class:`ConfigProblem`.
  ``metadata={"doc": "..."}`` describes the setting (see :func:`schema_docs`).
- A dataclass may define ``check_config(self) -> Iterable[tuple[str, str]]`` for rules that
  span several of its fields; it yields (key relative to the table, German message). It runs
  only when the table's own fields are valid.

All problems of a file are collected and raised together as one :class:`ConfigError`.
Keys are dotted paths; items of an array are counted from 0: ``barcode.instore[1].kind``.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import json
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar

T = TypeVar("T")

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


@dataclasses.dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration file."""

    file: str
    key: str  # dotted path such as "scale.baudrate"; empty for the file as a whole
    message: str  # German: what is expected and what was found
    line: int | None = None  # for TOML syntax errors

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, Zeile {self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(Exception):
    """A configuration file cannot be used; ``problems`` lists everything found wrong with it."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: list[ConfigProblem] = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def load_config(path: Path, schema: type[T]) -> T:
    """Read the TOML file at ``path`` and build ``schema`` from it, or raise ConfigError."""
    if not dataclasses.is_dataclass(schema):
        raise TypeError(f"{schema!r} is not a dataclass")
    file = str(path)
    return _build(_read_toml(path, file), schema, file, path.expanduser().absolute().parent)


def parse_config(text: str, schema: type[T], *, source: str, base: Path | None = None) -> T:
    """As :func:`load_config`, for TOML text that did not come from a file (a download).

    ``source`` names the text in problems (e.g. "Artikelliste Version 4"); relative paths in
    it are taken relative to ``base`` (the current folder if not given).
    """
    if not dataclasses.is_dataclass(schema):
        raise TypeError(f"{schema!r} is not a dataclass")
    return _build(_parse_toml(text, source), schema, source, base or Path.cwd())


def _build(data: dict[str, Any], schema: type[T], file: str, base: Path) -> T:
    loader = _Loader(file, base)
    result = loader.table(data, schema, "")
    if loader.problems:
        raise ConfigError(loader.problems)
    return typing.cast(T, result)


def describe_value(value: object) -> str:
    """A value as the person who wrote the file would recognise it: ``"9600x"``, ``true``, ``8``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "eine Tabelle"
    if isinstance(value, list):
        return "eine Liste"
    return str(value)


def matches(pattern: str, expected: str) -> Callable[[str], None]:
    """A check: the whole text must match ``pattern``; ``expected`` says what that means."""
    compiled = re.compile(pattern)

    def check(value: str) -> None:
        if compiled.fullmatch(value) is None:
            raise ValueError(f"erwartet {expected}, gefunden {describe_value(value)}")

    return check


def in_range(low: int, high: int) -> Callable[[int], None]:
    """A check: a whole number from ``low`` to ``high`` inclusive."""

    def check(value: int) -> None:
        if not low <= value <= high:
            raise ValueError(f"erwartet eine Zahl von {low} bis {high}, gefunden {value}")

    return check


def not_empty(value: str) -> None:
    """A check: text that is not empty or only spaces."""
    if not value.strip():
        raise ValueError(f"erwartet einen nicht leeren Text, gefunden {describe_value(value)}")


def schema_docs(schema: type[Any], prefix: str = "") -> Iterator[tuple[str, str, str, str]]:
    """Every setting of ``schema``: (dotted key, what is expected, default or "", doc)."""
    hints = _hints(schema)
    for f in dataclasses.fields(schema):
        key = _join(prefix, f.name)
        kind = _unwrap_optional(hints[f.name])
        doc = str(f.metadata.get("doc", ""))
        if dataclasses.is_dataclass(kind):
            yield key, "eine Tabelle", "", doc
            yield from schema_docs(typing.cast(type, kind), key)
            continue
        args = typing.get_args(kind)
        if typing.get_origin(kind) in (list, tuple) and dataclasses.is_dataclass(args[0]):
            yield key, "eine Liste von Tabellen", "", doc
            yield from schema_docs(args[0], f"{key}[]")
            continue
        default = ""
        if f.default is not dataclasses.MISSING and f.default is not None:
            default = describe_value(_toml_value(f.default))
        yield key, _expected(kind), default, doc


def _read_toml(path: Path, file: str) -> dict[str, Any]:
    try:
        raw = path.expanduser().read_bytes()
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(file, "", "Datei nicht gefunden")]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError([ConfigProblem(file, "", f"Datei nicht lesbar: {reason}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        message = "erwartet Text in UTF-8, gefunden ungültige Bytes"
        raise ConfigError([ConfigProblem(file, "", message, line)]) from None
    return _parse_toml(text, file)


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = str(error)
        position = _TOML_POSITION.search(reason)
        line: int | None = None
        if position is not None:
            reason = reason[: position.start()]
            if position.group(1):
                line = int(position.group(1))
                reason += f" (Spalte {position.group(2)})"
            else:
                line = text.count("\n") + 1
                reason += " (am Dateiende)"
        message = f"kein gültiges TOML: {reason}"
        raise ConfigError([ConfigProblem(file, "", message, line)]) from None


class _Invalid:
    """Marks a value that could not be converted; its problem is already recorded."""


_INVALID = _Invalid()


class _Loader:
    def __init__(self, file: str, base: Path) -> None:
        self.file = file
        self.base = base
        self.problems: list[ConfigProblem] = []

    def problem(self, key: str, message: str) -> _Invalid:
        self.problems.append(ConfigProblem(self.file, key, message))
        return _INVALID

    def wrong(self, key: str, kind: Any, value: object) -> _Invalid:
        message = f"erwartet {_expected(kind)}, gefunden {describe_value(value)}"
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            message += f' (in Anführungszeichen schreiben: "{value}")'
        return self.problem(key, message)

    def convert(self, value: object, kind: Any, key: str) -> Any:
        kind = _unwrap_optional(kind)
        origin = typing.get_origin(kind)
        if dataclasses.is_dataclass(kind):
            return self.table(value, typing.cast(type, kind), key)
        if origin in (list, tuple):
            return self.array(value, kind, key)
        if origin is Literal:
            allowed = typing.get_args(kind)
            if any(type(value) is type(a) and value == a for a in allowed):
                return value
            return self.problem(key, _not_one_of(value, allowed))
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            for member in kind:
                if type(value) is type(member.value) and value == member.value:
                    return member
            return self.problem(key, _not_one_of(value, tuple(m.value for m in kind)))
        if kind is bool:
            return value if isinstance(value, bool) else self.wrong(key, kind, value)
        if kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
            return value if ok else self.wrong(key, kind, value)
        if kind is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return float(typing.cast(float, value)) if ok else self.wrong(key, kind, value)
        if kind is str:
            return value if isinstance(value, str) else self.wrong(key, kind, value)
        if kind is Path:
            if not isinstance(value, str) or not value.strip():
                return self.wrong(key, kind, value)
            return self.rebase(Path(value))
        raise TypeError(f"config schema: unsupported type {kind!r} at {key!r}")

    def array(self, value: object, kind: Any, key: str) -> Any:
        args = typing.get_args(kind)
        is_tuple = typing.get_origin(kind) is tuple
        if is_tuple and (len(args) != 2 or args[1] is not Ellipsis):
            raise TypeError(f"config schema: only tuple[X, ...] is supported, not {kind!r}")
        if not isinstance(value, list):
            return self.wrong(key, kind, value)
        items = [self.convert(item, args[0], f"{key}[{i}]") for i, item in enumerate(value)]
        if any(item is _INVALID for item in items):
            return _INVALID
        return tuple(items) if is_tuple else items

    def table(self, data: object, schema: type[Any], key: str) -> Any:
        if not isinstance(data, dict):
            return self.wrong(key, schema, data)
        hints = _hints(schema)
        fields = [f for f in dataclasses.fields(schema) if f.init]
        names = [f.name for f in fields]
        before = len(self.problems)
        for name in data:  # unknown keys do not stop the checks of the known ones
            if name not in names:
                quoted = name if _BARE_KEY.match(name) else describe_value(name)
                self.problem(_join(key, quoted), _unknown_key(name, names))
        values: dict[str, Any] = {}
        ok = True
        for f in fields:
            sub = _join(key, f.name)
            if f.name not in data:
                default = self.default(f, hints[f.name])
                if default is _INVALID:
                    ok = False
                    self.problem(sub, f"fehlt – erwartet {_expected(hints[f.name])}")
                else:
                    values[f.name] = default
                continue
            value = self.convert(data[f.name], hints[f.name], sub)
            check = f.metadata.get("check")
            if value is not _INVALID and check is not None:
                try:
                    check(value)
                except ValueError as error:
                    value = self.problem(sub, str(error))
            if value is _INVALID:
                ok = False
            else:
                values[f.name] = value
        if not ok:
            return _INVALID
        try:
            result = schema(**values)
        except ValueError as error:
            return self.problem(key, str(error))
        check_config = getattr(result, "check_config", None)
        if callable(check_config):
            for relative, message in check_config():
                self.problem(_join(key, relative), message)
        return result if len(self.problems) == before else _INVALID

    def default(self, f: dataclasses.Field[Any], kind: Any) -> Any:
        if f.default is not dataclasses.MISSING:
            return self.rebase(f.default)
        if f.default_factory is not dataclasses.MISSING:
            return self.rebase(f.default_factory())
        if _unwrap_optional(kind) is not kind:
            return None
        return _INVALID

    def rebase(self, value: Any) -> Any:
        """Resolve relative paths in a value, including defaults, against the config's folder."""
        if isinstance(value, Path):
            path = value.expanduser()
            return path if path.is_absolute() else (self.base / path).resolve()
        if isinstance(value, list | tuple):
            return type(value)(self.rebase(item) for item in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: self.rebase(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init
            }
            return dataclasses.replace(value, **changes)
        return value


def _hints(schema: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(schema)


def _unwrap_optional(kind: Any) -> Any:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        others = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if len(others) != 1:
            raise TypeError(f"config schema: only X | None unions are supported, not {kind!r}")
        return others[0]
    return kind


def _expected(kind: Any) -> str:
    kind = _unwrap_optional(kind)
    if typing.get_origin(kind) is Literal:
        return _one_of(typing.get_args(kind))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _one_of(tuple(member.value for member in kind))
    if dataclasses.is_dataclass(kind):
        return "eine Tabelle"
    if typing.get_origin(kind) in (list, tuple):
        return "eine Liste"
    names = {
        str: "einen Text",
        int: "eine ganze Zahl",
        float: "eine Zahl",
        bool: "true oder false",
        Path: "einen Pfad (Text)",
    }
    return names.get(kind, str(kind))


def _one_of(allowed: tuple[Any, ...]) -> str:
    if len(allowed) == 1:
        return f"den Wert {describe_value(allowed[0])}"
    return "einen der Werte " + ", ".join(describe_value(value) for value in allowed)


def _not_one_of(value: object, allowed: tuple[Any, ...]) -> str:
    message = f"erwartet {_one_of(allowed)}, gefunden {describe_value(value)}"
    if isinstance(value, str):
        texts = [a for a in allowed if isinstance(a, str)]
        close = difflib.get_close_matches(value, texts, n=1)
        if not close:
            lowered = {text.lower(): text for text in texts}
            close = [lowered[value.lower()]] if value.lower() in lowered else []
        if close:
            message += f" – meinten Sie {describe_value(close[0])}?"
    return message


def _unknown_key(name: str, known: list[str]) -> str:
    message = "unbekannter Schlüssel – erlaubt sind: " + ", ".join(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        message += f"; meinten Sie „{close[0]}“?"
    return message


def _join(prefix: str, name: str) -> str:
    if not name:
        return prefix
    return f"{prefix}.{name}" if prefix else name


def _toml_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    return value
