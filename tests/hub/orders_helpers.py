"""What the orders' tests share: the example tour plan, an article list in the store, a clock
on a Monday before a Tuesday visit, and placing an order for the seniors' home Am Rehberg."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from hub.catalogue import office
from hub.catalogue.article_csv import read_csv
from hub.orders import service
from hub.orders.model import Channel, WantedLine
from hub.store import HubStore, open_store
from tourkasse.tour import TourPlan, parse_tour_plan

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "tour.example.toml"
# Monday 7 December 2026, 10:00 in Germany; the tour comes on Tuesdays and Fridays
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TUESDAY = date(2026, 12, 8)
WHOLESALER = """Artikelnummer;Bezeichnung;Preis;MwSt;Warengruppe;Einheit;EAN;Pfand;Pfandartikel
1001;Landbrot 1000 g;4,20;7;Brot;Stück;4006381001014;;
4001;Äpfel Elstar;2,99;7;Obst;kg;;;
204;Apfelsaft 1 l;1,89;19;Getränke;Stück;;9001;
9001;Pfand Flasche;0,15;19;Pfand;Stück;;;ja
""".encode()


def example_plan(extra: str = "") -> TourPlan:
    return parse_tour_plan(EXAMPLE.read_text(encoding="utf-8") + extra, "tour.example.toml")


def stocked(hub_url: str) -> Iterator[HubStore]:
    """An open store with the wholesaler's articles (for a fixture)."""
    with open_store(hub_url) as opened:
        office.apply_import(opened, read_csv(WHOLESALER), "olga", NOW, date(2026, 11, 25))
        yield opened


def order(store, plan=None, *, stop="rehberg", day=TUESDAY, lines=None, now=NOW, note=""):
    return service.place_order(
        store,
        plan or example_plan(),
        stop=stop,
        day=day,
        channel=Channel.HOME,
        orderer="rehberg-empfang",
        note=note,
        lines=[WantedLine("1001", 2, "Frau Kühn"), WantedLine("4001", 500, "Herr Ott")]
        if lines is None
        else lines,
        now=now,
    )
