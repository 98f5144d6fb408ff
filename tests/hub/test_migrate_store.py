"""``tourkasse hub migrate-store``: a hub on SQLite moves to the session's real PostgreSQL and
answers there as before (journals, figures, logins, tokens, catalogue, tour plan, board links,
what was refused); a target that is not empty, a wrong URL, an unreachable server or a source
written meanwhile are refused in words, and the target is left as it was (or empty again)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from hub import access
from hub.cli import main
from hub.store import HubStore, moving, open_store
from hub.store.dialect import connect
from hub.store.moving import COPIED, PROJECTION_TABLES, target_contents
from tests.support.accountant_days import TUESDAY, WEDNESDAY, store_days
from tests.support.journals import JournalWriter, sales_day
from tourkasse.journal import EntryKind
from tourkasse.protocol import DeviceReport, JournalBatch, Position, Status, TrackBatch, TrackPoint

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
PASSWORD = "ein-langes-passwort"


def fill(url: str) -> dict[str, str]:
    """A hub that has seen some weeks: journals in several batches, a fork, a refused message,
    telemetry, users with a session and a token, the catalogue, a tour plan, a board link."""
    store_days(url)  # T01 and T02, figures worked out by hand
    sold = sales_day("T03", sales=30, day=TUESDAY, seed=7)
    with open_store(url) as store:
        data = [e.data for e in sold.entries]
        for n, start in enumerate(range(0, len(data), 9)):  # arriving over the day
            batch = JournalBatch("T03", tuple(data[start : start + 9]), start + 1)
            outcome = store.accept_batch(batch, received_at=NOW + timedelta(minutes=n))
            assert outcome.reason is None
        writer = JournalWriter("T04")
        writer.add(EntryKind.STAFF_SIGN_ON, {"staff": {"number": "1", "name": "Anna"}})
        other = writer.copy()
        writer.add(EntryKind.STAFF_SIGN_OFF, {"staff": {"number": "1", "name": "Anna"}})
        restored = other.add(EntryKind.STAFF_SIGN_ON, {"staff": {"number": "2", "name": "Ben"}})
        store.accept_batch(
            JournalBatch("T04", tuple(e.data for e in writer.entries), 1), received_at=NOW
        )
        assert store.accept_batch(JournalBatch("T04", (restored.data,), 2), received_at=NOW).forks
        store.reject(
            topic="tourkasse/truck/T09/journal", payload=b"\x00\xffkaputt", reason="nicht lesbar",
            received_at=NOW, truck="T09",
        )  # fmt: skip
        printer = ("printer", DeviceReport(False, "Papier leer", "2026-11-24T08:10:00+00:00"))
        status = Status("T01", True, "2026-11-24T08:00:00+00:00", "0.1.0", 40, 3, (printer,))
        store.save_status(status, received_at=NOW)
        store.save_status(Status("T02", False, "2026-11-24T08:01:00+00:00"), received_at=NOW)
        points = tuple(
            TrackPoint(f"2026-11-24T08:{m:02d}:00.000000Z", 515_000_000 + m, 96_500_000, 250)
            for m in range(5)
        )
        store.add_track(TrackBatch("T01", points))
        position = Position("T01", "2026-11-24T08:05:00Z", 515_000_100, 96_500_000, 800)
        store.save_position(position, received_at=NOW)
        hashed = access.hash_password(PASSWORD)
        store.users.put("buero", hashed, frozenset({"operator", "accountant"}), NOW)
        store.users.put("chefin", hashed, frozenset({"admin"}), NOW)
        log_in(store, "buero")  # a session, not moved
        token = access.new_api_token(store.users, "buero", "steuerbuero", NOW)
        with store.db.transaction():
            store.catalogue.put("4711", {"text": "Landbrot", "price": "4.20"}, "buero", NOW)
            store.catalogue.replace_departments([{"key": "1", "text": "Brot"}])
            store.catalogue.add_price_change("4711", "4.40", date(2026, 12, 1), "buero", NOW)
            store.catalogue.log("4711", "neu", None, {"text": "Landbrot"}, "buero", NOW)
            store.catalogue.record_push("articles", 3, "buero", "1 Artikel", None, NOW)
            store.catalogue.keep_upload("t0k", "buero", "liste.csv", b"a;b", NOW)  # not moved
        store.tour_plans.add('[[tour]]\nid = "mo"\n', "buero", "Montag neu", NOW)
        store.tour_plans.add('[[tour]]\nid = "di"\n', "buero", "Dienstag neu", NOW)
        board = store.board_links.ensure("gimte", "buero", NOW).token
    return {"token": token, "board": board}


def log_in(store: HubStore, name: str) -> access.Login:
    return access.log_in(
        store.users, name, PASSWORD, address="127.0.0.1", now=NOW, lifetime=timedelta(hours=8)
    )


def everything(url: str) -> dict[str, list[tuple]]:
    """Every row the move is to bring along, as plain values (booleans as 0/1)."""
    db = connect(url)
    try:
        found = {"journal": db.rows(
            "SELECT truck, seq, hash, kind, at, data, received_at FROM journal ORDER BY truck, seq"
        )}  # fmt: skip
        found["trucks"] = db.rows("SELECT * FROM trucks ORDER BY truck")
        for table in PROJECTION_TABLES:
            found[table] = sorted(db.rows(f"SELECT * FROM {table}"))
        for table, (columns, key) in COPIED.items():
            found[table] = db.rows(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(key)}"
            )
        return {
            table: [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in rows]
            for table, rows in found.items()
        }
    finally:
        db.close()


@pytest.fixture
def postgres_url(postgres_cluster) -> Iterator[str]:
    name = postgres_cluster.create_database()
    yield postgres_cluster.url(name)
    postgres_cluster.drop_database(name)


@pytest.fixture
def source(tmp_path: Path) -> tuple[str, dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    return url, fill(url)


def migrate(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["migrate-store", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_sqlite_hub_moves_to_postgresql_and_answers_the_same(source, postgres_url, capsys):
    url, secrets = source
    before = everything(url)
    code, out, err = migrate(capsys, "--from", url, "--to", postgres_url)
    assert (code, err) == (0, ""), err
    assert everything(url) == before  # the source only read
    assert everything(postgres_url) == before  # every row, entries byte for byte
    assert "Journaleinträge" in out and "in Ordnung" in out
    assert "Anmeldungen (alle melden sich neu an)" in out
    assert "Wagen T03: 45 Einträge bis Nr. 45" in out and "zusammen 469,42 €" in out
    with open_store(url) as old, open_store(postgres_url) as new:
        for day in (TUESDAY, WEDNESDAY):
            assert new.turnover(day) == old.turnover(day)
        assert [list(new.journal(t)) for t in new.trucks()] == [
            list(old.journal(t)) for t in old.trucks()
        ]
        assert new.forks() == old.forks() and new.rejected() == old.rejected()
        assert new.statuses() == old.statuses() and new.positions() == old.positions()
        assert new.track("T01") == old.track("T01")
        assert new.db.one("SELECT count(*) FROM sessions") == (0,)  # everyone logs in again
        assert log_in(new, "chefin").token  # the password hash came along
        user = access.token_owner(new.users, secrets["token"], NOW)
        assert user is not None and user.roles == frozenset({"operator", "accountant"})
        assert new.board_links.stop_for(secrets["board"]) == "gimte"
        assert new.tour_plans.latest_version() == 2
        assert new.catalogue.articles() == old.catalogue.articles() != {}
        assert new.catalogue.departments() == old.catalogue.departments() != []
        assert new.catalogue.price_changes() == old.catalogue.price_changes()
        assert new.catalogue.history() == old.catalogue.history()
        assert new.catalogue.pushes("articles") == old.catalogue.pushes("articles")
        # the figures as the accept path computed them equal a rebuild from the journals alone
        accepted = everything(postgres_url)
        assert new.rebuild_projections() == sum(1 for t in old.trucks() for _ in old.journal(t))
        assert everything(postgres_url) == accepted
        # the moved hub goes on: ids continue after those brought along, journals continue
        new.reject(topic="x", payload=b"y", reason="z", received_at=NOW)
        assert [r.reason for r in new.rejected(2)] == ["z", "nicht lesbar"]
        new.tour_plans.add("", "buero", "leer", NOW)
        assert new.tour_plans.latest_version() == 3


def test_a_target_that_is_not_empty_is_refused_and_left_alone(source, postgres_url, capsys):
    url, _ = source
    with open_store(postgres_url) as other:
        other.tour_plans.add("x", "buero", "schon da", NOW)
    before = everything(postgres_url)
    code, out, err = migrate(capsys, "--from", url, "--to", postgres_url)
    assert code == 2 and out == ""
    assert "ist nicht leer: tour_plans (1)" in err and "Nichts geschrieben" in err
    assert everything(postgres_url) == before


def test_the_config_names_the_source(source, postgres_url, tmp_path, capsys):
    url, _ = source
    config = tmp_path / "hub.toml"
    config.write_text('timezone = "Europe/Berlin"\n\n[store]\nurl = "sqlite:///hub.sqlite"\n')
    code, _, err = migrate(capsys, "--config", str(config), "--to", postgres_url)
    assert (code, err) == (0, "")
    assert everything(postgres_url) == everything(url)


def test_a_source_written_meanwhile_leaves_the_target_empty(
    source, postgres_url, capsys, monkeypatch
):
    url, _ = source
    replay = moving._replay_journals

    def hub_still_running(*args) -> None:
        replay(*args)
        with open_store(url) as running:  # the ingest writes on while the move reads
            running.reject(topic="t", payload=b"p", reason="spät", received_at=NOW)

    monkeypatch.setattr(moving, "_replay_journals", hub_still_running)
    code, _, err = migrate(capsys, "--from", url, "--to", postgres_url)
    assert code == 1 and "läuft die Zentrale noch?" in err and "Das Ziel ist wieder leer" in err
    assert target_contents(postgres_url) == {}
    monkeypatch.undo()
    assert migrate(capsys, "--from", url, "--to", postgres_url)[0] == 0  # then once more


def test_wrong_urls_and_sources_are_said_in_words(tmp_path, postgres_url, capsys):
    hub = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    open_store(hub).close()
    cases = [
        (["--from", hub, "--to", "postgresql://tourkasse@127.0.0.1:1/hub"], "PostgreSQL nicht erreichbar"),
        (["--from", hub, "--to", "mysql://hub"], "unbekannte Speicher-URL"),
        (["--from", f"sqlite:///{tmp_path / 'fehlt.sqlite'}", "--to", postgres_url], "gibt es nicht"),
        (["--from", hub, "--to", hub], "derselbe Speicher"),
    ]  # fmt: skip
    other = tmp_path / "anderes.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE kunden (name TEXT)")
    cases.append(
        (["--from", f"sqlite:///{other}", "--to", postgres_url], "kein Speicher einer Zentrale")
    )
    for args, said in cases:
        code, out, err = migrate(capsys, *args)
        assert (code, out) == (2, ""), args
        assert said in err, (args, err)
    assert target_contents(postgres_url) == {}


def test_figures_that_differ_after_the_move_fail_the_check_and_empty_the_target(
    source, postgres_url, capsys, monkeypatch
):
    url, _ = source
    copy_times = moving._copy_truck_times

    def losing_a_day(source_db, target_db) -> None:
        copy_times(source_db, target_db)
        target_db.run("DELETE FROM turnover_rates WHERE truck = 'T02'")

    monkeypatch.setattr(moving, "_copy_truck_times", losing_a_day)
    code, out, _ = migrate(capsys, "--from", url, "--to", postgres_url)
    assert code == 1
    assert "FEHLER: Umsatz je Tag verschieden" in out
    assert "FEHLER: Umsatzzahlen in turnover_rates verschieden" in out
    assert "Das Ziel ist wieder leer" in out and "in Ordnung" not in out
    assert target_contents(postgres_url) == {}


def test_a_tampered_journal_in_the_source_is_found_and_nothing_stays(source, postgres_url, capsys):
    url, _ = source
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:  # a receipt changed afterwards in the file
        (data,) = db.execute("SELECT data FROM journal WHERE truck = 'T01' AND seq = 3").fetchone()
        changed = bytes(data).replace(b'"total":524', b'"total":424')
        assert changed != bytes(data)
        db.execute("UPDATE journal SET data = ? WHERE truck = 'T01' AND seq = 3", [changed])
    code, out, err = migrate(capsys, "--from", url, "--to", postgres_url)
    assert (code, out) == (2, "")
    assert "Journal von Wagen T01 ließ sich nicht übernehmen: Eintrag 3" in err, err
    assert target_contents(postgres_url) == {}


def test_and_back_from_postgresql_to_sqlite(source, postgres_url, tmp_path, capsys):
    url, _ = source
    assert migrate(capsys, "--from", url, "--to", postgres_url)[0] == 0
    back = f"sqlite:///{tmp_path / 'zurueck.sqlite'}"
    code, _, err = migrate(capsys, "--from", postgres_url, "--to", back)
    assert (code, err) == (0, "")
    assert everything(back) == everything(url)


def test_a_database_with_tables_of_others_is_no_empty_target(source, tmp_path, capsys):
    url, _ = source
    other = tmp_path / "warenwirtschaft.sqlite"
    with closing(sqlite3.connect(other)) as db, db:
        db.execute("CREATE TABLE kunden (name TEXT)")
        db.execute("INSERT INTO kunden VALUES ('Frau Meier'), ('Herr Otto')")
    before = other.read_bytes()
    code, _, err = migrate(capsys, "--from", url, "--to", f"sqlite:///{other}")
    assert code == 2 and "ist nicht leer: kunden (2)" in err
    assert other.read_bytes() == before  # not even switched to WAL


def test_a_postgresql_database_with_tables_of_others_is_left_alone(source, postgres_url, capsys):
    url, _ = source
    db = connect(postgres_url)
    try:
        db.run("CREATE TABLE kunden (name TEXT)")
        code, _, err = migrate(capsys, "--from", url, "--to", postgres_url)
        assert code == 2 and "ist nicht leer: kunden (0)" in err
        assert not db.has_table("journal")
    finally:
        db.close()
