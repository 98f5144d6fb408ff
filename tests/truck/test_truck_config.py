"""The truck's configuration schema and the example file shipped in config/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tourkasse.config import ConfigError, ConfigProblem, schema_docs
from truck.config import (
    InstoreBarcode,
    PathSettings,
    TruckConfig,
    load_truck_config,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "truck.example.toml"

MINIMAL = """\
[shop]
name = "Dorfladen auf Rädern – Mustermann GmbH"
street = "Hauptstraße 1"
postcode = "34346"
city = "Hann. Münden"
tax_number = "12/345/67890"

[truck]
id = "T01"
till_serial = "TK-1"

[tse]
kind = "software"

[printer]
kind = "none"

[scale]
protocol = "none"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "truck.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[ConfigProblem]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_truck_config(path)
    for problem in caught.value.problems:
        assert problem.file == str(path)
    return caught.value.problems


def only(tmp_path: Path, text: str) -> ConfigProblem:
    found = problems(tmp_path, text)
    assert len(found) == 1, found
    return found[0]


def replace(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


def test_example_loads() -> None:
    config = load_truck_config(EXAMPLE)
    assert config.shop.name == "Dorfladen auf Rädern – Mustermann GmbH"
    assert (config.shop.postcode, config.shop.city, config.shop.country) == (
        "34346",
        "Hann. Münden",
        "DE",
    )
    assert config.truck.id == "T01"
    assert config.language == "de"
    assert config.tse.kind == "software" and config.tse.curve == "P-256"
    assert config.printer.kind == "file"
    assert config.printer.path == REPO / "var" / "receipts.bin"
    assert config.scale.protocol == "simulated"
    assert config.scale.till_computed_price is False
    assert config.paths == PathSettings(
        journal=REPO / "var" / "journal.sqlite",
        track=REPO / "var" / "track.sqlite",
        tse=REPO / "var" / "tse",
    )
    assert config.barcode.instore == (InstoreBarcode("21", "price"), InstoreBarcode("28", "weight"))


def test_example_documents_every_setting() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for key, _expected, _default, doc in schema_docs(TruckConfig):
        assert doc, f"{key} has no doc"
        assert key.rsplit(".", 1)[-1].removesuffix("[]") in text, key


def test_minimal_config_uses_defaults_relative_to_config_directory(tmp_path: Path) -> None:
    config = load_truck_config(write(tmp_path, MINIMAL))
    assert config.paths.journal == tmp_path.resolve() / "var" / "journal.sqlite"
    assert config.paths.track == tmp_path.resolve() / "var" / "track.sqlite"
    assert config.paths.tse == tmp_path.resolve() / "var" / "tse"
    assert config.language == "de" and config.shop.vat_id is None
    assert config.printer.columns == 42 and config.printer.code_page == "CP858"
    assert config.printer.port == 9100
    scale = config.scale
    assert (scale.baudrate, scale.bytesize, scale.parity, scale.stopbits) == (9600, 7, "E", 1)
    assert scale.timeout_ms == 1000 and scale.till_computed_price is False
    assert config.barcode.instore == ()


def test_relative_paths_resolve_against_config_directory(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    path = tmp_path / "config" / "truck.toml"
    path.write_text(MINIMAL + '[paths]\njournal = "../var/j.sqlite"\ntse = "/srv/tse"\n', "utf-8")
    paths = load_truck_config(path).paths
    assert paths.journal == tmp_path.resolve() / "var" / "j.sqlite"
    assert paths.track == tmp_path.resolve() / "config" / "var" / "track.sqlite"
    assert paths.tse == Path("/srv/tse")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    problem = only(tmp_path, 'sprache = "de"\n' + MINIMAL)
    assert problem.key == "sprache"
    assert "unbekannter Schlüssel – erlaubt sind: shop, truck, tse, printer" in problem.message


def test_unknown_nested_key_suggests(tmp_path: Path) -> None:
    problem = only(tmp_path, MINIMAL + "baud = 19200\n")
    assert problem.key == "scale.baud"
    assert problem.message.endswith("meinten Sie „baudrate“?")


def test_wrong_type(tmp_path: Path) -> None:
    problem = only(tmp_path, MINIMAL + 'baudrate = "9600x"\n')
    assert problem.key == "scale.baudrate"
    assert problem.message == 'erwartet eine ganze Zahl, gefunden "9600x"'


def test_bool_for_int(tmp_path: Path) -> None:
    problem = only(tmp_path, MINIMAL + "timeout_ms = true\n")
    assert (problem.key, problem.message) == (
        "scale.timeout_ms",
        "erwartet eine ganze Zahl, gefunden true",
    )


def test_missing_required_key(tmp_path: Path) -> None:
    problem = only(tmp_path, replace('city = "Hann. Münden"\n', ""))
    assert (problem.key, problem.message) == ("shop.city", "fehlt – erwartet einen Text")


def test_missing_required_table(tmp_path: Path) -> None:
    problem = only(tmp_path, replace('[tse]\nkind = "software"\n', ""))
    assert (problem.key, problem.message) == ("tse", "fehlt – erwartet eine Tabelle")


def test_invalid_literal(tmp_path: Path) -> None:
    problem = only(tmp_path, replace('kind = "none"', 'kind = "netwerk"'))
    assert problem.key == "printer.kind"
    assert problem.message == (
        'erwartet einen der Werte "none", "file", "network", "serial", "usb", '
        'gefunden "netwerk" – meinten Sie "network"?'
    )


@pytest.mark.parametrize("postcode", ['"3434"', '"34346a"', '"D-34346"'])
def test_bad_postcode(tmp_path: Path, postcode: str) -> None:
    problem = only(tmp_path, replace('"34346"', postcode))
    assert problem.key == "shop.postcode"
    assert problem.message == f"erwartet fünf Ziffern, gefunden {postcode}"


def test_postcode_as_number_says_to_quote_it(tmp_path: Path) -> None:
    problem = only(tmp_path, replace('"34346"', "34346"))
    assert problem.key == "shop.postcode"
    assert 'Anführungszeichen schreiben: "34346"' in problem.message


@pytest.mark.parametrize("truck_id", ["T 01", "T/01", "T+", "T#1", "", "-T01", "Ä1"])
def test_bad_truck_id(tmp_path: Path, truck_id: str) -> None:
    problem = only(tmp_path, replace('id = "T01"', f'id = "{truck_id}"'))
    assert problem.key == "truck.id"
    assert problem.message.startswith('erwartet eine Kennung aus Buchstaben, Ziffern und "-"')
    assert problem.message.endswith(f'gefunden "{truck_id}"')


@pytest.mark.parametrize("truck_id", ["T01", "truck-7", "W2"])
def test_good_truck_ids(tmp_path: Path, truck_id: str) -> None:
    config = load_truck_config(write(tmp_path, replace('id = "T01"', f'id = "{truck_id}"')))
    assert config.truck.id == truck_id


@pytest.mark.parametrize(
    "tax_number", ["12/345/67890", "123/456/78901", "2181508150", "21 815 08150", "2181081508155"]
)
def test_common_tax_numbers_are_accepted(tmp_path: Path, tax_number: str) -> None:
    text = replace('"12/345/67890"', f'"{tax_number}"')
    assert load_truck_config(write(tmp_path, text)).shop.tax_number == tax_number


@pytest.mark.parametrize("tax_number", ["", "  ", "12-345-67890", "DE123456789", "1234"])
def test_bad_tax_numbers(tmp_path: Path, tax_number: str) -> None:
    problem = only(tmp_path, replace('"12/345/67890"', f'"{tax_number}"'))
    assert problem.key == "shop.tax_number"
    assert problem.message.startswith("erwartet eine Steuernummer")


def test_vat_id(tmp_path: Path) -> None:
    good = replace('city = "Hann. Münden"', 'city = "Hann. Münden"\nvat_id = "DE123456789"')
    assert load_truck_config(write(tmp_path, good)).shop.vat_id == "DE123456789"
    problem = only(tmp_path, good.replace("DE123456789", "DE12345678"))
    assert problem.key == "shop.vat_id"
    assert problem.message.startswith('erwartet "DE" und neun Ziffern')


@pytest.mark.parametrize(
    ("printer", "missing"),
    [
        ('kind = "file"', ["printer.path"]),
        ('kind = "network"', ["printer.host"]),
        ('kind = "serial"', ["printer.device"]),
        ('kind = "usb"\nvendor_id = 0x04b8', ["printer.product_id"]),
        ('kind = "usb"', ["printer.vendor_id", "printer.product_id"]),
    ],
)
def test_printer_kind_needs_its_settings(tmp_path: Path, printer: str, missing: list[str]) -> None:
    found = problems(tmp_path, replace('kind = "none"', printer))
    assert [p.key for p in found] == missing
    kind = printer.split("\n")[0].split(" = ")[1]
    assert found[0].message == f"fehlt – wird für kind = {kind} gebraucht"


def test_printer_kinds_with_their_settings(tmp_path: Path) -> None:
    text = replace('kind = "none"', 'kind = "usb"\nvendor_id = 0x04b8\nproduct_id = 0x0e15')
    printer = load_truck_config(write(tmp_path, text)).printer
    assert (printer.vendor_id, printer.product_id) == (0x04B8, 0x0E15)
    text = replace('kind = "none"', 'kind = "network"\nhost = "192.168.1.50"')
    printer = load_truck_config(write(tmp_path, text)).printer
    assert (printer.host, printer.port) == ("192.168.1.50", 9100)


@pytest.mark.parametrize("protocol", ["dialog06", "toledo8217"])
def test_serial_scale_needs_device(tmp_path: Path, protocol: str) -> None:
    text = replace('protocol = "none"', f'protocol = "{protocol}"')
    problem = only(tmp_path, text)
    assert (problem.key, problem.message) == (
        "scale.device",
        f'fehlt – wird für protocol = "{protocol}" gebraucht',
    )
    config = load_truck_config(write(tmp_path, text + 'device = "/dev/ttyUSB1"\nparity = "O"\n'))
    assert config.scale.device == "/dev/ttyUSB1" and config.scale.parity == "O"


def test_unknown_key_does_not_hide_a_missing_device(tmp_path: Path) -> None:
    found = problems(tmp_path, replace('protocol = "none"', 'protocol = "dialog06"\nbaud = 9600'))
    assert [p.key for p in found] == ["scale.baud", "scale.device"]


def test_scale_serial_settings_are_checked(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL + "bytesize = 6\nstopbits = 3\nbaudrate = 9601\n")
    assert {p.key for p in found} == {"scale.bytesize", "scale.stopbits", "scale.baudrate"}
    assert any(p.message.startswith("erwartet einen der Werte 7, 8, gefunden 6") for p in found)


def test_handshake_values_belong_to_a_dialog06_scale(tmp_path: Path) -> None:
    text = replace('protocol = "none"', 'protocol = "toledo8217"\ndevice = "/dev/ttyUSB1"')
    text += 'handshake_file = "dialog06-handshake.toml"\n'
    problem = only(tmp_path, text)
    assert (problem.key, problem.message) == (
        "scale.handshake_file",
        'gibt es nur bei protocol = "dialog06"',
    )
    config = load_truck_config(write(tmp_path, text.replace("toledo8217", "dialog06")))
    assert config.scale.handshake_file == tmp_path / "dialog06-handshake.toml"  # relative


def test_instore_barcodes(tmp_path: Path) -> None:
    text = MINIMAL + (
        '[[barcode.instore]]\nprefix = "21"\nkind = "weight"\n'
        '[[barcode.instore]]\nprefix = "19"\nkind = "gewicht"\n'
        '[[barcode.instore]]\nprefix = "21"\nkind = "price"\n'
    )
    found = problems(tmp_path, text)
    assert [p.key for p in found] == ["barcode.instore[1].prefix", "barcode.instore[1].kind"]
    found = problems(tmp_path, text.replace('"19"', '"23"').replace('"gewicht"', '"weight"'))
    assert [(p.key, p.message) for p in found] == [
        ("barcode.instore[2].prefix", 'Präfix "21" kommt mehrfach vor')
    ]


def test_language_literal(tmp_path: Path) -> None:
    assert load_truck_config(write(tmp_path, 'language = "en"\n' + MINIMAL)).language == "en"
    problem = only(tmp_path, 'language = "fr"\n' + MINIMAL)
    assert problem.key == "language"
    assert problem.message.startswith('erwartet einen der Werte "de", "en", gefunden "fr"')


def test_several_mistakes_are_reported_at_once(tmp_path: Path) -> None:
    text = (
        replace('"34346"', '"3434"')
        .replace('id = "T01"', 'id = "T/01"')
        .replace('kind = "software"', 'kind = "hardware"')
        .replace('city = "Hann. Münden"\n', "")
        + "baud = true\n"
    )
    found = problems(tmp_path, text)
    assert [p.key for p in found] == [
        "shop.postcode",
        "shop.city",
        "truck.id",
        "tse.kind",
        "scale.baud",
    ]
    with pytest.raises(ConfigError) as caught:
        load_truck_config(write(tmp_path, text))
    assert len(str(caught.value).splitlines()) == 5


def test_toml_syntax_error_reports_line(tmp_path: Path) -> None:
    text = replace('id = "T01"', "id = T01")
    problem = only(tmp_path, text)
    assert problem.key == "" and problem.line == 9
    assert "kein gültiges TOML" in problem.message
    assert str(problem).startswith(f"{tmp_path / 'truck.toml'}, Zeile 9: ")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "config" / "truck.toml"
    with pytest.raises(ConfigError) as caught:
        load_truck_config(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}: Datei nicht gefunden"]
