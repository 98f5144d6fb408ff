"""The command line as a user meets it: help, documentation, errors, and a day's work."""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tourkasse.cli import GROUPS, group_parser, main
from truck.devices.scale.dialog06_simulator import made_up_handshake, write_handshake_file

from .conftest import EXAMPLE_ARTICLES, EXAMPLE_CONFIG, REPO, example_config_text

COMMANDS_DOC = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")


def leaf_commands(parser: argparse.ArgumentParser, path: tuple[str, ...]):
    """Every runnable command below ``parser`` with its help text."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield from leaf_commands_with_help(sub, (*path, name), helps.get(name))


def leaf_commands_with_help(parser, path, help_text):
    children = list(leaf_commands(parser, path))
    if children:
        yield (path, help_text)
        yield from children
    else:
        yield (path, help_text)


def all_commands():
    for group in GROUPS:
        yield from leaf_commands(group_parser(group), ("tourkasse", group))


def test_tourkasse_help_lists_the_truck_and_hub_groups():
    done = subprocess.run(
        [sys.executable, "-m", "tourkasse", "--help"], capture_output=True, text=True, check=True
    )
    assert "truck" in done.stdout and "hub" in done.stdout
    assert "Verkaufswagen" in done.stdout and "Zentrale" in done.stdout


@pytest.mark.parametrize(
    ("path", "help_text"),
    list(all_commands()),
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_every_command_has_help_and_is_documented(path, help_text):
    assert help_text and len(help_text) > 10, f"{' '.join(path)} has no help text"
    command = re.escape(" ".join(path))
    assert re.search(rf"`{command}[ `]", COMMANDS_DOC), (
        f"{' '.join(path)} is not in docs/commands.md"
    )


def test_every_command_in_the_docs_exists():
    documented = set(
        re.findall(r"`(tourkasse (?:truck|hub) [a-z -]+?)(?: [A-Z\[-]|`)", COMMANDS_DOC)
    )
    existing = {" ".join(path) for path, _ in all_commands()}
    assert documented, "no commands found in docs/commands.md"
    assert documented <= existing, f"documented but missing: {documented - existing}"


def test_the_quick_start_scripts_are_there_and_ci_runs_the_tests():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for script in ("scripts/demo", "scripts/test"):
        assert script in readme
        assert (REPO / script).stat().st_mode & 0o111, f"{script} is not executable"
    assert "scripts/test" in (REPO / ".ci" / "run").read_text()


def test_the_demo_runs_a_day_at_the_till():
    """scripts/demo as a new user runs it (this suite runs inside scripts/test's set-up)."""
    done = subprocess.run(
        [str(REPO / "scripts" / "demo")], capture_output=True, text=True, timeout=300, cwd=REPO
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "Software-TSE eingerichtet" in out
    assert "STORNO ZU BON 3" in out and "TRAININGSBON" in out
    assert "Abgelehnt: „4006381001015“: Prüfziffer falsch" in done.stderr
    assert re.search(r"Journal in Ordnung: \d+ Einträge", out)
    # the agent journals stops meanwhile, so the edited receipt's entry number varies
    assert re.search(r"Journal FEHLERHAFT: Eintrag (\d+): verweist nicht auf Eintrag \d+", out)
    assert "Ankunft: Gimte, Dorfgemeinschaftshaus" in out  # the agent followed the GPS replay
    assert re.search(r"Bon 2 Beleg 12,22 € – TSE 2 @ (gimte|volkmarshausen)", out)
    assert "Differenz:             -0,50 €" in out
    # a home orders for two residents, the office confirms, the truck's picking list has it
    assert "Bestellung B-1 ist eingegangen." in out
    assert re.search(r"Wagen T01 hat Bestellung B-1, [\d,]+ s nach der Bestätigung", out)
    assert re.search(r"Frau Kühn, Zimmer 12\n +ca\. 400 g  Gouda mittelalt", out)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    text = example_config_text()
    path = tmp_path / "truck.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["truck", "articles", "import", "--config", str(path), str(EXAMPLE_ARTICLES)]) == 0
    assert main(["truck", "tse", "init", "--config", str(path)]) == 0
    return path


def journal_rows(config: Path) -> int:
    with sqlite3.connect(config.parent / "journal.sqlite") as conn:
        return conn.execute("SELECT count(*) FROM journal").fetchone()[0]


def test_a_broken_config_names_file_key_and_expectation(tmp_path, capsys):
    broken = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace("baudrate = 9600", "baud = 9600")
    broken = broken.replace('postcode = "34346"', "postcode = 34346")
    path = tmp_path / "truck.toml"
    path.write_text(broken, encoding="utf-8")
    assert main(["truck", "config", "check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"Fehler in {path} (2):" in err
    assert f"{path}: scale.baud: unbekannter Schlüssel" in err and "baudrate" in err
    assert "shop.postcode" in err


def test_config_check_reads_the_scale_vendors_handshake_values(tmp_path, capsys):
    text = example_config_text().replace(
        'protocol = "simulated"',
        'protocol = "dialog06"\ndevice = "/dev/ttyUSB1"\nhandshake_file = "handshake.toml"',
    )
    path = tmp_path / "truck.toml"
    path.write_text(text, encoding="utf-8")
    values = tmp_path / "handshake.toml"
    values.write_text('[answers]\n"00" = ["1A2B", "9F01"]\n', encoding="utf-8")
    assert main(["truck", "config", "check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{values}: es fehlen 255 von 256 Zufallswerten (01, 02, 03, 04, 05 …)" in err
    assert "(Konfiguration: scale.handshake_file)" in err
    write_handshake_file(values, made_up_handshake(), title="test")
    assert main(["truck", "config", "check", "--config", str(path)]) == 0
    assert "Konfiguration in Ordnung" in capsys.readouterr().out


def test_a_day_at_the_till_from_the_command_line(config, capsys):
    c = str(config)
    assert main(["truck", "cash", "float", "--config", c, "100"]) == 0
    assert main(["truck", "sell", "--config", c, "4006381001014", "2x2001", "--cash", "10"]) == 0
    out = capsys.readouterr().out
    assert "SUMME                               6,58 €" in out
    assert "Rückgeld                              3,42" in out
    assert (
        "nicht zertifiziert" in out and "QR: V0;TK-T01-0001;Kassenbeleg-V1;Beleg^0.00_6.58" in out
    )
    assert main(["truck", "void", "--config", c, "2"]) == 0
    assert "STORNO ZU BON 2" in capsys.readouterr().out
    assert main(["truck", "report", "x", "--config", c]) == 0
    x_report = capsys.readouterr().out
    assert "  7 %      brutto       0,00 €" in x_report  # the rate as people say it
    assert "REDUCED" not in x_report
    assert main(["truck", "closing", "--config", c]) == 1  # not without counting
    assert "Bitte die Kasse zählen" in capsys.readouterr().err
    assert main(["truck", "closing", "--config", c, "--count", "100=1"]) == 0
    out = capsys.readouterr().out
    assert "Tagesabschluss Nr. 1" in out and "Differenz:              0,00 €" in out
    assert main(["truck", "journal", "verify", "--config", c]) == 0
    assert "Journal in Ordnung" in capsys.readouterr().out


def test_bad_input_is_refused_and_nothing_is_written(config, capsys):
    c = str(config)
    before = journal_rows(config)
    for items in (
        ["4006381001015"],  # wrong check digit
        ["4006381333931"],  # valid EAN, not in the list
        ["4001"],  # a weighed article without the scale
        ["4001@350"],  # typed weight, but the till may not compute prices
        ["4006381001014", "--cash", "1"],  # too little cash
    ):
        assert (
            main(
                ["truck", "sell", "--config", c, *items, "--cash", "50"][
                    : 4 + len(items) + (0 if "--cash" in items else 2)
                ]
            )
            == 1
        )
        err = capsys.readouterr().err
        assert err.startswith("Abgelehnt: ")
    assert journal_rows(config) == before


def test_a_changed_journal_is_found_and_named(config, capsys):
    c = str(config)
    main(["truck", "sell", "--config", c, "1002", "--cash", "1"])
    main(["truck", "sell", "--config", c, "1003", "--cash", "2"])
    with sqlite3.connect(config.parent / "journal.sqlite") as conn:
        conn.execute("DROP TRIGGER journal_no_update")  # someone edits the file by hand
        (data,) = conn.execute("SELECT data FROM journal WHERE seq = 4").fetchone()
        changed = bytes(data).replace(b'"unit_price":180', b'"unit_price":18')
        assert changed != bytes(data)
        conn.execute("UPDATE journal SET data = ? WHERE seq = 4", [changed])
    capsys.readouterr()
    assert main(["truck", "journal", "verify", "--config", c]) == 1
    assert "Journal FEHLERHAFT: Eintrag 4:" in capsys.readouterr().out


def test_the_journal_refuses_changes_through_the_database(config):
    main(["truck", "sell", "--config", str(config), "1002", "--cash", "1"])
    with (
        sqlite3.connect(config.parent / "journal.sqlite") as conn,
        pytest.raises(sqlite3.IntegrityError, match="cannot be changed"),
    ):
        conn.execute("UPDATE journal SET kind = 'x' WHERE seq = 1")


def test_an_export_checks_out_at_the_hub_and_an_edited_one_does_not(config, tmp_path, capsys):
    c = str(config)
    main(["truck", "sell", "--config", c, "1002", "--cash", "1"])
    main(["truck", "sell", "--config", c, "1003", "--cash", "2"])
    assert main(["truck", "journal", "verify", "--config", c]) == 0
    last_hash = re.search(r"letzter Hash ([0-9a-f]{16})", capsys.readouterr().out)[1]
    out = tmp_path / "export.jsonl"
    assert main(["truck", "journal", "export", "--config", c, "--out", str(out)]) == 0
    assert main(["hub", "journal", "check", str(out), "--truck", "T01"]) == 0
    assert "Journal in Ordnung: 4 Einträge" in capsys.readouterr().out
    original = out.read_bytes()
    # an edited entry breaks the link of the next one
    out.write_bytes(original.replace(b'"unit_price":45', b'"unit_price":4'))
    assert main(["hub", "journal", "check", str(out), "--truck", "T01"]) == 1
    assert "Eintrag 3: verweist nicht auf Eintrag 2" in capsys.readouterr().out
    # the last entry has no successor: the hash the truck showed gives it away
    out.write_bytes(original.replace(b'"unit_price":180', b'"unit_price":18'))
    assert main(["hub", "journal", "check", str(out), "--last-hash", last_hash]) == 1
    assert "letzter Hash" in capsys.readouterr().out
    out.write_bytes(original)
    assert main(["hub", "journal", "check", str(out), "--last-hash", last_hash]) == 0


def test_a_second_till_on_the_same_journal_is_refused(config, capsys):
    from truck.config import load_truck_config
    from truck.till.opening import open_till

    shop = open_till(load_truck_config(config))  # e.g. the till on the screen
    try:
        assert main(["truck", "sell", "--config", str(config), "1002", "--cash", "1"]) == 1
        assert "bereits in einem anderen Programm geöffnet" in capsys.readouterr().err
        # reading is fine meanwhile
        assert main(["truck", "journal", "verify", "--config", str(config)]) == 0
    finally:
        shop.close()
    assert main(["truck", "sell", "--config", str(config), "1002", "--cash", "1"]) == 0
