"""``tourkasse hub user add|list`` as the admin uses them: roles, a password read once from a
script or twice from the keyboard, refusals in words, and a changed password ending sessions."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from hub import access
from hub.cli import main
from hub.store import open_store
from tests.hub.test_figures_commands import write_config


@pytest.fixture
def config(hub_url, tmp_path):
    return write_config(tmp_path, hub_url, tours=False)


def run(args: list[str], monkeypatch, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        return main(args)
    except SystemExit as stop:
        return int(stop.code or 0)


def test_a_user_with_two_roles_is_added_listed_and_can_log_in(config, hub_url, monkeypatch, capsys):
    add = ["user", "add", "buero", "--role", "operator", "--role", "accountant", "--config"]
    assert run([*add, str(config), "--password-stdin"], monkeypatch, "ein-langes-passwort\n") == 0
    said = capsys.readouterr().out
    assert (
        "Benutzer buero angelegt, Rollen: accountant (Buchhaltung), operator (Disposition)." in said
    )
    assert run(["user", "list", "--config", str(config)], monkeypatch) == 0
    assert capsys.readouterr().out.split() == ["buero", "accountant,", "operator"]
    with open_store(hub_url) as store:
        user = store.users.get("buero")
        assert user is not None and user.roles == frozenset({"operator", "accountant"})
        assert user.password_hash.startswith("$argon2")
        login = log_in(store, "buero", "ein-langes-passwort")
        assert access.session_of(store.users, login.token, datetime.now(UTC)) is not None


def test_refusals_say_what_is_wrong_and_store_nothing(config, hub_url, monkeypatch, capsys):
    base = ["user", "add", "x", "--config", str(config), "--password-stdin"]
    assert run([*base, "--role", "chef"], monkeypatch, "ein-langes-passwort\n") == 2
    assert "unbekannte Rolle(n) chef" in capsys.readouterr().err
    assert run([*base, "--role", "admin"], monkeypatch, "kurz\n") == 2
    assert "mindestens 10 Zeichen" in capsys.readouterr().err
    typed = iter(["ein-langes-passwort", "ein-anderes-pw"])  # twice, not the same
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    keyboard = ["user", "add", "x", "--role", "admin", "--config", str(config)]
    assert run(keyboard, monkeypatch) == 2
    assert "die beiden Passwörter sind nicht gleich" in capsys.readouterr().err
    with open_store(hub_url) as store:
        assert store.users.get("x") is None


def test_a_new_password_ends_the_users_sessions(config, hub_url, monkeypatch, capsys):
    add = ["user", "add", "olga", "--role", "operator", "--config", str(config), "--password-stdin"]
    assert run(add, monkeypatch, "erstes-passwort-1\n") == 0
    with open_store(hub_url) as store:
        token = log_in(store, "olga", "erstes-passwort-1").token
    assert run(add, monkeypatch, "zweites-passwort-2\n") == 0
    assert "offene Sitzungen beendet" in capsys.readouterr().out
    with open_store(hub_url) as store:
        assert access.session_of(store.users, token, datetime.now(UTC)) is None
        assert log_in(store, "olga", "zweites-passwort-2").token


def log_in(store, name: str, password: str) -> access.Login:
    return access.log_in(
        store.users,
        name,
        password,
        address="127.0.0.1",
        now=datetime.now(UTC),
        lifetime=timedelta(hours=1),
    )
