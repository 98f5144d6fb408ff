"""``tourkasse truck orders``: the picking list as staff read it on the terminal."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import TickingClock, example_config_text
from tests.truck.orders_sample import VISIT, line, orders_download
from tourkasse.cli import main
from tourkasse.orders import VisitOrder
from truck.config import load_truck_config
from truck.store import downloads
from truck.store import orders as order_store
from truck.store.database import open_database


def truck_with_orders(tmp_path, *, deliver: bool = True, orders=None):
    path = tmp_path / "truck.toml"
    path.write_text(example_config_text(), encoding="utf-8")
    db = open_database(load_truck_config(path).paths.journal)
    clock = TickingClock(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    if deliver:
        downloads.receive(db, orders_download(2, orders), clock=clock)
        if orders is None:
            order_store.mark_not_collected(db, truck="T01", number="B-18", clock=clock)
    db.close()
    return path


def test_the_days_picking_list_per_stop_order_and_resident(tmp_path, capsys):
    config = truck_with_orders(tmp_path)
    assert main(["truck", "orders", "--config", str(config), "--day", "2026-11-24"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Packliste Dienstag, 24.11.2026 – Wagen T01 – Bestellungen Version 2\n")
    # the stops in the order the tour reaches them, each order with its residents' lines
    assert out.index("Gimte, Dorfgemeinschaftshaus (gimte)") < out.index("Hemeln")
    assert "  B-17  offen  – bestellt von heim-gimte, ca. 9,10 €" in out
    assert "    Notiz: Bitte [klingeln]" in out
    assert "    [b]Frau Müller[/b]\n" in out
    assert "ca. 350 g  Gouda mittelalt                   ca. 5,92 €" in out
    assert "  B-18  nicht abgeholt" in out
    assert "Zusammen: 3 Bestellungen, ca. 25,60 €" in out
    # what to load: the open orders' lines summed per article (B-18 was not collected)
    load = out.split("Zu laden (offene Bestellungen):\n")[1]
    assert "6 ×  Landbrot" not in load and "2 ×  Landbrot 1000 g (1001)" in load
    assert "ca. 350 g  Gouda mittelalt (2101)" in load
    assert "Sonderbrot" not in load


def test_one_stop_an_empty_day_and_no_list_yet(tmp_path, capsys):
    config = str(truck_with_orders(tmp_path))
    main(["truck", "orders", "--config", config, "--day", "2026-11-24", "--stop", "hemeln"])
    out = capsys.readouterr().out
    assert "B-19" in out and "B-17" not in out and "Gimte" not in out
    main(["truck", "orders", "--config", config, "--day", "2026-11-27"])
    assert "Keine Bestellungen an diesem Tag." in capsys.readouterr().out
    assert main(["truck", "orders", "--config", config, "--stop", "mond"]) == 1
    assert "Halt „mond“ gibt es im Tourplan nicht" in capsys.readouterr().err
    assert main(["truck", "orders", "--config", config, "--day", "morgen"]) == 1
    assert "--day 'morgen' ist kein Datum" in capsys.readouterr().err

    empty = tmp_path / "empty"
    empty.mkdir()
    config = str(truck_with_orders(empty, deliver=False))
    assert main(["truck", "orders", "--config", config, "--day", "2026-11-24"]) == 0
    assert "noch keine Bestellungen von der Zentrale erhalten" in capsys.readouterr().out


def test_a_multi_line_note_as_indented_lines_and_the_load_sorted_as_a_german_list(tmp_path, capsys):
    order = VisitOrder(
        "B-40",
        "gimte",
        VISIT,
        "heim-gimte",
        "Bitte klingeln\r\nZimmer 12\n\x1b[31mrot",
        (
            line(1, "1001", "Landbrot 1000 g", 1, 420, "Frau Kühn"),
            line(2, "4711", "Äpfel Elstar", 2, 99, "Frau Kühn"),
            line(3, "4712", "Zwiebeln", 1, 79, "Frau Kühn"),
        ),
    )
    config = truck_with_orders(tmp_path, orders=(order,))
    assert main(["truck", "orders", "--config", str(config), "--day", "2026-11-24"]) == 0
    out = capsys.readouterr().out
    assert "    Notiz: Bitte klingeln\n           Zimmer 12\n           �[31mrot\n" in out
    load = out.split("Zu laden (offene Bestellungen):\n")[1].splitlines()
    assert [row.split("×  ")[1] for row in load] == [
        "Äpfel Elstar (4711)",
        "Landbrot 1000 g (1001)",
        "Zwiebeln (4712)",
    ]
