"""Must show: a home's account is added with its stop (and refused without one, or with a stop
that is not in the tour plan, or a stop for another role), listed with it; the operator's
order commands list a day's orders with their states, set a stop's deadline and say in
German what is wrong."""

from __future__ import annotations

import io

import pytest

from hub.cli import main
from hub.store import open_store
from tests.hub.test_figures_commands import write_config

PASSWORD = "ein-langes-passwort\n"


@pytest.fixture
def config(hub_url, tmp_path):
    return write_config(tmp_path, hub_url)


def run(args: list[str], monkeypatch, capsys, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main(args)
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_homes_account_belongs_to_its_stop(config, hub_url, monkeypatch, capsys):
    add = ["user", "add", "rehberg", "--config", str(config), "--password-stdin"]
    code, out, _ = run([*add, "--role", "home", "--stop", "rehberg"], monkeypatch, capsys, PASSWORD)
    assert code == 0
    assert "Benutzer rehberg angelegt, Rollen: home (Heim), Halt rehberg." in out
    code, out, _ = run(["user", "list", "--config", str(config)], monkeypatch, capsys)
    assert out.split() == ["rehberg", "home", "(Halt", "rehberg)"]
    with open_store(hub_url) as store:
        user = store.users.get("rehberg")
        assert user is not None and (user.roles, user.stop) == (frozenset({"home"}), "rehberg")
    refused = {
        "ohne Halt": (["--role", "home"], "Rolle home braucht --stop HALT"),
        "Halt für andere Rolle": (
            ["--role", "operator", "--stop", "rehberg"],
            "--stop gilt nur für die Rolle home",
        ),
        "zwei Rollen": (
            ["--role", "home", "--role", "operator", "--stop", "rehberg"],
            "Rolle home lässt sich nicht mit anderen Rollen verbinden",
        ),
        "unbekannter Halt": (
            ["--role", "home", "--stop", "atlantis"],
            "Halt „atlantis“ gibt es im Tourplan nicht",
        ),
    }
    for name, (extra, said) in refused.items():
        other = ["user", "add", f"x{len(name)}", "--config", str(config), "--password-stdin"]
        code, _, err = run([*other, *extra], monkeypatch, capsys, PASSWORD)
        assert (code, said in err) == (2, True), name
    with open_store(hub_url) as store:
        assert [user.name for user in store.users.all()] == ["rehberg"]
