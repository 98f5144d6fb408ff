"""Must show: a home's account is added with its stop (and refused without one, or with a stop
that is not in the tour plan, or a stop for another role), listed with it; the operator's
order commands list a day's orders with their states, set a stop's deadline and say in
German what is wrong."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from hub.broker import free_port
from hub.catalogue import office
from hub.catalogue.article_csv import read_csv
from hub.cli import main
from hub.orders import service
from hub.orders.model import Decision, WantedLine
from hub.store import open_store
from tests.hub.orders_helpers import NOW, TUESDAY, WHOLESALER, example_plan, order
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


def test_the_operator_lists_orders_sets_deadlines_and_is_told_what_is_wrong(
    config, hub_url, monkeypatch, capsys
):
    with open_store(hub_url) as store:
        office.apply_import(store, read_csv(WHOLESALER), "olga", NOW, date(2026, 11, 25))
        placed = order(store, note="Bitte klingeln\nZimmer 12")
        service.decide(store, placed.number, 1, Decision.CONFIRMED, "", by="olga", now=NOW)
        service.decide(store, placed.number, 2, Decision.DECLINED, "keine Äpfel", by="o", now=NOW)
        order(store, lines=[WantedLine("204", 6, "Herr Ott")])
        service.cancel_order(store, example_plan(), "B-2", stop="rehberg", now=NOW)
    listing = ["orders", "list", "--day", TUESDAY.isoformat(), "--config", str(config)]
    code, out, err = run(listing, monkeypatch, capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Di 08.12.2026, Seniorenzentrum Am Rehberg (rehberg), Wagen T01:"
    assert lines[1].split() == ["B-1", "offen", "rehberg-empfang", "(Heim),", "ca.", "8,40", "€"]
    assert lines[2].strip() == "Anmerkung: Bitte klingeln / Zimmer 12"
    assert lines[3].split()[-2:] == ["Kühn", "bestätigt"]
    assert lines[4].split()[:4] == ["2.", "ca.", "500", "g"]  # approximate, as ordered
    assert lines[4].endswith("abgelehnt: keine Äpfel")
    assert lines[5].split()[:2] == ["B-2", "storniert"]
    code, out, _ = run(
        ["orders", "list", "--day", "2026-12-09", "--config", str(config)], monkeypatch, capsys
    )
    assert (code, out) == (0, "Keine Bestellungen.\n")
    code, _, err = run(
        ["orders", "list", "--day", "morgen", "--config", str(config)], monkeypatch, capsys
    )
    assert (code, err.strip()) == (2, "Datum 'morgen': erwartet JJJJ-MM-TT")

    deadline = ["orders", "deadline", "rehberg", "48", "--config", str(config)]
    code, out, _ = run(deadline, monkeypatch, capsys)
    assert (code, out) == (0, "Bestellschluss für rehberg: 48 Stunden vor der geplanten Ankunft.\n")
    with open_store(hub_url) as store:
        assert service.deadline_hours(store, "rehberg") == 48
    code, _, err = run(
        ["orders", "deadline", "rehberg", "400", "--config", str(config)], monkeypatch, capsys
    )
    assert code == 2 and "0 bis 336 Stunden" in err
    code, _, err = run(
        ["orders", "deadline", "atlantis", "4", "--config", str(config)], monkeypatch, capsys
    )
    assert code == 2 and "Unbekannter Halt 'atlantis'" in err


def test_publishing_says_when_the_broker_is_down(hub_url, tmp_path, monkeypatch, capsys):
    config = write_config(tmp_path, hub_url)
    with config.open("a", encoding="utf-8") as file:
        file.write(f'\n[mqtt]\nhost = "127.0.0.1"\nport = {free_port()}\n')
    with open_store(hub_url) as store:
        office.apply_import(store, read_csv(WHOLESALER), "olga", NOW, date(2026, 11, 25))
        placed = order(store, now=datetime.now(UTC), day=_next_visit(store))
        service.decide(store, placed.number, 1, Decision.CONFIRMED, "", by="o", now=NOW)
    code, out, err = run(["orders", "publish", "--config", str(config)], monkeypatch, capsys)
    assert (code, out) == (1, "")
    assert err.startswith("Nicht gesendet: MQTT-Broker 127.0.0.1:") and "nicht erreichbar" in err


def _next_visit(store) -> date:
    """The next visit at Am Rehberg that still takes orders (the command goes by the clock)."""
    now = datetime.now(UTC)
    return next(
        v.day
        for v in service.orderable_visits(store, example_plan(), "rehberg", now)
        if not v.cancelled and v.deadline > now
    )
